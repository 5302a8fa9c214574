package io.peerd.remote;

import static io.peerd.testkit.Await.await;
import static io.peerd.testkit.Await.failure;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.peerd.search.PeerCallException;
import io.peerd.transfer.Source;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Where a file is, asked of a peer whose file list fails, or that does not answer in time. */
@ExtendWith(VertxExtension.class)
@Tag("peer")
class LocatorTest {

  static final String FOUND = "http://127.0.0.1:9";

  static final JsonObject ANSWER =
      new JsonObject()
          .put(
              "results",
              new JsonArray()
                  .add(
                      new JsonObject()
                          .put("peer", FOUND)
                          .put(
                              "files",
                              new JsonArray()
                                  .add(
                                      new JsonObject()
                                          .put("name", "x.bin")
                                          .put("size", 3)
                                          .put("checksum", "ab")))));

  /** A peer whose /files always fails and whose /search answers after {@code delayMs}. */
  HttpServer peer(Vertx vertx, long delayMs) {
    Router r = Router.router(vertx);
    r.get("/files")
        .handler(ctx -> ctx.response().setStatusCode(500).end("{\"error\":\"internal\"}"));
    r.get("/search").handler(ctx -> vertx.setTimer(Math.max(1, delayMs), t -> ctx.json(ANSWER)));
    return await(vertx.createHttpServer().requestHandler(r).listen(0, "127.0.0.1"));
  }

  HttpPeerClient client(Vertx vertx) {
    return new HttpPeerClient(vertx, new HttpPeerClient.Limits(1 << 20, 100, 100), null, null);
  }

  @Test
  void aFailingFileListStillLeavesTheSearch(Vertx vertx) {
    HttpServer p = peer(vertx, 0);
    Source s =
        await(
            new Locator(client(vertx), 5000).locate("http://127.0.0.1:" + p.actualPort(), "x.bin"));
    assertEquals(FOUND, s.peer());
    assertEquals(3, s.size());
  }

  @Test
  void theWholeLookupKeepsItsDeadline(Vertx vertx) {
    HttpServer p = peer(vertx, 5000);
    long start = System.nanoTime();
    Throwable t =
        failure(
            new Locator(client(vertx), 600).locate("http://127.0.0.1:" + p.actualPort(), "x.bin"));
    long ms = (System.nanoTime() - start) / 1_000_000;
    assertEquals("timeout", ((PeerCallException) t).reason(), t.getMessage());
    // One deadline for the list and the search together; the rest is room for a loaded machine.
    assertTrue(ms < 600 + 2000, "within the lookup's deadline: " + ms + " ms");
  }
}
