package io.peerd.search;

import static io.peerd.testkit.Await.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.peerd.node.PeerVerticle;
import io.peerd.testkit.Await;
import io.peerd.testkit.Http;
import io.peerd.testkit.Peers;
import io.peerd.testkit.StandIns;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Path;
import java.time.Duration;
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

  @TempDir Path tmp;

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
      assertFalse(
          out.containsKey(r.getString("peer")), "each peer appears once: " + r.getString("peer"));
      out.put(r.getString("peer"), r.getJsonArray("files"));
    }
    return out;
  }

  static long msSince(long startNanos) {
    return (System.nanoTime() - startNanos) / 1_000_000;
  }

  @Test
  void threePeersWithOneDeadAndOneHungFriendAnswerWithinTheFriendTimeout(Vertx vertx)
      throws Exception {
    Http http = new Http(vertx);
    String deadUrl = "http://127.0.0.1:" + StandIns.closedPort();
    String hungUrl = "http://127.0.0.1:" + await(StandIns.hung(vertx)).actualPort();
    PeerVerticle b =
        Peers.started(
            vertx, "b", Peers.folderWith(tmp, "b", Map.of("shared-b.txt", "b")), List.of(), null);
    PeerVerticle c =
        Peers.started(
            vertx,
            "c",
            Peers.folderWith(tmp, "c", Map.of("shared-c.txt", "c", "other.bin", "o")),
            List.of(),
            null);
    // The search deadline is far above the friend timeout, so that a search held by the hung
    // friend for longer than its timeout is told apart from one cut by the deadline.
    long friendTimeout = 1500;
    JsonObject extra =
        new JsonObject()
            .put("friend_timeout_ms", friendTimeout)
            .put("max_fanout", 4)
            .put("search_timeout_ms", 10_000);
    PeerVerticle a =
        Peers.started(
            vertx,
            "a",
            Peers.folderWith(tmp, "a", Map.of("shared-a.txt", "a")),
            List.of(b.selfUrl(), c.selfUrl(), deadUrl, hungUrl),
            extra);

    long start = System.nanoTime();
    Http.Reply r = http.get(a, "/search?query=SHARED&fanout=4&ttl=1");
    long ms = msSince(start);
    assertEquals(200, r.status());
    JsonObject body = r.json();
    // Up to 3 s over the timeout for a loaded 2-core machine; still far below the 10 s deadline.
    assertTrue(
        ms >= friendTimeout - 50 && ms < friendTimeout + 3000,
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

    // The failures were recorded: the next search skips both, so the hung friend costs nothing.
    start = System.nanoTime();
    JsonObject again = http.getJson(a, "/search?query=shared&fanout=4&ttl=1");
    ms = msSince(start);
    assertFalse(again.getBoolean("partial"), again.encode());
    assertTrue(ms < friendTimeout, "unhealthy peers are skipped: " + ms + " ms");
  }

  @Test
  void aDeadFriendAloneCostsMilliseconds(Vertx vertx) throws Exception {
    Http http = new Http(vertx);
    String deadUrl = "http://127.0.0.1:" + StandIns.closedPort();
    PeerVerticle a =
        Peers.started(
            vertx,
            "a",
            Peers.folderWith(tmp, "a", Map.of("x.txt", "x")),
            List.of(deadUrl),
            new JsonObject().put("friend_timeout_ms", 5000));

    long start = System.nanoTime();
    JsonObject body = http.getJson(a, "/search?query=x");
    long ms = msSince(start);
    // Waiting for the friend would cost its 5 s timeout; 2 s is room for a loaded 2-core machine.
    assertTrue(ms < 2000, "refused connections fail fast: " + ms);
    assertTrue(reasons(body).get(deadUrl).startsWith("refused"));
  }

  @Test
  void seedPeersAreNeighboursBothWays(Vertx vertx) {
    Http http = new Http(vertx);
    int[] seedSearches = {0};
    String seedUrl =
        "http://127.0.0.1:"
            + await(StandIns.seedPeer(vertx, "seed", "from-seed.txt", seedSearches)).actualPort();
    PeerVerticle ours =
        Peers.started(
            vertx,
            "ours",
            Peers.folderWith(tmp, "ours", Map.of("from-ours.txt", "o")),
            List.of(seedUrl),
            null);

    JsonObject answer = http.getJson(ours, "/search?query=from&ttl=2");
    Map<String, JsonArray> files = filesByPeer(answer);
    assertEquals(
        "from-seed.txt",
        files.get(seedUrl).getJsonObject(0).getString("name"),
        "a seed peer's answer is merged");
    assertEquals(1, seedSearches[0]);
    assertEquals(
        1,
        ((JsonObject)
                answer.getJsonArray("results").stream()
                    .filter(o -> ((JsonObject) o).getString("peer").equals(seedUrl))
                    .findFirst()
                    .get())
            .getInteger("hops"));

    // The other direction: a seed peer searching us calls GET /files and reads base and
    // files[].name.
    JsonObject listing = http.getJson(ours, "/files?ttl=2");
    assertEquals(ours.selfUrl(), listing.getString("base"));
    assertEquals("from-ours.txt", listing.getJsonArray("files").getJsonObject(0).getString("name"));
  }

  @Test
  void bootstrapRegistersWithEveryFriendAndReportsFailures(Vertx vertx) throws Exception {
    Http http = new Http(vertx);
    String deadUrl = "http://127.0.0.1:" + StandIns.closedPort();
    PeerVerticle b =
        Peers.started(vertx, "b", Peers.folderWith(tmp, "b", Map.of()), List.of(), null);
    PeerVerticle a =
        Peers.started(
            vertx, "a", Peers.folderWith(tmp, "a", Map.of()), List.of(b.selfUrl(), deadUrl), null);

    JsonObject body = http.post(a, "/bootstrap", (JsonObject) null).json();
    assertEquals(new JsonArray().add(b.selfUrl()), body.getJsonArray("registered"));
    assertEquals(new JsonArray().add(deadUrl), body.getJsonArray("failed"));
    assertTrue(
        body.getJsonArray("failures").getJsonObject(0).getString("reason").startsWith("refused"));

    assertTrue(
        http.getJson(b, "/peers").getJsonArray("all_peers").contains(a.selfUrl()),
        "the friend now knows us");
  }

  @Test
  void aPeerThatRegistersOnStartIsKnownToItsFriendsEvenOnesThatStartAfterIt(Vertx vertx)
      throws Exception {
    Http http = new Http(vertx);
    int later = StandIns.closedPort();
    String laterUrl = "http://127.0.0.1:" + later;
    PeerVerticle b =
        Peers.started(vertx, "b", Peers.folderWith(tmp, "b", Map.of()), List.of(), null);
    PeerVerticle quiet =
        Peers.started(vertx, "q", Peers.folderWith(tmp, "q", Map.of()), List.of(b.selfUrl()), null);
    PeerVerticle joins =
        Peers.started(
            vertx,
            "j",
            Peers.folderWith(tmp, "j", Map.of()),
            List.of(b.selfUrl(), laterUrl),
            new JsonObject().put("register_on_start", true));

    Await.until(
        "b knows the peer that registered on start",
        Duration.ofSeconds(10),
        () -> http.getJson(b, "/peers").getJsonArray("all_peers").contains(joins.selfUrl()));
    assertFalse(
        http.getJson(b, "/peers").getJsonArray("all_peers").contains(quiet.selfUrl()),
        "without the key, a peer waits for POST /bootstrap, as the seed's does");

    // A friend that was not up at the start is asked again (1 s, then 2 s, ...) until it takes it.
    PeerVerticle c =
        Peers.started(
            vertx,
            "c",
            Peers.folderWith(tmp, "c", Map.of()),
            List.of(),
            new JsonObject().put("rest_port", later));
    Await.until(
        "the friend that started later knows it too",
        Duration.ofSeconds(15),
        () -> http.getJson(c, "/peers").getJsonArray("all_peers").contains(joins.selfUrl()));
  }
}
