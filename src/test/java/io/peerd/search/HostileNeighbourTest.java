package io.peerd.search;

import static io.peerd.testkit.Await.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.peerd.node.PeerVerticle;
import io.peerd.testkit.Http;
import io.peerd.testkit.Peers;
import io.peerd.testkit.StandIns;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Neighbours that answer garbage cannot stop a search, nor make a peer hold their garbage. */
@ExtendWith(VertxExtension.class)
@Tag("network")
class HostileNeighbourTest {

  @TempDir Path tmp;

  /**
   * The hostile neighbours run apart, one event loop each, as on machines of their own: building a
   * million-file answer holds a loop for a while, and on a loop shared with the peer under test (or
   * with another neighbour) that time would count against their friend timeout.
   */
  Vertx elsewhere =
      Vertx.vertx(new VertxOptions().setEventLoopPoolSize(StandIns.Garbage.values().length));

  @AfterEach
  void closeElsewhere() {
    await(elsewhere.close());
  }

  @Test
  void theSearchAnswersFromEveryoneElse(Vertx vertx) {
    Http http = new Http(vertx);
    Map<String, StandIns.Garbage> bad = new HashMap<>();
    for (StandIns.Garbage g : StandIns.Garbage.values()) {
      int port = await(StandIns.garbage(elsewhere, g)).actualPort();
      // These build their answer for each request, with cold code the first time: a million
      // files took 2.5 s then and 0.3 s after. One untimed request first, so that the friend
      // timeout measures the peer reading the answer rather than the stand-in's first build.
      if (g == StandIns.Garbage.MILLION_FILES || g == StandIns.Garbage.MANY_FILES) {
        assertEquals(200, http.get(port, "/search").status());
      }
      bad.put("http://127.0.0.1:" + port, g);
    }
    PeerVerticle good =
        Peers.started(
            vertx,
            "good",
            Peers.folderWith(tmp, "good", Map.of("x-good.txt", "g")),
            List.of(),
            null);
    List<String> friends = new ArrayList<>(bad.keySet());
    friends.add(good.selfUrl());
    // Time enough for a loaded 2-core machine to read and judge every garbage answer (the slow
    // endless one always costs all of it); the search deadline is far above it, so that a search
    // that waits for the friend timeout is told apart from one that waits for the deadline.
    long friendTimeout = 3000;
    JsonObject extra =
        new JsonObject()
            .put("max_fanout", 10)
            .put("friend_timeout_ms", friendTimeout)
            .put("search_timeout_ms", 15_000);
    PeerVerticle me =
        Peers.started(
            vertx, "me", Peers.folderWith(tmp, "me", Map.of("x-me.txt", "m")), friends, extra);

    long start = System.nanoTime();
    Http.Reply r = http.get(me, "/search?query=x&fanout=10&ttl=1");
    long ms = (System.nanoTime() - start) / 1_000_000;
    assertEquals(200, r.status());
    JsonObject a = r.json();
    // The first request of a cold JVM alone took up to a second on a loaded 2-core machine.
    assertTrue(ms < friendTimeout + 3000, "bounded by the friend timeout: " + ms);
    Map<String, String> why = new HashMap<>();
    a.getJsonArray("unreachable")
        .forEach(
            o -> why.put(((JsonObject) o).getString("peer"), ((JsonObject) o).getString("reason")));
    Map<String, Integer> files = new HashMap<>();
    a.getJsonArray("results")
        .forEach(
            o ->
                files.put(
                    ((JsonObject) o).getString("peer"),
                    ((JsonObject) o).getJsonArray("files").size()));
    assertEquals(1, files.get(me.selfUrl()));
    assertEquals(1, files.get(good.selfUrl()), "the good neighbour's answer is there");
    for (Map.Entry<String, StandIns.Garbage> e : bad.entrySet()) {
      String reason = why.get(e.getKey());
      switch (e.getValue()) {
        // 100,000 entries fit the 8 MiB body cap: the list is cut at 1000 files.
        case MANY_FILES -> assertEquals(1000, files.get(e.getKey()), "capped at 1000 files");
        // A million do not: reading stops at the cap, the neighbour is reported.
        case MILLION_FILES ->
            assertTrue(reason != null && reason.contains("body larger than"), why.toString());
        case SLOW_ENDLESS_BODY ->
            assertTrue(reason != null && reason.startsWith("timeout"), why.toString());
        default ->
            assertTrue(
                reason != null && reason.startsWith("bad_response"), e.getValue() + ": " + why);
      }
    }
    assertTrue(a.getBoolean("partial"));
  }
}
