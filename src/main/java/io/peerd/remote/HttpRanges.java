package io.peerd.remote;

import io.peerd.identity.PeerId;
import io.peerd.identity.Tls;
import io.peerd.index.Merkle;
import io.peerd.peers.Link;
import io.peerd.transfer.FileTransfers;
import io.peerd.transfer.TransferFailure;
import io.peerd.transfer.TransferFailure.Reason;
import io.peerd.transfer.WebSeeds;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.core.streams.WriteStream;

/**
 * Byte ranges of a file over plain HTTP ({@code Range: bytes=a-b}, answered 206 with the same
 * {@code Content-Range}): the web seeds of a swarm download, and the bytes of peers that serve
 * {@code /content/{root}}. 5 s to connect; a range on which nothing moves is cut by the swarm
 * through {@code stop}. The network's token goes to peers only (have-maps, content), never to a web
 * seed, which may be any server.
 */
public final class HttpRanges implements WebSeeds, AutoCloseable {

  static final int CONNECT_TIMEOUT_MS = 5000;
  static final int IDLE_TIMEOUT_MS = 30_000;

  private final HttpClient client;
  private final String authorization;
  private final HttpClient secure;
  private final java.util.function.Function<String, Link> links;

  /** A client that sends no token and trusts the JVM's certificates: the command line's. */
  public HttpRanges(Vertx vertx) {
    this(vertx, null, null);
  }

  /**
   * @param token the network's api_token, sent to peers; null for none
   * @param trustPem certificates to trust for https peers (PEM), null for the JVM's own
   */
  public HttpRanges(Vertx vertx, String token, String trustPem) {
    this(vertx, token, trustPem, null, Link::plain);
  }

  /**
   * @param identity presented to peers reached over their secure port; null: all plain
   * @param links how each peer must be reached (the peer table's): a peer whose identity was
   *     refused is not asked for a byte, and one with a secure URL is asked there, its id checked
   */
  public HttpRanges(
      Vertx vertx,
      String token,
      String trustPem,
      io.peerd.identity.Identity identity,
      java.util.function.Function<String, Link> links) {
    this.links = links;
    this.authorization = token == null ? null : "Bearer " + token;
    HttpClientOptions options =
        new HttpClientOptions().setKeepAlive(true).setConnectTimeout(CONNECT_TIMEOUT_MS);
    if (trustPem != null) {
      options.setTrustOptions(new PemTrustOptions().addCertPath(trustPem));
    }
    // Per host: a swarm asks a source for at most a few ranges at once.
    PoolOptions pool = new PoolOptions().setHttp1MaxSize(8).setMaxWaitQueueSize(64);
    client = vertx.createHttpClient(options, pool);
    secure =
        identity == null
            ? null
            : vertx.createHttpClient(
                HttpPeerClient.secureOptions(identity)
                    .setKeepAlive(true)
                    .setConnectTimeout(CONNECT_TIMEOUT_MS),
                pool);
  }

  /** Which client, which request, and the id the other side must present (or null). */
  private record Route(HttpClient client, RequestOptions request, PeerId expect) {}

  /** A peer's path, the way the table says it must be reached; a refused peer fails here. */
  private Future<Route> toPeer(String baseUrl, String path) {
    Link link = links.apply(baseUrl);
    if (link.refused() != null) {
      return Future.failedFuture(
          new TransferFailure(Reason.REFUSED, "IDENTITY_REFUSED", link.refused()));
    }
    if (link.expect() != null && secure == null) {
      return Future.failedFuture(
          new TransferFailure(Reason.REFUSED, "IDENTITY_REFUSED", "no identity to call it with"));
    }
    RequestOptions o =
        new RequestOptions().setMethod(HttpMethod.GET).setAbsoluteURI(link.url() + path);
    if (authorization != null) {
      o.putHeader("Authorization", authorization);
    }
    return Future.succeededFuture(
        new Route(link.expect() == null ? client : secure, o, link.expect()));
  }

  /** A web seed: its URL as given, plain, no token. */
  private Future<Route> toSeed(String url) {
    return Future.succeededFuture(
        new Route(
            client, new RequestOptions().setMethod(HttpMethod.GET).setAbsoluteURI(url), null));
  }

  /** Opens the request; over a secure link, reset unsent unless the other side presented the id. */
  private static Future<HttpClientRequest> open(Route route) {
    return route
        .client()
        .request(route.request())
        .compose(
            req -> {
              if (route.expect() != null) {
                PeerId presented = Tls.presented(req.connection().sslSession());
                if (!route.expect().equals(presented)) {
                  req.reset();
                  return Future.failedFuture(
                      new TransferFailure(
                          Reason.REFUSED,
                          "IDENTITY_MISMATCH",
                          Tls.mismatch(route.expect(), presented)));
                }
              }
              return Future.succeededFuture(req);
            });
  }

  /** A have-map is a few hundred bytes at most; anything much larger is no answer of ours. */
  static final int MAX_HAVE_BODY = 64 * 1024;

  @Override
  public Future<java.util.BitSet> have(String baseUrl, String root, int pieceSize) {
    return json(toPeer(baseUrl, "/content/" + root + "/have"), MAX_HAVE_BODY, "have-map")
        .compose(
            j -> {
              try {
                if (j.getInteger("piece_size") != pieceSize) {
                  throw new IllegalArgumentException("another piece size");
                }
                return Future.succeededFuture(
                    java.util.BitSet.valueOf(
                        java.util.Base64.getDecoder().decode(j.getString("have"))));
              } catch (RuntimeException bad) {
                return Future.failedFuture(
                    new TransferFailure(
                        Reason.CORRUPT, "BAD_ANSWER", "have-map: " + bad.getMessage()));
              }
            });
  }

  /**
   * A layer of the default piece size is at most 4096 hashes of 64 hex characters: about 280 KB of
   * JSON, parsed on the event loop.
   */
  static final int MAX_LAYER_BODY = 1 << 20;

  @Override
  public Future<FileTransfers.Layer> pieces(String baseUrl, String root, int pieceSize) {
    return json(
            toPeer(baseUrl, "/content/" + root + "/pieces?piece_size=" + pieceSize),
            MAX_LAYER_BODY,
            "piece layer")
        .compose(
            j -> {
              try {
                io.vertx.core.json.JsonArray hex = j.getJsonArray("pieces");
                byte[] hashes = new byte[hex.size() * 32];
                for (int i = 0; i < hex.size(); i++) {
                  byte[] h = java.util.HexFormat.of().parseHex(hex.getString(i));
                  if (h.length != 32) {
                    throw new IllegalArgumentException("a piece hash of " + h.length + " bytes");
                  }
                  System.arraycopy(h, 0, hashes, i * 32, 32);
                }
                int size = j.getInteger("piece_size");
                if (size <= 0) {
                  throw new IllegalArgumentException("piece size " + size);
                }
                return Future.succeededFuture(
                    new FileTransfers.Layer(j.getLong("size"), new Merkle.Layer(size, hashes)));
              } catch (RuntimeException bad) {
                return Future.failedFuture(
                    new TransferFailure(
                        Reason.CORRUPT, "BAD_ANSWER", "piece layer: " + bad.getMessage()));
              }
            });
  }

  /**
   * A peer's small JSON answer to a GET, with the token; larger than {@code maxBody}, or not 200,
   * or not JSON, a failure that names {@code what} was asked.
   */
  private Future<io.vertx.core.json.JsonObject> json(
      Future<Route> route, int maxBody, String what) {
    return route
        .compose(
            r ->
                open(
                    new Route(r.client(), r.request().setIdleTimeout(IDLE_TIMEOUT_MS), r.expect())))
        .compose(req -> req.send())
        .compose(
            resp -> {
              String length = resp.getHeader("Content-Length");
              boolean tooLong =
                  length != null && !length.matches("\\d{1,18}")
                      || length != null && Long.parseLong(length) > maxBody;
              if (tooLong) {
                return discard(resp)
                    .transform(
                        x ->
                            Future.failedFuture(
                                new TransferFailure(
                                    Reason.CORRUPT,
                                    "BAD_ANSWER",
                                    "a " + what + " of " + length + " bytes")));
              }
              if (resp.statusCode() != 200) {
                return discard(resp)
                    .transform(x -> Future.failedFuture(refusal(resp, "no " + what + " from it")));
              }
              return resp.body();
            })
        .compose(
            body -> {
              try {
                if (body.length() > maxBody) {
                  throw new IllegalArgumentException(body.length() + " bytes");
                }
                return Future.succeededFuture(body.toJsonObject());
              } catch (RuntimeException bad) {
                return Future.failedFuture(
                    new TransferFailure(
                        Reason.CORRUPT, "BAD_ANSWER", what + ": " + bad.getMessage()));
              }
            });
  }

  @Override
  public Future<Long> range(
      String url, long offset, long length, WriteStream<Buffer> into, Future<Void> stop) {
    return fetch(toSeed(url), offset, length, into, stop);
  }

  @Override
  public Future<Long> content(
      String baseUrl,
      String root,
      long offset,
      long length,
      WriteStream<Buffer> into,
      Future<Void> stop) {
    return fetch(toPeer(baseUrl, "/content/" + root), offset, length, into, stop);
  }

  private Future<Long> fetch(
      Future<Route> route, long offset, long length, WriteStream<Buffer> into, Future<Void> stop) {
    Promise<Long> done = Promise.promise();
    HttpClientRequest[] current = new HttpClientRequest[1];
    stop.onComplete(
        v -> {
          if (done.tryFail(
                  new TransferFailure(Reason.UNREACHABLE, "CANCELLED", "cut by the download"))
              && current[0] != null) {
            current[0].reset();
          }
        });
    String range = "bytes=" + offset + "-" + (offset + length - 1);
    route
        .compose(
            r -> open(new Route(r.client(), r.request().putHeader("Range", range), r.expect())))
        .compose(
            req -> {
              current[0] = req;
              if (done.future().isComplete()) {
                req.reset(); // cut while it waited for a connection: never sent
                return Future.failedFuture("cut before it was sent");
              }
              // Nothing at all for this long ends the request here too, whoever the caller is.
              req.idleTimeout(IDLE_TIMEOUT_MS);
              return req.send();
            })
        .onFailure(
            err ->
                done.tryFail(
                    err instanceof TransferFailure tf
                        ? tf
                        : new TransferFailure(Reason.UNREACHABLE, "UNAVAILABLE", err.getMessage())))
        .onSuccess(
            resp -> {
              String answered = resp.getHeader("Content-Range");
              if (resp.statusCode() != 206
                  || answered == null
                  || !answered.startsWith(range.replace("=", " ") + "/")) {
                TransferFailure refused =
                    refusal(
                        resp,
                        "asked "
                            + range
                            + ", answered "
                            + (answered == null ? "no Content-Range" : answered));
                discard(resp).onComplete(x -> done.tryFail(refused));
                return;
              }
              long[] got = {0};
              resp.handler(
                  data -> {
                    if (done.future().isComplete()) {
                      return;
                    }
                    got[0] += data.length();
                    into.write(data)
                        .onFailure(
                            err -> {
                              if (done.tryFail(err)) {
                                resp.request().reset();
                              }
                            });
                    if (into.writeQueueFull()) {
                      resp.pause();
                      into.drainHandler(x -> resp.resume());
                    }
                  });
              resp.exceptionHandler(
                  err ->
                      done.tryFail(
                          new TransferFailure(
                              Reason.UNREACHABLE, "UNAVAILABLE", err.getMessage())));
              resp.endHandler(x -> done.tryComplete(got[0]));
            });
    return done.future();
  }

  /**
   * A refusal's body is read and dropped when it is small, so that its connection stays open: a
   * source that sheds load answers 503 to many of a download's requests, and over its secure port
   * each reset (which closes an HTTP/1.1 connection) cost the next request a TLS handshake, on both
   * sides, while it was already short of time (about 100 handshakes a 512 MiB download).
   */
  static final int MAX_DISCARDED_BODY = 16 * 1024;

  /**
   * Completes once the connection is free for the next request: the body read, or the request
   * reset. The caller fails after it, so that a retry made at once finds the connection idle.
   */
  private static Future<Void> discard(HttpClientResponse resp) {
    String length = resp.getHeader("Content-Length");
    // body() may be asked at any time (a handler may not, once the answer ended); it also takes any
    // failure after a reset, which is no news: the caller is given one anyway.
    Future<Void> read = resp.body().mapEmpty();
    if (length == null
        || !length.matches("\\d{1,9}")
        || Integer.parseInt(length) > MAX_DISCARDED_BODY) {
      resp.request().reset();
      return Future.succeededFuture();
    }
    return read.otherwiseEmpty();
  }

  /**
   * A status other than the one asked for, as data: 404 is no such content; 503 and 429 are a
   * source that is busy now (it sheds load, or holds to a rate), not a failing one, with how long
   * it asked to be left alone; anything else is a refusal.
   */
  static TransferFailure refusal(HttpClientResponse resp, String what) {
    int status = resp.statusCode();
    String code = "HTTP_" + status;
    if (status == 503 || status == 429) {
      return new TransferFailure(
          Reason.LIMITED,
          code,
          "busy: " + what,
          Math.max(0, HttpPeerClient.retryAfterMillis(resp.getHeader("Retry-After"))));
    }
    return new TransferFailure(status == 404 ? Reason.NOT_FOUND : Reason.REFUSED, code, what);
  }

  @Override
  public void close() {
    client.close();
    if (secure != null) {
      secure.close();
    }
  }
}
