package io.peerd.search;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.peerd.node.PeerVerticle;
import io.peerd.testkit.Peers;
import io.peerd.testkit.StandIns;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Flooding over exact topologies of real peers: reach by ttl, one answer per peer, and one
 * processing per peer (duplicate suppression), read from the peers' own /status counters.
 * Peer exchange is off so that the topology stays the one built here.
 */
@ExtendWith(VertxExtension.class)
@Tag("network")
class TopologySearchTest {

  @TempDir
  Path tmp;

  static final JsonObject EXACT = new JsonObject().put("peer_exchange", false).put("max_fanout", 5)
      .put("search_ttl", 8);

  Future<List<PeerVerticle>> startPeers(Vertx vertx, int n, Map<Integer, String> fileAt) {
    List<Future<PeerVerticle>> all = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      Map<String, String> files = fileAt.containsKey(i) ? Map.of(fileAt.get(i), "x") : Map.of("p" + i + "-own.txt", "x");
      all.add(Peers.start(vertx, Peers.config("p" + i, Peers.folderWith(tmp, "p" + i, files), List.of(), EXACT)));
    }
    return Future.all(all).map(cf -> cf.<PeerVerticle>list());
  }

  static Future<Void> linkAll(WebClient http, List<PeerVerticle> p, int[][] edges) {
    List<Future<Void>> links = new ArrayList<>();
    for (int[] e : edges) {
      links.add(Peers.link(http, p.get(e[0]), p.get(e[1])));
    }
    return Future.all(links).mapEmpty();
  }

  static Map<String, Integer> hopsByPeer(JsonObject answer) {
    Map<String, Integer> out = new HashMap<>();
    for (Object o : answer.getJsonArray("results")) {
      JsonObject r = (JsonObject) o;
      assertFalse(out.containsKey(r.getString("peer")), "each peer once: " + answer.encode());
      out.put(r.getString("peer"), r.getInteger("hops"));
    }
    return out;
  }

  @Test
  void lineOfFiveTtlDecidesTheReach(Vertx vertx, VertxTestContext ctx) {
    WebClient http = WebClient.create(vertx);
    startPeers(vertx, 5, Map.of(4, "far-away.txt"))
        .compose(p -> linkAll(http, p, new int[][] {{0, 1}, {1, 2}, {2, 3}, {3, 4}}).map(p))
        .compose(p -> http.get(p.get(0).restPort(), "127.0.0.1", "/search?query=far-away&ttl=4").send()
            .compose(r4 -> {
              ctx.verify(() -> {
                JsonObject a = r4.bodyAsJsonObject();
                Map<String, Integer> hops = hopsByPeer(a);
                assertEquals(5, hops.size(), a.encode());
                for (int i = 0; i < 5; i++) {
                  assertEquals(i, hops.get(p.get(i).selfUrl()), "hop distance of p" + i);
                }
                JsonObject last = a.getJsonArray("results").stream().map(JsonObject.class::cast)
                    .filter(r -> r.getString("peer").equals(p.get(4).selfUrl())).findFirst().orElseThrow();
                assertEquals("far-away.txt", last.getJsonArray("files").getJsonObject(0).getString("name"));
                assertFalse(a.getBoolean("partial"));
              });
              return http.get(p.get(0).restPort(), "127.0.0.1", "/search?query=far-away&ttl=2").send();
            })
            .map(r2 -> {
              ctx.verify(() -> {
                Map<String, Integer> hops = hopsByPeer(r2.bodyAsJsonObject());
                assertEquals(Map.of(p.get(0).selfUrl(), 0, p.get(1).selfUrl(), 1, p.get(2).selfUrl(), 2), hops,
                    "ttl=2 does not reach past 2 hops");
              });
              return p;
            }))
        .compose(p -> Peers.stat(http, p.get(4), "searches_processed").map(n -> {
          ctx.verify(() -> assertEquals(1, n, "p4 saw only the ttl=4 query"));
          return n;
        }))
        .onComplete(ctx.succeeding(v -> ctx.completeNow()));
  }

  @Test
  void ringOfSixEachPeerAnswersOnceAndProcessesOnce(Vertx vertx, VertxTestContext ctx) {
    int[][] ring = {{0, 1}, {1, 2}, {2, 3}, {3, 4}, {4, 5}, {5, 0}};
    // p0 -> p1, p5 -> p2, p4 -> p3 twice: exactly one copy is dropped, at p3.
    everyPeerOnce(vertx, ctx, ring, "ttl=3&fanout=2", 1);
  }

  @Test
  void fullMeshOfSixEachPeerAnswersOnceAndProcessesOnce(Vertx vertx, VertxTestContext ctx) {
    List<int[]> mesh = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      for (int j = i + 1; j < 6; j++) {
        mesh.add(new int[] {i, j});
      }
    }
    // p0 sends to all five and tells each who else got it: nobody forwards, nothing is dropped.
    everyPeerOnce(vertx, ctx, mesh.toArray(int[][]::new), "ttl=2&fanout=5", 0);
  }

  private void everyPeerOnce(Vertx vertx, VertxTestContext ctx, int[][] edges, String params, long expectedDuplicates) {
    WebClient http = WebClient.create(vertx);
    startPeers(vertx, 6, Map.of())
        .compose(p -> linkAll(http, p, edges).map(p))
        .compose(p -> http.get(p.get(0).restPort(), "127.0.0.1", "/search?query=own&" + params).send()
            .compose(r -> {
              ctx.verify(() -> {
                JsonObject a = r.bodyAsJsonObject();
                Map<String, Integer> hops = hopsByPeer(a);
                assertEquals(6, hops.size(), a.encode());
                assertEquals(6, a.getInteger("peers_answered"));
                assertFalse(a.getBoolean("partial"), a.encode());
              });
              List<Future<Long>> processed = new ArrayList<>();
              List<Future<Long>> dropped = new ArrayList<>();
              List<Future<Long>> forwarded = new ArrayList<>();
              for (PeerVerticle peer : p) {
                processed.add(Peers.stat(http, peer, "searches_processed"));
                dropped.add(Peers.stat(http, peer, "duplicates_dropped"));
                forwarded.add(Peers.stat(http, peer, "queries_forwarded"));
              }
              return Future.all(Future.all(processed), Future.all(dropped), Future.all(forwarded)).map(all -> {
                ctx.verify(() -> {
                  for (Future<Long> f : processed) {
                    assertEquals(1, f.result(), "every peer processed the query exactly once");
                  }
                  long duplicates = dropped.stream().mapToLong(Future::result).sum();
                  long sent = forwarded.stream().mapToLong(Future::result).sum();
                  assertEquals(sent, 5 + duplicates, "every message sent was processed once or dropped");
                  assertEquals(expectedDuplicates, duplicates, "duplicates dropped in the network");
                });
                return all;
              });
            }))
        .onComplete(ctx.succeeding(v -> ctx.completeNow()));
  }

  @Test
  void theDeadlineHoldsHoweverDeepTheHangIs(Vertx vertx, VertxTestContext ctx) {
    WebClient http = WebClient.create(vertx);
    // Long per-friend timeouts: only the propagated deadline can make the origin answer in time.
    JsonObject slowFriends = EXACT.copy().put("friend_timeout_ms", 10_000);
    StandIns.hung(vertx).compose(hung -> {
      String hungUrl = "http://127.0.0.1:" + hung.actualPort();
      return Peers.start(vertx, Peers.config("p3", Peers.folderWith(tmp, "p3", Map.of("x3.txt", "x")), List.of(hungUrl), slowFriends))
          .compose(p3 -> Peers.start(vertx, Peers.config("p2", Peers.folderWith(tmp, "p2", Map.of("x2.txt", "x")), List.of(p3.selfUrl()), slowFriends)))
          .compose(p2 -> Peers.start(vertx, Peers.config("p1", Peers.folderWith(tmp, "p1", Map.of("x1.txt", "x")), List.of(p2.selfUrl()), slowFriends)))
          .compose(p1 -> Peers.start(vertx, Peers.config("p0", Peers.folderWith(tmp, "p0", Map.of("x0.txt", "x")), List.of(p1.selfUrl()), slowFriends)))
          .compose(p0 -> {
            long start = System.nanoTime();
            return http.get(p0.restPort(), "127.0.0.1", "/search?query=x&ttl=8&timeout_ms=700").send().map(r -> {
              long ms = (System.nanoTime() - start) / 1_000_000;
              ctx.verify(() -> {
                JsonObject a = r.bodyAsJsonObject();
                assertTrue(ms < 700 + 150, "answered within its deadline: " + ms + " ms");
                assertTrue(a.getBoolean("partial"));
                assertEquals(4, hopsByPeer(a).size(), "every live peer on the path answered: " + a.encode());
                assertTrue(a.getJsonArray("unreachable").stream().map(JsonObject.class::cast)
                    .anyMatch(u -> u.getString("peer").equals(hungUrl) && u.getString("reason").startsWith("timeout")),
                    a.encode());
              });
              return r;
            });
          });
    }).onComplete(ctx.succeeding(v -> ctx.completeNow()));
  }
}
