package io.peerd.api;

import static io.peerd.testkit.Await.await;
import static io.peerd.testkit.Await.until;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.peerd.node.PeerVerticle;
import io.peerd.testkit.Http;
import io.peerd.testkit.Peers;
import io.peerd.testkit.Sse;
import io.peerd.testkit.StandIns;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** {@code /search/stream} and {@code /network} over three real peers in one JVM. */
@ExtendWith(VertxExtension.class)
@Tag("network")
class SearchStreamTest {

  @TempDir Path tmp;

  /** Three peers, a knowing b and c (and b and c each other); a also has {@code extraFriends}. */
  List<PeerVerticle> network(Vertx vertx, Http http, List<String> extraFriends, JsonObject extra) {
    PeerVerticle b =
        Peers.started(
            vertx,
            "b",
            Peers.folderWith(tmp, "b", Map.of("file-b.txt", "b", "same.txt", "s")),
            List.of(),
            null);
    PeerVerticle c =
        Peers.started(
            vertx,
            "c",
            Peers.folderWith(tmp, "c", Map.of("file-c.txt", "c", "same.txt", "s")),
            List.of(),
            null);
    await(Peers.link(http.client(), b, c));
    List<String> friends = new ArrayList<>(List.of(b.selfUrl(), c.selfUrl()));
    friends.addAll(extraFriends);
    PeerVerticle a =
        Peers.started(
            vertx, "a", Peers.folderWith(tmp, "a", Map.of("file-a.txt", "a")), friends, extra);
    return List.of(a, b, c);
  }

  @Test
  void eachPeersAnswerIsAnEventAsItArrivesThenASummary(Vertx vertx) {
    Http http = new Http(vertx);
    // A hung neighbour holds the search until its timeout: the others' events must not wait for it.
    // Long enough that the fast answers have half of it to arrive on a loaded 2-core machine.
    long friendTimeout = 2000;
    String hungUrl = "http://127.0.0.1:" + await(StandIns.hung(vertx)).actualPort();
    List<PeerVerticle> peers =
        network(
            vertx,
            http,
            List.of(hungUrl),
            new JsonObject().put("friend_timeout_ms", friendTimeout).put("max_fanout", 3));
    PeerVerticle a = peers.get(0);

    Sse.Stream stream =
        await(
            Sse.read(
                vertx, vertx.createHttpClient(), a.restPort(), "/search/stream?query=FILE&ttl=1"));
    assertEquals(200, stream.status());
    assertEquals("text/event-stream; charset=utf-8", stream.header("content-type"));
    assertEquals("no-cache", stream.header("cache-control"));
    List<Sse.Event> evs = stream.events();
    assertEquals(4, evs.size(), evs.toString());

    Sse.Event first = evs.get(0);
    assertEquals("peer", first.name());
    assertEquals(a.selfUrl(), first.data().getString("peer"), "this peer's own answer first");
    assertEquals(0, first.data().getInteger("hops"));
    assertEquals(
        "file-a.txt", first.data().getJsonArray("files").getJsonObject(0).getString("name"));
    Set<String> answered = new HashSet<>();
    for (Sse.Event e : evs.subList(0, 3)) {
      assertEquals("peer", e.name());
      answered.add(e.data().getString("peer"));
      JsonObject f = e.data().getJsonArray("files").getJsonObject(0);
      assertTrue(
          f.getString("rest_url").startsWith(e.data().getString("peer") + "/files/"), f.encode());
      assertEquals(64, f.getString("checksum").length());
      assertTrue(e.atMs() < friendTimeout / 2, "sent as it arrived, not at the end: " + e);
    }
    assertEquals(Set.of(a.selfUrl(), peers.get(1).selfUrl(), peers.get(2).selfUrl()), answered);

    Sse.Event done = evs.get(3);
    assertEquals("done", done.name());
    assertTrue(
        done.atMs() >= friendTimeout - 100, "the summary waits for the hung neighbour: " + done);
    JsonObject s = done.data();
    assertFalse(s.containsKey("results"), "results went out as peer events");
    assertEquals(3, s.getInteger("peers_answered"));
    assertTrue(s.getBoolean("partial"));
    assertEquals(1, s.getJsonArray("unreachable").size());
    assertTrue(
        s.getJsonArray("unreachable").getJsonObject(0).getString("reason").startsWith("timeout"));
    assertEquals("FILE", s.getString("query"));
    assertTrue(s.getLong("elapsed_ms") >= friendTimeout - 100);
  }

  @Test
  void badParametersAreA400JsonAnswerNotAStream(Vertx vertx) {
    Http http = new Http(vertx);
    PeerVerticle a =
        Peers.started(
            vertx, "a", Peers.folderWith(tmp, "a", Map.of("x.txt", "x")), List.of(), null);
    for (String bad :
        List.of(
            "ttl=-1",
            "fanout=abc",
            "timeout_ms=0",
            "query=" + "q".repeat(2000),
            "origin=ftp://x")) {
      Http.Reply r = http.get(a, "/search/stream?" + bad);
      assertEquals(400, r.status(), bad + ": " + r.text());
      assertEquals("application/json", r.header("content-type"), bad);
      assertEquals("bad_parameter", r.error(), bad);
    }
  }

  @Test
  void streamsAreCappedAndAClosedStreamFreesItsSlot(Vertx vertx) {
    Http http = new Http(vertx);
    HttpClient client =
        vertx.createHttpClient(new PoolOptions().setHttp1MaxSize(SearchStream.MAX_STREAMS + 4));
    String hungUrl = "http://127.0.0.1:" + await(StandIns.hung(vertx)).actualPort();
    PeerVerticle a =
        Peers.started(
            vertx,
            "a",
            Peers.folderWith(tmp, "a", Map.of("x.txt", "x")),
            List.of(hungUrl),
            new JsonObject().put("friend_timeout_ms", 20_000));

    // Fill every slot with a stream held open by the hung neighbour; wait for each first event.
    List<Future<HttpClientResponse>> open = new ArrayList<>();
    for (int i = 0; i < SearchStream.MAX_STREAMS; i++) {
      open.add(Sse.opened(vertx, client, a.restPort(), "/search/stream?timeout_ms=20000"));
    }
    await(Future.all(open));

    Http.Reply over = http.get(a, "/search/stream");
    assertEquals(503, over.status(), over.text());
    assertEquals("busy", over.error());
    assertEquals("1", over.header("retry-after"));

    // The clients go away: their slots must come back without waiting for the search (20 s).
    List<Future<Void>> closed = new ArrayList<>();
    for (Future<HttpClientResponse> f : open) {
      closed.add(f.result().request().connection().close());
    }
    await(Future.all(closed));
    // Closing is noticed asynchronously; the bound is far below the 20 s the searches would hold a
    // slot.
    Http.Reply[] again = new Http.Reply[1];
    until(
        "a new stream once the closed ones are noticed",
        Duration.ofSeconds(10),
        () -> (again[0] = http.get(a, "/search/stream?ttl=0")).status() == 200);
    assertEquals("text/event-stream; charset=utf-8", again[0].header("content-type"));
  }

  @Test
  void theNetworkViewHasEdgesToNeighboursAndTheirsAndToleratesADeadOne(Vertx vertx)
      throws Exception {
    Http http = new Http(vertx);
    String dead = "http://127.0.0.1:" + StandIns.closedPort();
    List<PeerVerticle> peers =
        network(vertx, http, List.of(dead), new JsonObject().put("health_check_interval", 30));
    String a = peers.get(0).selfUrl();
    String b = peers.get(1).selfUrl();
    String c = peers.get(2).selfUrl();

    JsonObject net = http.getJson(peers.get(0), "/network");
    assertEquals(a, net.getString("self"));
    Set<String> nodes = new HashSet<>();
    for (Object o : net.getJsonArray("nodes")) {
      nodes.add(((JsonObject) o).getString("url"));
    }
    assertEquals(Set.of(a, b, c, dead), nodes);
    Set<String> edges = new HashSet<>();
    for (Object o : net.getJsonArray("edges")) {
      JsonObject e = (JsonObject) o;
      edges.add(e.getString("from") + " " + e.getString("to"));
      edges.add(e.getString("to") + " " + e.getString("from"));
    }
    assertTrue(
        edges.contains(a + " " + b)
            && edges.contains(a + " " + c)
            && edges.contains(a + " " + dead),
        edges.toString());
    assertTrue(edges.contains(b + " " + c), "learned from the neighbours' /peers: " + edges);
    assertEquals(
        4, net.getJsonArray("edges").size(), "each link once: " + net.getJsonArray("edges"));
    // The dead friend starts trusted, so it was asked, and its failure is reported.
    assertTrue(net.getBoolean("partial"));
    JsonObject why = net.getJsonArray("unreachable").getJsonObject(0);
    assertEquals(dead, why.getString("peer"));
  }
}
