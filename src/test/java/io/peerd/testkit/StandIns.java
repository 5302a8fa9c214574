package io.peerd.testkit;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetServer;
import io.vertx.ext.web.Router;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Misbehaving and foreign neighbours on loopback, for the network tests. */
public final class StandIns {

  private StandIns() {}

  /**
   * Sockets bound, never listening, kept for the life of the test JVM (one per {@link
   * #closedPort()} call, a few dozen at most).
   */
  private static final List<Socket> HELD = new CopyOnWriteArrayList<>();

  /**
   * A port nobody listens on: connecting is refused at once. The port stays bound to a socket that
   * never listens, so the kernel hands it to no other bind on port 0 and to no outbound connection
   * while the JVM runs: a port closed and given back could be taken by the next peer a test starts
   * (CI once failed "Address already in use" that way). A server may still listen on it later,
   * since both sockets set SO_REUSEADDR and Vert.x servers do by default.
   */
  public static int closedPort() throws IOException {
    return closedPort("127.0.0.1");
  }

  /** {@link #closedPort()} on another loopback address, such as 127.0.0.2. */
  public static int closedPort(String host) throws IOException {
    Socket held = new Socket();
    held.setReuseAddress(true);
    held.bind(new InetSocketAddress(host, 0));
    HELD.add(held);
    return held.getLocalPort();
  }

  /** Accepts TCP connections and never answers: a hung process, as seen from outside. */
  public static Future<NetServer> hung(Vertx vertx) {
    return vertx.createNetServer().connectHandler(socket -> {}).listen(0, "127.0.0.1");
  }

  /**
   * A peer that speaks exactly the seed's wire (STACK-FACTS): {@code GET
   * /search?query=&fanout=&ttl=} answers {@code {query, ttl, fanout_used, results:[{peer, files}]}}
   * with no hops and ignores other parameters; {@code GET /files} answers {@code {peer, base,
   * files}} with 16-char checksums; {@code GET /health} is 200. Records how many searches it
   * answered.
   */
  public static Future<HttpServer> seedPeer(
      Vertx vertx, String name, String fileName, int[] searches) {
    Router r = Router.router(vertx);
    JsonObject file =
        new JsonObject()
            .put("name", fileName)
            .put("size", 12)
            .put("mtime", 1700000000)
            .put("checksum", "0123456789abcdef")
            .put("extension", ".txt")
            .put("type", "text");
    r.get("/health")
        .handler(ctx -> ctx.json(new JsonObject().put("status", "ok").put("peer", name)));
    r.get("/files")
        .handler(
            ctx ->
                ctx.json(
                    new JsonObject()
                        .put("peer", name)
                        .put("base", "http://127.0.0.1:" + ctx.request().localAddress().port())
                        .put("files", new JsonArray().add(file))));
    r.get("/search")
        .handler(
            ctx -> {
              searches[0]++;
              String q = ctx.request().getParam("query", "").toLowerCase();
              String self = "http://127.0.0.1:" + ctx.request().localAddress().port();
              JsonArray files =
                  fileName.toLowerCase().contains(q) ? new JsonArray().add(file) : new JsonArray();
              ctx.json(
                  new JsonObject()
                      .put("query", q)
                      .put("ttl", Integer.parseInt(ctx.request().getParam("ttl", "3")))
                      .put("fanout_used", 2)
                      .put(
                          "results",
                          new JsonArray()
                              .add(new JsonObject().put("peer", self).put("files", files))));
            });
    r.post("/register")
        .handler(ctx -> ctx.json(new JsonObject().put("ok", true).put("peers", new JsonArray())));
    return vertx.createHttpServer().requestHandler(r).listen(0, "127.0.0.1");
  }

  /** Hostile or broken neighbours, each answering GET /search in one bad way. */
  public enum Garbage {
    INVALID_JSON,
    HUGE_BODY,
    SLOW_ENDLESS_BODY,
    MILLION_FILES,
    MANY_FILES,
    ERROR_500
  }

  public static Future<HttpServer> garbage(Vertx vertx, Garbage mode) {
    return vertx
        .createHttpServer()
        .requestHandler(
            req -> {
              var res = req.response();
              switch (mode) {
                case INVALID_JSON ->
                    res.putHeader("content-type", "application/json").end("{\"results\": [ oops");
                case ERROR_500 -> res.setStatusCode(500).end("boom");
                case HUGE_BODY -> {
                  // 100 MiB announced, sent in 1 MiB pieces as long as the client reads.
                  res.putHeader("content-length", String.valueOf(100L << 20));
                  io.vertx.core.buffer.Buffer mib =
                      io.vertx.core.buffer.Buffer.buffer(new byte[1 << 20]);
                  long[] sent = {0};
                  Runnable[] pump = new Runnable[1];
                  pump[0] =
                      () -> {
                        while (sent[0] < (100L << 20) && !res.writeQueueFull() && !res.closed()) {
                          res.write(mib);
                          sent[0] += mib.length();
                        }
                        if (sent[0] < (100L << 20) && !res.closed()) {
                          res.drainHandler(v -> pump[0].run());
                        } else if (!res.closed()) {
                          res.end();
                        }
                      };
                  pump[0].run();
                }
                case SLOW_ENDLESS_BODY -> {
                  res.setChunked(true)
                      .putHeader("content-type", "application/json")
                      .write("{\"results\": [");
                  long timer =
                      vertx.setPeriodic(
                          50,
                          t -> {
                            if (!res.closed()) {
                              res.write(" ");
                            }
                          });
                  res.closeHandler(v -> vertx.cancelTimer(timer));
                }
                case MILLION_FILES, MANY_FILES -> {
                  int count = mode == Garbage.MILLION_FILES ? 1_000_000 : 100_000;
                  StringBuilder sb =
                      new StringBuilder(
                          "{\"results\":[{\"peer\":\"http://127.0.0.1:"
                              + req.localAddress().port()
                              + "\",\"files\":[");
                  for (int i = 0; i < count; i++) {
                    sb.append(i == 0 ? "" : ",").append("{\"name\":\"f").append(i).append("\"}");
                  }
                  res.putHeader("content-type", "application/json")
                      .end(sb.append("]}]}").toString());
                }
              }
            })
        .listen(0, "127.0.0.1");
  }
}
