package io.peerd.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.peerd.http.Exchange;
import io.peerd.testkit.Await;
import io.peerd.testkit.OnLoop;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.junit5.VertxExtension;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * What the secure port's stop waits for, on a real server and socket: a held request keeps it from
 * idle until its response ends, or until its connection closes.
 */
@ExtendWith(VertxExtension.class)
@Tag("peer")
class InFlightTest {

  @Test
  void idleOnlyOnceTheHeldRequestEndsOrItsConnectionCloses(Vertx vertx) {
    InFlight inFlight = new InFlight();
    AtomicReference<HttpServerResponse> held = new AtomicReference<>();
    Promise<Void> first = Promise.promise();
    Promise<Void> second = Promise.promise();
    HttpServer server =
        Await.await(
            vertx
                .createHttpServer()
                .requestHandler(
                    req -> {
                      inFlight.started(Exchange.of(req.response()));
                      if (req.path().equals("/answered")) {
                        held.set(req.response());
                        first.tryComplete();
                      } else {
                        second.tryComplete(); // never answered: its client goes away
                      }
                    })
                .listen(0, "127.0.0.1"));
    int port = server.actualPort();
    Await.await(OnLoop.run(vertx, inFlight::idle));

    HttpClient client = vertx.createHttpClient();
    Future<Integer> answered =
        OnLoop.run(
            vertx,
            () ->
                client
                    .request(HttpMethod.GET, port, "127.0.0.1", "/answered")
                    .compose(r -> r.send())
                    .map(r -> r.statusCode()));
    Await.await(first.future());
    Future<Void> idle =
        Await.await(OnLoop.run(vertx, () -> Future.succeededFuture(inFlight.idle())));
    assertFalse(idle.isComplete(), "a request is still running");
    vertx.runOnContext(v -> held.get().end("ok"));
    assertEquals(200, Await.await(answered));
    Await.await(idle);

    HttpClient leaving = vertx.createHttpClient();
    OnLoop.run(
        vertx,
        () -> leaving.request(HttpMethod.GET, port, "127.0.0.1", "/cut").compose(r -> r.send()));
    Await.await(second.future());
    Future<Void> again =
        Await.await(OnLoop.run(vertx, () -> Future.succeededFuture(inFlight.idle())));
    assertFalse(again.isComplete(), "the unanswered request is still running");
    Await.await(leaving.close());
    Await.await(again, Duration.ofSeconds(10));
    client.close();
  }
}
