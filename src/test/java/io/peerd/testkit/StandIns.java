package io.peerd.testkit;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetServer;
import io.vertx.ext.web.Router;
import java.io.IOException;
import java.net.ServerSocket;

/** Misbehaving and foreign neighbours on loopback, for the network tests. */
public final class StandIns {

  private StandIns() {}

  /** A port nobody listens on: connecting is refused at once. */
  public static int closedPort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  /** Accepts TCP connections and never answers: a hung process, as seen from outside. */
  public static Future<NetServer> hung(Vertx vertx) {
    return vertx.createNetServer().connectHandler(socket -> { }).listen(0, "127.0.0.1");
  }

  /**
   * A peer that speaks exactly the seed's wire (STACK-FACTS): {@code GET /search?query=&fanout=&ttl=}
   * answers {@code {query, ttl, fanout_used, results:[{peer, files}]}} with no hops and ignores
   * other parameters; {@code GET /files} answers {@code {peer, base, files}} with 16-char checksums;
   * {@code GET /health} is 200. Records how many searches it answered.
   */
  public static Future<HttpServer> seedPeer(Vertx vertx, String name, String fileName, int[] searches) {
    Router r = Router.router(vertx);
    JsonObject file = new JsonObject().put("name", fileName).put("size", 12).put("mtime", 1700000000)
        .put("checksum", "0123456789abcdef").put("extension", ".txt").put("type", "text");
    r.get("/health").handler(ctx -> ctx.json(new JsonObject().put("status", "ok").put("peer", name)));
    r.get("/files").handler(ctx -> ctx.json(new JsonObject().put("peer", name)
        .put("base", "http://127.0.0.1:" + ctx.request().localAddress().port())
        .put("files", new JsonArray().add(file))));
    r.get("/search").handler(ctx -> {
      searches[0]++;
      String q = ctx.request().getParam("query", "").toLowerCase();
      String self = "http://127.0.0.1:" + ctx.request().localAddress().port();
      JsonArray files = fileName.toLowerCase().contains(q) ? new JsonArray().add(file) : new JsonArray();
      ctx.json(new JsonObject().put("query", q)
          .put("ttl", Integer.parseInt(ctx.request().getParam("ttl", "3")))
          .put("fanout_used", 2)
          .put("results", new JsonArray().add(new JsonObject().put("peer", self).put("files", files))));
    });
    r.post("/register").handler(ctx -> ctx.json(new JsonObject().put("ok", true).put("peers", new JsonArray())));
    return vertx.createHttpServer().requestHandler(r).listen(0, "127.0.0.1");
  }
}
