package io.peerd.api;

import static io.peerd.testkit.Await.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.peerd.metrics.Metrics;
import io.peerd.testkit.Http;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The error answers every route shares, on a real server: a 503 always says when to come back. */
@ExtendWith(VertxExtension.class)
@Tag("peer")
class ErrorsTest {

  @Test
  void every503SaysWhenToComeBackAndARouteThatKnowsBetterIsNotOverruled(Vertx vertx) {
    Router r = Router.router(vertx);
    r.get("/full")
        .handler(
            ctx -> {
              throw new BadRequest(503, "full", "the queue is full");
            });
    r.get("/busy")
        .handler(
            ctx -> {
              ctx.response().putHeader("Retry-After", "5");
              throw new BadRequest(503, "busy", "busy for a while");
            });
    r.get("/bad")
        .handler(
            ctx -> {
              throw new BadRequest("bad_request", "no");
            });
    Errors.install(r, new Metrics(Metrics.newRegistry(), "errors"));
    HttpServer server = await(vertx.createHttpServer().requestHandler(r).listen(0, "127.0.0.1"));
    Http http = new Http(vertx);
    int port = server.actualPort();

    Http.Reply full = http.get(port, "/full");
    assertEquals(503, full.status());
    assertEquals("full", full.error());
    assertEquals("1", full.header("Retry-After"));
    Http.Reply busy = http.get(port, "/busy");
    assertEquals(503, busy.status());
    assertEquals("5", busy.header("Retry-After"));
    Http.Reply bad = http.get(port, "/bad");
    assertEquals(400, bad.status());
    assertEquals(null, bad.header("Retry-After"), "only a 503 says when to come back");
  }
}
