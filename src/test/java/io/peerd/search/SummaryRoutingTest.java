package io.peerd.search;

import static io.peerd.testkit.Await.await;
import static io.peerd.testkit.Await.until;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.peerd.node.PeerVerticle;
import io.peerd.routing.NameSummary;
import io.peerd.testkit.Http;
import io.peerd.testkit.Peers;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Summaries between real peers: published, fetched, refreshed when an index changes, routed on. */
@ExtendWith(VertxExtension.class)
@Tag("network")
class SummaryRoutingTest {

  @TempDir Path tmp;

  static final JsonObject EXACT = new JsonObject().put("peer_exchange", false);

  /**
   * Summaries are fetched every health-check interval (1 s here); the rest is room for a loaded
   * machine.
   */
  static final Duration SUMMARY_ROUNDS = Duration.ofSeconds(20);

  static long stat(Http http, PeerVerticle p, String key) {
    return await(Peers.stat(http.client(), p, key));
  }

  @Test
  void aNewFileReachesTheNeighboursSummaryAndOnlyItsHolderIsAsked(Vertx vertx) throws Exception {
    Http http = new Http(vertx);
    PeerVerticle p0 =
        Peers.started(
            vertx, "p0", Peers.folderWith(tmp, "p0", Map.of("mine.txt", "x")), List.of(), EXACT);
    PeerVerticle p1 =
        Peers.started(
            vertx, "p1", Peers.folderWith(tmp, "p1", Map.of("cats.txt", "x")), List.of(), EXACT);
    Path d2 = Peers.folderWith(tmp, "p2", Map.of("other.txt", "x"));
    PeerVerticle p2 = Peers.started(vertx, "p2", d2, List.of(), EXACT);
    await(Peers.link(http.client(), p0, p1));
    await(Peers.link(http.client(), p0, p2));
    until(
        "p0 holds both neighbours' summaries",
        SUMMARY_ROUNDS,
        () ->
            http.getJson(p0, "/status").getJsonObject("stats").getInteger("summaries_known") == 2);

    JsonObject s = http.getJson(p2, "/summary");
    NameSummary summary =
        NameSummary.decode(s.getString("filter"), s.getInteger("bits"), s.getInteger("tokens"));
    assertTrue(summary.mayMatch("OTHER"));
    assertTrue(!summary.mayMatch("needle"));

    Files.writeString(d2.resolve("needle-in-haystack.txt"), "found me");
    assertEquals(200, http.post(p2, "/index/rescan", (JsonObject) null).status());
    // Until p0 holds p2's new summary: a summary search then asks p2 alone. (Before that, no
    // summary matches and the query walks to both.)
    until(
        "p0 routes 'needle' to p2 by its new summary",
        SUMMARY_ROUNDS,
        () -> {
          JsonArray results =
              http.getJson(p0, "/search?query=needle&mode=summary").getJsonArray("results");
          return results.size() == 2
              && results.stream()
                  .map(JsonObject.class::cast)
                  .anyMatch(
                      r ->
                          r.getString("peer").equals(p2.selfUrl())
                              && !r.getJsonArray("files").isEmpty());
        });

    long before = stat(http, p1, "searches_processed");
    JsonObject a = http.getJson(p0, "/search?query=haystack&mode=summary");
    long after = stat(http, p1, "searches_processed");
    assertEquals(2, a.getJsonArray("results").size(), "p0 and p2 only: " + a.encode());
    assertEquals(before, after, "p1's summary cannot match: it was never asked");
  }

  @Test
  void aFileDroppedIntoTheFolderIsFoundByANeighbourAndItsSummaryIsNoticedAtOnce(Vertx vertx)
      throws Exception {
    Http http = new Http(vertx);
    // Summaries refreshed every 60 s on their own: only p2's notice can explain a fresh one here.
    JsonObject slow = EXACT.copy().put("health_check_interval", 60);
    PeerVerticle p0 =
        Peers.started(
            vertx, "p0", Peers.folderWith(tmp, "p0", Map.of("mine.txt", "x")), List.of(), slow);
    PeerVerticle p1 =
        Peers.started(
            vertx, "p1", Peers.folderWith(tmp, "p1", Map.of("cats.txt", "x")), List.of(), slow);
    Path d2 = Peers.folderWith(tmp, "p2", Map.of("other.txt", "x"));
    PeerVerticle p2 = Peers.started(vertx, "p2", d2, List.of(), slow);
    await(Peers.link(http.client(), p0, p1));
    await(Peers.link(http.client(), p0, p2));
    until(
        "p0 holds both summaries",
        SUMMARY_ROUNDS,
        () ->
            http.getJson(p0, "/status").getJsonObject("stats").getInteger("summaries_known") == 2);

    // No rescan is asked for: p2's watch sees the file, p2 tells p0.
    Files.writeString(d2.resolve("dropped-needle.txt"), "found me");
    until(
        "a flood search from p0 finds the dropped file",
        SUMMARY_ROUNDS,
        () -> hits(http, p0, "/search?query=dropped-needle", p2) == 1);
    // While p0 holds p2's old summary, nothing matches and the query walks to both neighbours;
    // with the new one, only p2 is asked (two answers: p0's own and p2's).
    until(
        "p0 routes 'dropped' to p2 alone by the summary p2 announced",
        SUMMARY_ROUNDS,
        () ->
            http.getJson(p0, "/search?query=dropped-needle&mode=summary")
                    .getJsonArray("results")
                    .size()
                == 2);
    assertEquals(1, hits(http, p0, "/search?query=dropped-needle&mode=summary", p2));
    Http.Reply bad =
        http.post(
            p0, "/summary/changed", new JsonObject().put("url", "nonsense").put("generation", 1));
    assertEquals(400, bad.status(), bad.text());
    assertEquals("bad_url", bad.error());
    assertEquals(
        400,
        http.post(p0, "/summary/changed", new JsonObject().put("url", p2.selfUrl())).status(),
        "no generation");
    JsonObject stranger =
        http.post(
                p0,
                "/summary/changed",
                new JsonObject().put("url", "http://127.0.0.1:1").put("generation", 7))
            .json();
    assertEquals(false, stranger.getBoolean("refresh"), "a peer not in the table changes nothing");

    Files.delete(d2.resolve("dropped-needle.txt"));
    until(
        "the deleted file is no longer found",
        SUMMARY_ROUNDS,
        () -> hits(http, p0, "/search?query=dropped-needle", p2) == 0);
  }

  /** How many files of {@code holder} a search from {@code from} returned. */
  static int hits(Http http, PeerVerticle from, String search, PeerVerticle holder) {
    return http.getJson(from, search).getJsonArray("results").stream()
        .map(JsonObject.class::cast)
        .filter(r -> r.getString("peer").equals(holder.selfUrl()))
        .mapToInt(r -> r.getJsonArray("files").size())
        .sum();
  }

  @Test
  void badModesAndChecksAre400sAndUnknownChecksSayStop(Vertx vertx) {
    Http http = new Http(vertx);
    PeerVerticle p =
        Peers.started(
            vertx, "solo", Peers.folderWith(tmp, "solo", Map.of("a.txt", "x")), List.of(), EXACT);

    Http.Reply gossip = http.get(p, "/search?query=a&mode=gossip");
    assertEquals(400, gossip.status());
    assertTrue(gossip.json().getString("detail").contains("flood, walk, summary"));

    assertEquals(400, http.get(p, "/search/check").status());
    assertEquals(false, http.get(p, "/search/check?id=nope").json().getBoolean("continue"));

    long generation = http.getJson(p, "/summary").getLong("generation");
    JsonObject unchanged = http.get(p, "/summary?known=" + generation).json();
    assertEquals(true, unchanged.getBoolean("unchanged"));
    assertTrue(!unchanged.containsKey("filter"));

    Http.Reply clamped = http.get(p, "/search?query=a&mode=walk&ttl=999&walkers=1000");
    assertEquals(200, clamped.status(), "ttl and walkers above their caps are clamped");
    assertEquals(32, clamped.json().getInteger("ttl"));
  }

  @Test
  void aSearchCannotAskForMoreWalkersThanThePeerIsConfiguredFor(Vertx vertx) {
    Http http = new Http(vertx);
    JsonObject twoWalkers = EXACT.copy().put("walkers", 2);
    List<PeerVerticle> p = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      p.add(
          Peers.started(
              vertx,
              "w" + i,
              Peers.folderWith(tmp, "w" + i, Map.of("w" + i + ".txt", "x")),
              List.of(),
              i == 0 ? twoWalkers : EXACT));
    }
    for (int i = 1; i < 5; i++) {
      await(Peers.link(http.client(), p.get(0), p.get(i)));
    }

    http.get(p.get(0), "/search?query=nothing-here&mode=walk&ttl=1&walkers=50");
    assertEquals(
        2, stat(http, p.get(0), "queries_forwarded"), "walkers=50 is clamped to the configured 2");
  }
}
