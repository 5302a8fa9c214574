package io.peerd.peers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.peerd.node.PeerVerticle;
import io.peerd.testkit.Peers;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The peer table keeps itself right under churn, and survives restarts. */
@ExtendWith(VertxExtension.class)
@Tag("network")
class PeerLifecycleTest {

  @TempDir
  Path tmp;

  static JsonObject row(JsonObject peers, String url) {
    return peers.getJsonArray("table").stream().map(JsonObject.class::cast)
        .filter(r -> r.getString("url").equals(url)).findFirst().orElse(null);
  }

  /** Polls a's /peers every 100 ms until the predicate holds; fails after timeoutMs. */
  static Future<Long> awaitPeers(Vertx vertx, WebClient http, PeerVerticle a, Predicate<JsonObject> done, long timeoutMs) {
    Promise<Long> p = Promise.promise();
    long start = System.nanoTime();
    vertx.setPeriodic(100, id -> http.get(a.restPort(), "127.0.0.1", "/peers").send().onSuccess(r -> {
      long ms = (System.nanoTime() - start) / 1_000_000;
      if (done.test(r.bodyAsJsonObject())) {
        vertx.cancelTimer(id);
        p.tryComplete(ms);
      } else if (ms > timeoutMs) {
        vertx.cancelTimer(id);
        p.tryFail("not reached in " + timeoutMs + " ms: " + r.bodyAsString());
      }
    }));
    return p.future();
  }

  @Test
  void aKilledPeerIsSkippedThenHealthyAgainAfterItsBackoff(Vertx vertx, VertxTestContext ctx) {
    WebClient http = WebClient.create(vertx);
    Path bShare = Peers.folderWith(tmp, "b", Map.of("b.txt", "b"));
    Peers.start(vertx, Peers.config("b", bShare, List.of(), null)).compose(b -> {
      int bPort = b.restPort();
      String bUrl = b.selfUrl();
      JsonObject fast = new JsonObject().put("health_check_interval", 0.5).put("peer_max_backoff", 1);
      return Peers.start(vertx, Peers.config("a", Peers.folderWith(tmp, "a", Map.of()), List.of(bUrl), fast))
          .compose(a -> vertx.undeploy(b.deploymentID())
              .compose(v -> http.get(a.restPort(), "127.0.0.1", "/search?query=b").send())
              .compose(r -> {
                ctx.verify(() -> {
                  JsonObject body = r.bodyAsJsonObject();
                  assertTrue(body.getBoolean("partial"));
                  assertEquals(bUrl, body.getJsonArray("unreachable").getJsonObject(0).getString("peer"));
                });
                return http.get(a.restPort(), "127.0.0.1", "/peers").send();
              })
              .compose(r -> {
                ctx.verify(() -> {
                  JsonObject peers = r.bodyAsJsonObject();
                  assertFalse(row(peers, bUrl).getBoolean("healthy"), "marked unhealthy at once by the search");
                  assertFalse(peers.getJsonArray("peers").contains(bUrl));
                });
                return http.get(a.restPort(), "127.0.0.1", "/search?query=b").send();
              })
              .compose(r -> {
                ctx.verify(() -> {
                  JsonObject body = r.bodyAsJsonObject();
                  assertFalse(body.getBoolean("partial"), "an unhealthy peer is skipped: " + body.encode());
                  assertEquals(1, body.getJsonArray("results").size());
                });
                // Back on the same address, without restarting a.
                return Peers.start(vertx, Peers.config("b", bShare, List.of(), new JsonObject().put("rest_port", bPort)));
              })
              .compose(b2 -> awaitPeers(vertx, http, a, p -> p.getJsonArray("peers").contains(bUrl), 5000))
              .compose(ms -> {
                ctx.verify(() -> assertTrue(ms <= 2500, "healthy within backoff (1 s) + interval (0.5 s): " + ms + " ms"));
                return http.get(a.restPort(), "127.0.0.1", "/search?query=b.txt").send();
              })
              .map(r -> {
                ctx.verify(() -> assertEquals(2, r.bodyAsJsonObject().getJsonArray("results").size(),
                    "searched again once healthy"));
                return r;
              }));
    }).onComplete(ctx.succeeding(v -> ctx.completeNow()));
  }

  @Test
  void theTableSurvivesARestart(Vertx vertx, VertxTestContext ctx) {
    WebClient http = WebClient.create(vertx);
    Path state = tmp.resolve("state-a");
    JsonObject persisted = new JsonObject().put("state_dir", state.toString());
    Path aShare = Peers.folderWith(tmp, "a", Map.of());
    Peers.start(vertx, Peers.config("c", Peers.folderWith(tmp, "c", Map.of("c.txt", "c")), List.of(), null))
        .compose(c -> Peers.start(vertx, Peers.config("a", aShare, List.of(), persisted))
            .compose(a -> http.post(a.restPort(), "127.0.0.1", "/register")
                .sendJsonObject(new JsonObject().put("url", c.selfUrl()))
                .compose(r -> vertx.undeploy(a.deploymentID())))
            .compose(v -> {
              ctx.verify(() -> {
                assertTrue(Files.readString(state.resolve("peers.json")).contains(c.selfUrl()), "saved on stop");
                assertFalse(Files.exists(state.resolve("peers.json.tmp")), "written through a temp file, renamed");
              });
              // Restarted without any friend: it finds c from its saved table.
              return Peers.start(vertx, Peers.config("a", aShare, List.of(), persisted));
            })
            .compose(a2 -> awaitPeers(vertx, http, a2, p -> p.getJsonArray("peers").contains(c.selfUrl()), 5000)
                .compose(ms -> http.get(a2.restPort(), "127.0.0.1", "/search?query=c.txt").send()))
            .map(r -> {
              ctx.verify(() -> assertEquals(2, r.bodyAsJsonObject().getJsonArray("results").size()));
              return r;
            }))
        .onComplete(ctx.succeeding(v -> ctx.completeNow()));
  }

  @Test
  void aCorruptStateFileIsReportedAndIgnored(Vertx vertx, VertxTestContext ctx) throws Exception {
    WebClient http = WebClient.create(vertx);
    Path state = Files.createDirectories(tmp.resolve("state-x"));
    Files.writeString(state.resolve("peers.json"), "{\"format\":1,\"peers\":[{\"url\":");
    Peers.start(vertx, Peers.config("x", Peers.folderWith(tmp, "x", Map.of()), List.of(),
            new JsonObject().put("state_dir", state.toString())))
        .compose(x -> http.get(x.restPort(), "127.0.0.1", "/status").send())
        .onComplete(ctx.succeeding(r -> ctx.verify(() -> {
          JsonObject status = r.bodyAsJsonObject();
          String problem = status.getJsonObject("problems").getString("state");
          assertTrue(problem != null && problem.contains("peers.json") && problem.contains("ignored"), status.encode());
          assertEquals(new JsonArray().add(status.getString("url")), status.getJsonArray("all_peers"));
          ctx.completeNow();
        })));
  }

  @Test
  void peerExchangeLearnsNeighboursOfNeighbours(Vertx vertx, VertxTestContext ctx) {
    WebClient http = WebClient.create(vertx);
    JsonObject fast = new JsonObject().put("health_check_interval", 0.3);
    Peers.start(vertx, Peers.config("c", Peers.folderWith(tmp, "c", Map.of()), List.of(), fast))
        .compose(c -> Peers.start(vertx, Peers.config("b", Peers.folderWith(tmp, "b", Map.of()), List.of(c.selfUrl()), fast))
            .compose(b -> Peers.start(vertx, Peers.config("a", Peers.folderWith(tmp, "a", Map.of()), List.of(b.selfUrl()), fast)))
            .compose(a -> awaitPeers(vertx, http, a, p -> p.getJsonArray("peers").contains(c.selfUrl()), 5000)))
        .onComplete(ctx.succeeding(ms -> ctx.completeNow()));
  }
}
