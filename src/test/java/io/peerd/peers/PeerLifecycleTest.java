package io.peerd.peers;

import static io.peerd.testkit.Await.until;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.peerd.node.PeerVerticle;
import io.peerd.testkit.Http;
import io.peerd.testkit.Peers;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The peer table keeps itself right under churn, and survives restarts. */
@ExtendWith(VertxExtension.class)
@Tag("network")
class PeerLifecycleTest {

  @TempDir Path tmp;

  static JsonObject row(JsonObject peers, String url) {
    return peers.getJsonArray("table").stream()
        .map(JsonObject.class::cast)
        .filter(r -> r.getString("url").equals(url))
        .findFirst()
        .orElse(null);
  }

  /** Polls {@code a}'s /peers until it lists {@code url} as healthy; the milliseconds it took. */
  static long untilHealthy(Http http, PeerVerticle a, String url) {
    return until(
        url + " healthy at " + a.selfUrl(),
        Duration.ofSeconds(10),
        () -> http.getJson(a, "/peers").getJsonArray("peers").contains(url));
  }

  @Test
  void aKilledPeerIsSkippedThenHealthyAgainAfterItsBackoff(Vertx vertx) {
    Http http = new Http(vertx);
    Path bShare = Peers.folderWith(tmp, "b", Map.of("b.txt", "b"));
    PeerVerticle b = Peers.started(vertx, "b", bShare, List.of(), null);
    String bUrl = b.selfUrl();
    JsonObject fast = new JsonObject().put("health_check_interval", 0.5).put("peer_max_backoff", 1);
    PeerVerticle a =
        Peers.started(vertx, "a", Peers.folderWith(tmp, "a", Map.of()), List.of(bUrl), fast);

    Peers.stop(vertx, b);
    JsonObject cut = http.getJson(a, "/search?query=b");
    assertTrue(cut.getBoolean("partial"));
    assertEquals(bUrl, cut.getJsonArray("unreachable").getJsonObject(0).getString("peer"));

    JsonObject peers = http.getJson(a, "/peers");
    assertFalse(row(peers, bUrl).getBoolean("healthy"), "marked unhealthy at once by the search");
    assertFalse(peers.getJsonArray("peers").contains(bUrl));

    JsonObject skipped = http.getJson(a, "/search?query=b");
    assertFalse(skipped.getBoolean("partial"), "an unhealthy peer is skipped: " + skipped.encode());
    assertEquals(1, skipped.getJsonArray("results").size());

    // Back on the same address, without restarting a.
    Peers.started(vertx, "b", bShare, List.of(), new JsonObject().put("rest_port", b.restPort()));
    long ms = untilHealthy(http, a, bUrl);
    // The backoff is 1 s and the interval 0.5 s; the rest is room for a loaded 2-core machine.
    assertTrue(ms <= 4000, "healthy within backoff (1 s) + interval (0.5 s): " + ms + " ms");
    assertEquals(
        2,
        http.getJson(a, "/search?query=b.txt").getJsonArray("results").size(),
        "searched again once healthy");
  }

  @Test
  void theTableSurvivesARestart(Vertx vertx) throws Exception {
    Http http = new Http(vertx);
    Path state = tmp.resolve("state-a");
    JsonObject persisted = new JsonObject().put("state_dir", state.toString());
    Path aShare = Peers.folderWith(tmp, "a", Map.of());
    PeerVerticle c =
        Peers.started(
            vertx, "c", Peers.folderWith(tmp, "c", Map.of("c.txt", "c")), List.of(), null);
    PeerVerticle a = Peers.started(vertx, "a", aShare, List.of(), persisted);
    http.register(a, c);
    Peers.stop(vertx, a);

    assertTrue(
        Files.readString(state.resolve("peers.json")).contains(c.selfUrl()), "saved on stop");
    assertFalse(
        Files.exists(state.resolve("peers.json.tmp")), "written through a temp file, renamed");

    // Restarted without any friend: it finds c from its saved table.
    PeerVerticle a2 = Peers.started(vertx, "a", aShare, List.of(), persisted);
    untilHealthy(http, a2, c.selfUrl());
    assertEquals(2, http.getJson(a2, "/search?query=c.txt").getJsonArray("results").size());
  }

  @Test
  void aCorruptStateFileIsReportedAndIgnored(Vertx vertx) throws Exception {
    Http http = new Http(vertx);
    Path state = Files.createDirectories(tmp.resolve("state-x"));
    Files.writeString(state.resolve("peers.json"), "{\"format\":1,\"peers\":[{\"url\":");
    PeerVerticle x =
        Peers.started(
            vertx,
            "x",
            Peers.folderWith(tmp, "x", Map.of()),
            List.of(),
            new JsonObject().put("state_dir", state.toString()));

    JsonObject status = http.getJson(x, "/status");
    String problem = status.getJsonObject("problems").getString("state");
    assertTrue(
        problem != null && problem.contains("peers.json") && problem.contains("ignored"),
        status.encode());
    assertEquals(new JsonArray().add(status.getString("url")), status.getJsonArray("all_peers"));
  }

  @Test
  void peerExchangeLearnsNeighboursOfNeighbours(Vertx vertx) {
    Http http = new Http(vertx);
    JsonObject fast = new JsonObject().put("health_check_interval", 0.3);
    PeerVerticle c =
        Peers.started(vertx, "c", Peers.folderWith(tmp, "c", Map.of()), List.of(), fast);
    PeerVerticle b =
        Peers.started(vertx, "b", Peers.folderWith(tmp, "b", Map.of()), List.of(c.selfUrl()), fast);
    PeerVerticle a =
        Peers.started(vertx, "a", Peers.folderWith(tmp, "a", Map.of()), List.of(b.selfUrl()), fast);

    // a knows only b; b's /peers tells it of c.
    untilHealthy(http, a, c.selfUrl());
  }
}
