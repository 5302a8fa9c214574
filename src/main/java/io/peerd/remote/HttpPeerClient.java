package io.peerd.remote;

import io.peerd.identity.Identity;
import io.peerd.identity.PeerId;
import io.peerd.identity.PeerRecord;
import io.peerd.identity.Tls;
import io.peerd.peers.Link;
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
import io.vertx.core.net.KeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.core.net.TrustOptions;
import java.net.ConnectException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * HTTP/1.1 client to other peers, with a deadline and a body cap on every call. Each call goes the
 * way the peer table's {@link Link} says: plain, or over mutual TLS to the peer's secure URL, where
 * the certificate the other side presents must have the expected id before a byte of the request is
 * sent.
 */
public final class HttpPeerClient implements SearchTransport, PeerProbe, AutoCloseable {

  private static final org.slf4j.Logger LOG =
      org.slf4j.LoggerFactory.getLogger(HttpPeerClient.class);

  /** Bounds on what a neighbour's answer may make us hold. */
  public record Limits(int maxBodyBytes, int maxPeersPerAnswer, int maxFilesPerPeer) {}

  private final Vertx vertx;
  private final HttpClient client;
  private final Limits limits;
  private final String authorization;
  private final HttpClient secure;
  private final java.util.function.Function<String, Link> links;

  /**
   * @param token this peer's api_token, or null: a network of private peers shares one token, so it
   *     is sent to the other peers (register, search, probes) when set
   */
  public HttpPeerClient(Vertx vertx, Limits limits, String token, String trustPem) {
    this(vertx, limits, token, trustPem, null, Link::plain);
  }

  /**
   * @param identity this peer's, presented on secure calls; null: every call is plain
   * @param links how each peer must be reached (the peer table's {@link
   *     io.peerd.peers.PeerTable#link})
   */
  public HttpPeerClient(
      Vertx vertx,
      Limits limits,
      String token,
      String trustPem,
      Identity identity,
      java.util.function.Function<String, Link> links) {
    this.vertx = vertx;
    this.links = links;
    this.limits = limits;
    this.authorization = token == null ? null : "Bearer " + token;
    HttpClientOptions options =
        new HttpClientOptions().setKeepAlive(true).setMaxHeaderSize(16 * 1024);
    if (trustPem != null) {
      // https peers signed by this CA (or self-signed with this certificate) are trusted.
      options.setTrustOptions(new PemTrustOptions().addCertPath(trustPem));
    }
    PoolOptions pool = new PoolOptions().setHttp1MaxSize(64).setMaxWaitQueueSize(1024);
    this.client = vertx.createHttpClient(options, pool);
    this.secure =
        identity == null
            ? null
            : vertx.createHttpClient(
                secureOptions(identity).setKeepAlive(true).setMaxHeaderSize(16 * 1024), pool);
  }

  /**
   * Mutual TLS 1.3 with this peer's certificate; the other side's is taken as presented (no CA, no
   * host name) and its id checked against the one expected.
   */
  public static HttpClientOptions secureOptions(Identity identity) {
    return new HttpClientOptions()
        .setSsl(true)
        .setVerifyHost(false)
        .setEnabledSecureTransportProtocols(java.util.Set.of("TLSv1.3"))
        .setKeyCertOptions(KeyCertOptions.wrap(Tls.keyManager(identity)))
        .setTrustOptions(TrustOptions.wrap(Tls.anyCertificate()));
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
  public Future<Health> health(String url, PeerId expect, long timeoutMillis) {
    long start = System.nanoTime();
    return send(HttpMethod.GET, url, expect, false, "/health", null, timeoutMillis)
        .map(
            answer -> {
              long rtt = (System.nanoTime() - start) / 1_000_000;
              JsonObject json;
              try {
                json = new JsonObject(answer.body());
              } catch (DecodeException | ClassCastException e) {
                // The seed's /health is JSON; anything that answers 200 is alive all the same.
                return new Health(rtt, null, null, answer.presented(), null);
              }
              return new Health(
                  rtt,
                  json.getValue("id") instanceof String id ? PeerId.tryParse(id) : null,
                  json.getValue("secure_url") instanceof String u ? u : null,
                  answer.presented(),
                  WireJson.parseRecord(json.getValue("record")));
            });
  }

  @Override
  public Future<PeerList> peersOf(String peerUrl, int max, long timeoutMillis) {
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
              // The seed's /peers has no records; a malformed one is skipped, not the answer.
              List<PeerRecord> records = new ArrayList<>();
              if (json.getValue("records") instanceof JsonArray recs) {
                for (int i = 0; i < recs.size() && records.size() < max; i++) {
                  PeerRecord r = WireJson.parseRecord(recs.getValue(i));
                  if (r != null) {
                    records.add(r);
                  }
                }
              }
              return new PeerList(out, records);
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
  public Future<Void> summaryChanged(
      String peerUrl, String self, long generation, long timeoutMillis) {
    Buffer body = new JsonObject().put("url", self).put("generation", generation).toBuffer();
    return call(HttpMethod.POST, peerUrl, "/summary/changed", body, timeoutMillis).mapEmpty();
  }

  @Override
  public Future<Void> register(String peerUrl, String self, long timeoutMillis) {
    Buffer body = new JsonObject().put("url", self).toBuffer();
    return call(HttpMethod.POST, peerUrl, "/register", body, timeoutMillis).mapEmpty();
  }

  /** A call to a peer, the way its link says; a refused link fails before any connection. */
  Future<Buffer> call(
      HttpMethod method, String peerUrl, String pathAndQuery, Buffer body, long timeoutMillis) {
    Link link = links.apply(peerUrl);
    if (link.refused() != null) {
      return Future.failedFuture(new PeerCallException("unauthenticated", link.refused()));
    }
    return send(method, link.url(), link.expect(), true, pathAndQuery, body, timeoutMillis)
        .map(Answer::body);
  }

  /** A body, and the id of the certificate the other side presented (null on a plain call). */
  record Answer(Buffer body, PeerId presented) {}

  /**
   * One request whose whole life (connect, headers, body) fits in {@code timeoutMillis}; when it
   * does not, the request is reset so a hung peer holds no connection of ours.
   *
   * @param expect null: a plain call; otherwise over mutual TLS, and with {@code check} the call is
   *     reset unsent unless the other side presented exactly this id
   */
  Future<Answer> send(
      HttpMethod method,
      String url,
      PeerId expect,
      boolean check,
      String pathAndQuery,
      Buffer body,
      long timeoutMillis) {
    if (expect != null && secure == null) {
      return Future.failedFuture(
          new PeerCallException("unauthenticated", "this peer has no identity to call with"));
    }
    Promise<Answer> promise = Promise.promise();
    RequestOptions options =
        new RequestOptions()
            .setMethod(method)
            .setAbsoluteURI(url + pathAndQuery)
            .setConnectTimeout(timeoutMillis)
            .setIdleTimeout(timeoutMillis)
            .putHeader("accept", "application/json");
    // /health is open on every peer: the network's token goes only where it is needed.
    if (authorization != null && !pathAndQuery.equals("/health")) {
      options.putHeader("authorization", authorization);
    }
    HttpClientRequest[] current = new HttpClientRequest[1];
    PeerId[] presented = new PeerId[1];
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
    (expect == null ? client : secure)
        .request(options)
        .compose(
            req -> {
              current[0] = req;
              if (expect != null) {
                presented[0] = Tls.presented(req.connection().sslSession());
                if (!expect.equals(presented[0])) {
                  // Not sent, not even a probe: the token would go to whoever answers there.
                  req.reset();
                  return Future.failedFuture(new NotSent(mismatch(expect, presented[0])));
                }
              }
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
              int status = resp.statusCode();
              // A peer that sheds (503) or limits (429) said "later", not "wrong": the reason
              // tells a caller that waits, such as the download queue, to come back.
              boolean busy = status == 503 || status == 429;
              String reason = busy ? "busy" : "bad_response";
              long retryAfter = busy ? retryAfterMillis(resp.getHeader("retry-after")) : -1;
              return status == 200
                  ? read.future()
                  : read.future()
                      .compose(
                          b ->
                              Future.failedFuture(
                                  new PeerCallException(
                                      reason,
                                      "HTTP " + status + WireJson.errorDetail(b),
                                      retryAfter)));
            })
        .onComplete(
            ar -> {
              vertx.cancelTimer(timer);
              if (ar.succeeded()) {
                promise.tryComplete(new Answer(ar.result(), presented[0]));
              } else if (ar.cause() instanceof NotSent ns) {
                if (check) {
                  promise.tryFail(ns.mismatch);
                } else {
                  // A probe asked which id is there: it is told, with no answer of the peer's.
                  promise.tryComplete(new Answer(Buffer.buffer(), presented[0]));
                }
              } else {
                promise.tryFail(classify(ar.cause()));
              }
            });
    return promise.future();
  }

  /** The request was reset before it was sent: the other side presented another id. */
  private static final class NotSent extends RuntimeException {
    final PeerCallException mismatch;

    NotSent(PeerCallException mismatch) {
      super(mismatch.getMessage(), null, false, false);
      this.mismatch = mismatch;
    }
  }

  /** The other side of a secure link is not the peer meant: nothing was sent to it. */
  public static PeerCallException mismatch(PeerId expected, PeerId presented) {
    return new PeerCallException("identity_mismatch", Tls.mismatch(expected, presented));
  }

  /**
   * {@code Retry-After} in delta-seconds, as ms; -1 when absent or not a number (an HTTP date is
   * taken as absent: peers send seconds, and another clock's date says little here).
   */
  static long retryAfterMillis(String header) {
    if (header == null) {
      return -1;
    }
    try {
      long s = Long.parseLong(header.trim());
      return s < 0 ? -1 : Math.min(s, 86_400) * 1000;
    } catch (NumberFormatException e) {
      return -1;
    }
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
    if (secure != null) {
      secure.close();
    }
  }
}
