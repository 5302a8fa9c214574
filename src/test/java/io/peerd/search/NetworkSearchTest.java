package io.peerd.search;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.peerd.node.PeerVerticle;
import io.peerd.testkit.Peers;
import io.peerd.testkit.StandIns;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Several real peers in one JVM, on real loopback sockets, searching each other. */
@ExtendWith(VertxExtension.class)
@Tag("network")
class NetworkSearchTest {

  @TempDir
  Path tmp;

  static Map<String, String> reasons(JsonObject answer) {
    Map<String, String> out = new HashMap<>();
    for (Object o : answer.getJsonArray("unreachable")) {
      JsonObject u = (JsonObject) o;
      out.put(u.getString("peer"), u.getString("reason"));
    }
    return out;
  }

  static Map<String, JsonArray> filesByPeer(JsonObject answer) {
    Map<String, JsonArray> out = new HashMap<>();
    for (Object o : answer.getJsonArray("results")) {
      JsonObject r = (JsonObject) o;
      assertFalse(out.containsKey(r.getString("peer")), "each peer appears once: " + r.getString("peer"));
      out.put(r.getString("peer"), r.getJsonArray("files"));
    }
    return out;
  }

  @Test
  void threePeersWithOneDeadAndOneHungFriendAnswerWithinTheFriendTimeout(Vertx vertx, VertxTestContext ctx)
      throws Exception {
    int dead = StandIns.closedPort();
    String deadUrl = "http://127.0.0.1:" + dead;
    WebClient http = WebClient.create(vertx);
    long friendTimeout = 800;
    StandIns.hung(vertx).compose(hung -> {
      String hungUrl = "http://127.0.0.1:" + hung.actualPort();
      return Future.all(
              Peers.start(vertx, Peers.config("b", Peers.folderWith(tmp, "b", Map.of("shared-b.txt", "b")), List.of(), null)),
              Peers.start(vertx, Peers.config("c", Peers.folderWith(tmp, "c", Map.of("shared-c.txt", "c", "other.bin", "o")), List.of(), null)))
          .compose(bc -> {
            PeerVerticle b = bc.resultAt(0);
            PeerVerticle c = bc.resultAt(1);
            JsonObject extra = new JsonObject().put("friend_timeout_ms", friendTimeout).put("max_fanout", 4);
            return Peers.start(vertx, Peers.config("a", Peers.folderWith(tmp, "a", Map.of("shared-a.txt", "a")),
                    List.of(b.selfUrl(), c.selfUrl(), deadUrl, hungUrl), extra))
                .compose(a -> {
                  long start = System.nanoTime();
                  return http.get(a.restPort(), "127.0.0.1", "/search?query=SHARED&fanout=4&ttl=1").send()
                      .map(r -> {
                        long ms = (System.nanoTime() - start) / 1_000_000;
                        ctx.verify(() -> {
                          assertEquals(200, r.statusCode());
                          JsonObject body = r.bodyAsJsonObject();
                          assertTrue(ms >= friendTimeout - 50 && ms < friendTimeout + 700,
                              "the hung friend costs its timeout, no more: " + ms + " ms");
                          Map<String, JsonArray> files = filesByPeer(body);
                          assertEquals(3, files.size(), files.keySet().toString());
                          assertEquals("shared-a.txt", files.get(a.selfUrl()).getJsonObject(0).getString("name"));
                          assertEquals("shared-b.txt", files.get(b.selfUrl()).getJsonObject(0).getString("name"));
                          assertEquals(1, files.get(c.selfUrl()).size(), "only matches: " + files.get(c.selfUrl()));
                          assertTrue(body.getBoolean("partial"));
                          Map<String, String> why = reasons(body);
                          assertTrue(why.get(deadUrl).startsWith("refused"), why.toString());
                          assertTrue(why.get(hungUrl).startsWith("timeout"), why.toString());
                          assertEquals(3, body.getInteger("peers_answered"));
                        });
                        return a;
                      });
                })
                .compose(a -> {
                  // The failures were recorded: the next search skips both and is fast.
                  long start = System.nanoTime();
                  return http.get(a.restPort(), "127.0.0.1", "/search?query=shared&fanout=4&ttl=1").send()
                      .map(r -> {
                        long ms = (System.nanoTime() - start) / 1_000_000;
                        ctx.verify(() -> {
                          JsonObject body = r.bodyAsJsonObject();
                          assertFalse(body.getBoolean("partial"), body.encode());
                          assertTrue(ms < friendTimeout, "unhealthy peers are skipped: " + ms + " ms");
                        });
                        return r;
                      });
                });
          });
    }).onComplete(ctx.succeeding(r -> ctx.completeNow()));
  }

  @Test
  void aDeadFriendAloneCostsMilliseconds(Vertx vertx, VertxTestContext ctx) throws Exception {
    String deadUrl = "http://127.0.0.1:" + StandIns.closedPort();
    WebClient http = WebClient.create(vertx);
    Peers.start(vertx, Peers.config("a", Peers.folderWith(tmp, "a", Map.of("x.txt", "x")), List.of(deadUrl),
            new JsonObject().put("friend_timeout_ms", 5000)))
        .compose(a -> {
          long start = System.nanoTime();
          return http.get(a.restPort(), "127.0.0.1", "/search?query=x").send().map(r -> {
            long ms = (System.nanoTime() - start) / 1_000_000;
            ctx.verify(() -> {
              assertTrue(ms < 1000, "refused connections fail fast: " + ms);
              assertTrue(reasons(r.bodyAsJsonObject()).get(deadUrl).startsWith("refused"));
            });
            return r;
          });
        })
        .onComplete(ctx.succeeding(r -> ctx.completeNow()));
  }

  @Test
  void seedPeersAreNeighboursBothWays(Vertx vertx, VertxTestContext ctx) throws Exception {
    WebClient http = WebClient.create(vertx);
    int[] seedSearches = {0};
    StandIns.seedPeer(vertx, "seed", "from-seed.txt", seedSearches)
        .compose(seed -> {
          String seedUrl = "http://127.0.0.1:" + seed.actualPort();
          return Peers.start(vertx, Peers.config("ours", Peers.folderWith(tmp, "ours", Map.of("from-ours.txt", "o")),
                  List.of(seedUrl), null))
              .compose(ours -> http.get(ours.restPort(), "127.0.0.1", "/search?query=from&ttl=2").send()
                  .map(r -> {
                    ctx.verify(() -> {
                      Map<String, JsonArray> files = filesByPeer(r.bodyAsJsonObject());
                      assertEquals("from-seed.txt", files.get(seedUrl).getJsonObject(0).getString("name"),
                          "a seed peer's answer is merged");
                      assertEquals(1, seedSearches[0]);
                      assertEquals(1, ((JsonObject) r.bodyAsJsonObject().getJsonArray("results").stream()
                          .filter(o -> ((JsonObject) o).getString("peer").equals(seedUrl)).findFirst().get())
                          .getInteger("hops"));
                    });
                    return ours;
                  }))
              // The other direction: a seed peer searching us calls GET /files and reads base and files[].name.
              .compose(ours -> http.get(ours.restPort(), "127.0.0.1", "/files?ttl=2").send().map(r -> {
                ctx.verify(() -> {
                  JsonObject body = r.bodyAsJsonObject();
                  assertEquals(ours.selfUrl(), body.getString("base"));
                  assertEquals("from-ours.txt", body.getJsonArray("files").getJsonObject(0).getString("name"));
                });
                return r;
              }));
        })
        .onComplete(ctx.succeeding(r -> ctx.completeNow()));
  }

  @Test
  void bootstrapRegistersWithEveryFriendAndReportsFailures(Vertx vertx, VertxTestContext ctx) throws Exception {
    WebClient http = WebClient.create(vertx);
    String deadUrl = "http://127.0.0.1:" + StandIns.closedPort();
    Peers.start(vertx, Peers.config("b", Peers.folderWith(tmp, "b", Map.of()), List.of(), null))
        .compose(b -> Peers.start(vertx, Peers.config("a", Peers.folderWith(tmp, "a", Map.of()),
                List.of(b.selfUrl(), deadUrl), null))
            .compose(a -> http.post(a.restPort(), "127.0.0.1", "/bootstrap").send()
                .compose(r -> {
                  ctx.verify(() -> {
                    JsonObject body = r.bodyAsJsonObject();
                    assertEquals(new JsonArray().add(b.selfUrl()), body.getJsonArray("registered"));
                    assertEquals(new JsonArray().add(deadUrl), body.getJsonArray("failed"));
                    assertTrue(body.getJsonArray("failures").getJsonObject(0).getString("reason").startsWith("refused"));
                  });
                  return http.get(b.restPort(), "127.0.0.1", "/peers").send();
                })
                .map(r -> {
                  ctx.verify(() -> assertTrue(r.bodyAsJsonObject().getJsonArray("all_peers").contains(a.selfUrl()),
                      "the friend now knows us"));
                  return r;
                })))
        .onComplete(ctx.succeeding(r -> ctx.completeNow()));
  }
}
