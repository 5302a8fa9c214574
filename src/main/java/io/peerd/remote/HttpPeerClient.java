package io.peerd.remote;

import io.peerd.peers.PeerProbe;
import io.peerd.routing.NameSummary;
import io.peerd.search.FileHit;
import io.peerd.search.PeerCallException;
import io.peerd.search.RemoteSummary;
import io.peerd.search.SearchAnswer;
import io.peerd.search.SearchQuery;
import io.peerd.search.SearchTransport;
import io.peerd.wire.WireJson;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.PemTrustOptions;
import java.net.ConnectException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** HTTP/1.1 client to other peers, with a deadline and a body cap on every call. */
public final class HttpPeerClient implements SearchTransport, PeerProbe, AutoCloseable {

  private static final org.slf4j.Logger LOG =
      org.slf4j.LoggerFactory.getLogger(HttpPeerClient.class);

  /** Bounds on what a neighbour's answer may make us hold. */
  public record Limits(int maxBodyBytes, int maxPeersPerAnswer, int maxFilesPerPeer) {}

  private final Vertx vertx;
  private final HttpClient client;
  private final Limits limits;
  private final String authorization;

  /**
   * @param token this peer's api_token, or null: a network of private peers shares one token, so it
   *     is sent to the other peers (register, search, probes) when set
   */
  public HttpPeerClient(Vertx vertx, Limits limits, String token, String trustPem) {
    this.vertx = vertx;
    this.limits = limits;
    this.authorization = token == null ? null : "Bearer " + token;
    HttpClientOptions options =
        new HttpClientOptions().setKeepAlive(true).setMaxHeaderSize(16 * 1024);
    if (trustPem != null) {
      // https peers signed by this CA (or self-signed with this certificate) are trusted.
      options.setTrustOptions(new PemTrustOptions().addCertPath(trustPem));
    }
    this.client =
        vertx.createHttpClient(
            options, new PoolOptions().setHttp1MaxSize(64).setMaxWaitQueueSize(1024));
  }

  @Override
  public Future<SearchAnswer> forward(String peerUrl, SearchQuery q, long timeoutMillis) {
    Map<String, Object> params = new LinkedHashMap<>();
    params.put("query", q.text());
    params.put("ttl", q.ttl());
    params.put("fanout", q.fanout());
    params.put("id", q.id());
    params.put("hops", q.hops());
    params.put("deadline_ms", q.budgetMillis());
    if (q.origin() != null) {
      params.put("origin", q.origin());
    }
    if (q.from() != null) {
      params.put("from", q.from());
    }
    if (!q.alsoSentTo().isEmpty()) {
      params.put("also", String.join(",", q.alsoSentTo()));
    }
    if (q.root() != null) {
      // A seed peer knows no root: it matches the hex against names, and finds nothing.
      params.put("root", q.root());
    }
    // Always named: a peer whose default mode differs must still route this search as asked.
    params.put("mode", q.mode().wire());
    if (q.mode() != io.peerd.routing.Mode.FLOOD) {
      params.put("walkers", q.walkers());
      params.put("wanted", q.wanted());
    }
    return getJson(peerUrl, "/search" + query(params), timeoutMillis)
        .map(
            json ->
                read(
                    () ->
                        WireJson.parseSearchAnswer(
                            json, limits.maxPeersPerAnswer(), limits.maxFilesPerPeer())));
  }

  @Override
  public Future<Boolean> stillWanted(String originUrl, String id, long timeoutMillis) {
    return getJson(originUrl, "/search/check" + query(Map.of("id", id)), timeoutMillis)
        .map(
            json -> {
              if (!(json.getValue("continue") instanceof Boolean b)) {
                throw new PeerCallException("bad_response", "no continue flag");
              }
              return b;
            });
  }

  @Override
  public Future<RemoteSummary> summary(String peerUrl, long knownGeneration, long timeoutMillis) {
    return getJson(peerUrl, "/summary" + query(Map.of("known", knownGeneration)), timeoutMillis)
        .map(
            json ->
                read(
                    () -> {
                      long generation = json.getLong("generation");
                      if (Boolean.TRUE.equals(json.getBoolean("unchanged"))) {
                        return new RemoteSummary(generation, null);
                      }
                      return new RemoteSummary(
                          generation,
                          NameSummary.decode(
                              json.getString("filter"),
                              json.getInteger("bits"),
                              json.getInteger("tokens", 0)));
                    }));
  }

  @Override
  public Future<Long> health(String peerUrl, long timeoutMillis) {
    long start = System.nanoTime();
    return call(HttpMethod.GET, peerUrl, "/health", null, timeoutMillis)
        .map(body -> (System.nanoTime() - start) / 1_000_000);
  }

  @Override
  public Future<List<String>> peersOf(String peerUrl, int max, long timeoutMillis) {
    return getJson(peerUrl, "/peers", timeoutMillis)
        .map(
            json -> {
              if (!(json.getValue("all_peers") instanceof JsonArray arr)) {
                throw new PeerCallException("bad_response", "no all_peers list");
              }
              List<String> out = new ArrayList<>();
              for (int i = 0; i < arr.size() && out.size() < max; i++) {
                if (arr.getValue(i) instanceof String url) {
                  out.add(url);
                }
              }
              return out;
            });
  }

  /**
   * A person's search through that peer ({@code GET /search?query=}): the peer's own ttl, fanout
   * and mode, a deadline a little inside ours so that its answer comes before we give up.
   */
  public Future<SearchAnswer> search(String peerUrl, String text, long timeoutMillis) {
    return personal(peerUrl, "query", text, timeoutMillis);
  }

  /**
   * The peers that hold a content, found through that peer ({@code GET /search?root=}): the peer
   * itself among them when it has it.
   */
  public Future<SearchAnswer> searchRoot(String peerUrl, String root, long timeoutMillis) {
    return personal(peerUrl, "root", root, timeoutMillis);
  }

  private Future<SearchAnswer> personal(
      String peerUrl, String param, String value, long timeoutMillis) {
    Map<String, Object> params = new LinkedHashMap<>();
    params.put(param, value);
    params.put("timeout_ms", Math.max(1, timeoutMillis * 9 / 10));
    return getJson(peerUrl, "/search" + query(params), timeoutMillis)
        .map(
            json ->
                read(
                    () ->
                        WireJson.parseSearchAnswer(
                            json, limits.maxPeersPerAnswer(), limits.maxFilesPerPeer())));
  }

  /** The peer's shared files ({@code GET /files}), as the wire describes them. */
  public Future<List<FileHit>> files(String peerUrl, long timeoutMillis) {
    return getJson(peerUrl, "/files", timeoutMillis)
        .map(json -> read(() -> WireJson.parseFiles(json, limits.maxFilesPerPeer())));
  }

  /** A JSON object a peer answers with 200; anything else fails as a {@code bad_response}. */
  public Future<JsonObject> getJson(String peerUrl, String pathAndQuery, long timeoutMillis) {
    return call(HttpMethod.GET, peerUrl, pathAndQuery, null, timeoutMillis)
        .map(
            body -> {
              try {
                return new JsonObject(body);
              } catch (DecodeException | ClassCastException e) {
                throw new PeerCallException("bad_response", "not a JSON object");
              }
            });
  }

  /**
   * Reads an answer's fields: a field of the wrong type or missing, or a value out of its rules, is
   * the peer's bad answer, said in one reason.
   */
  private static <T> T read(java.util.function.Supplier<T> fields) {
    try {
      return fields.get();
    } catch (ClassCastException | NullPointerException e) {
      throw new PeerCallException("bad_response", "a field is missing or of the wrong type");
    } catch (IllegalArgumentException e) {
      throw new PeerCallException("bad_response", e.getMessage());
    }
  }

  @Override
  public Future<Void> register(String peerUrl, String self, long timeoutMillis) {
    Buffer body = new JsonObject().put("url", self).toBuffer();
    return call(HttpMethod.POST, peerUrl, "/register", body, timeoutMillis).mapEmpty();
  }

  /**
   * One request whose whole life (connect, headers, body) fits in {@code timeoutMillis}; when it
   * does not, the request is reset so a hung peer holds no connection of ours.
   */
  Future<Buffer> call(
      HttpMethod method, String peerUrl, String pathAndQuery, Buffer body, long timeoutMillis) {
    Promise<Buffer> promise = Promise.promise();
    RequestOptions options =
        new RequestOptions()
            .setMethod(method)
            .setAbsoluteURI(peerUrl + pathAndQuery)
            .setConnectTimeout(timeoutMillis)
            .setIdleTimeout(timeoutMillis)
            .putHeader("accept", "application/json");
    if (authorization != null) {
      options.putHeader("authorization", authorization);
    }
    HttpClientRequest[] current = new HttpClientRequest[1];
    long timer =
        vertx.setTimer(
            Math.max(1, timeoutMillis),
            t -> {
              if (promise.tryFail(
                      new PeerCallException("timeout", "no answer within " + timeoutMillis + " ms"))
                  && current[0] != null) {
                current[0].reset();
              }
            });
    client
        .request(options)
        .compose(
            req -> {
              current[0] = req;
              if (body != null) {
                req.putHeader("content-type", "application/json");
                return req.send(body);
              }
              return req.send();
            })
        .compose(
            resp -> {
              Promise<Buffer> read = Promise.promise();
              Buffer acc = Buffer.buffer();
              resp.handler(
                  chunk -> {
                    if (acc.length() + chunk.length() > limits.maxBodyBytes()) {
                      read.tryFail(
                          new PeerCallException(
                              "bad_response",
                              "body larger than " + limits.maxBodyBytes() + " bytes"));
                      resp.request().reset();
                    } else {
                      acc.appendBuffer(chunk);
                    }
                  });
              resp.exceptionHandler(read::tryFail);
              resp.endHandler(v -> read.tryComplete(acc));
              return resp.statusCode() == 200
                  ? read.future()
                  : read.future()
                      .compose(
                          b ->
                              Future.failedFuture(
                                  new PeerCallException(
                                      "bad_response",
                                      "HTTP " + resp.statusCode() + WireJson.errorDetail(b))));
            })
        .onComplete(
            ar -> {
              vertx.cancelTimer(timer);
              if (ar.succeeded()) {
                promise.tryComplete(ar.result());
              } else {
                promise.tryFail(classify(ar.cause()));
              }
            });
    return promise.future();
  }

  static PeerCallException classify(Throwable t) {
    if (t instanceof PeerCallException p) {
      return p;
    }
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c instanceof ConnectException) {
        String m = String.valueOf(c.getMessage());
        return m.contains("timed out")
            ? new PeerCallException("timeout", "connect timed out")
            : new PeerCallException("refused", "connection refused");
      }
      String name = c.getClass().getSimpleName();
      if (name.contains("Timeout")) {
        return new PeerCallException("timeout", null);
      }
      if (name.contains("UnknownHost") || name.contains("Resolv")) {
        return new PeerCallException("refused", "unknown host");
      }
    }
    // The reason travels to other peers' clients (a search's unreachable list): our words only.
    LOG.debug("call to a peer failed", t);
    return new PeerCallException("error", "the connection failed");
  }

  static String query(Map<String, Object> params) {
    StringBuilder sb = new StringBuilder();
    for (Map.Entry<String, Object> e : params.entrySet()) {
      sb.append(sb.length() == 0 ? '?' : '&')
          .append(e.getKey())
          .append('=')
          .append(URLEncoder.encode(String.valueOf(e.getValue()), StandardCharsets.UTF_8));
    }
    return sb.toString();
  }

  @Override
  public void close() {
    client.close();
  }
}
