package io.peerd.http;

import static io.peerd.testkit.Await.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.peerd.testkit.Await;
import io.peerd.testkit.OnLoop;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;
import io.vertx.junit5.VertxExtension;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Every action registered runs once, however the exchange ends: answered, said over by its handler,
 * or its client gone; a handler that sets nothing on the response does not unhook the others.
 */
@ExtendWith(VertxExtension.class)
@Tag("peer")
class ExchangeTest {

  @Test
  void eachActionRunsOnceWhicheverWayTheExchangeEnds(Vertx vertx) {
    List<String> ran = new CopyOnWriteArrayList<>();
    Promise<Void> held = Promise.promise();
    Router router = Router.router(vertx);
    router
        .get("/answered")
        .handler(
            ctx -> {
              Exchange.onEnd(ctx, () -> ran.add("answered:first"));
              ctx.addEndHandler(ar -> ran.add("answered:vertx-web")); // vertx-web's list, kept
              Exchange.onEnd(ctx, () -> ran.add("answered:second"));
              ctx.response().end("ok");
            });
    router
        .get("/over")
        .handler(
            ctx -> {
              Exchange.onEnd(ctx, () -> ran.add("over:before"));
              Exchange.over(ctx);
              Exchange.onEnd(ctx, () -> ran.add("over:after")); // already over: at once
              Exchange.over(ctx);
              ctx.response().end("ok");
            });
    router
        .get("/left")
        .handler(
            ctx -> {
              Exchange.onEnd(ctx, () -> ran.add("left"));
              held.complete(); // never answered: its client goes away
            });
    HttpServer server =
        await(vertx.createHttpServer().requestHandler(router).listen(0, "127.0.0.1"));
    int port = server.actualPort();
    HttpClient client = vertx.createHttpClient();

    assertEquals(200, await(get(vertx, client, port, "/answered")));
    assertEquals(200, await(get(vertx, client, port, "/over")));
    HttpClient leaving = vertx.createHttpClient();
    OnLoop.run(vertx, () -> leaving.request(HttpMethod.GET, port, "127.0.0.1", "/left"))
        .compose(req -> req.send());
    await(held.future());
    await(leaving.close());
    Await.until("the left exchange is over", Duration.ofSeconds(10), () -> ran.contains("left"));

    // vertx-web runs its list last registered first; the exchange keeps its own order.
    assertEquals(
        List.of(
            "answered:vertx-web",
            "answered:first",
            "answered:second",
            "over:before",
            "over:after",
            "left"),
        List.copyOf(ran));
    client.close();
    server.close();
  }

  static io.vertx.core.Future<Integer> get(Vertx vertx, HttpClient client, int port, String path) {
    return OnLoop.run(
        vertx,
        () ->
            client
                .request(HttpMethod.GET, port, "127.0.0.1", path)
                .compose(req -> req.send())
                .compose(r -> r.body().map(b -> r.statusCode())));
  }
}
