package io.peerd.discovery;

import static io.peerd.testkit.Await.await;
import static io.peerd.testkit.Await.until;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.peerd.identity.Identity;
import io.peerd.identity.PeerId;
import io.peerd.node.PeerVerticle;
import io.peerd.testkit.Http;
import io.peerd.testkit.Peers;
import io.peerd.testkit.StandIns;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real peers with discovery on. Loopback has no broadcast, so each peer's announcements go by
 * unicast to the other's discovery socket (the {@code Targets} seam); everything after the packet
 * is the daemon's own: decoding, the verification over /health and the secure port, the table.
 */
@ExtendWith(VertxExtension.class)
@Tag("peer")
class DiscoveryPeersTest {

  @TempDir Path tmp;

  static JsonObject on() {
    return new JsonObject().put("local_discovery", true).put("discovery_port", 0);
  }

  /** A peer that announces every 300 ms to the discovery port {@code to} holds (when set). */
  PeerVerticle start(Vertx vertx, String name, AtomicInteger to) {
    PeerVerticle peer =
        new PeerVerticle(
                Peers.parse(
                    Peers.config(
                        name,
                        Peers.folderWith(tmp, name, Map.of(name + ".txt", name)),
                        List.of(),
                        on())))
            .discovery(
                LocalDiscovery.Settings.defaults(0).withAnnounce(300),
                () ->
                    Future.succeededFuture(
                        to.get() <= 0
                            ? List.of()
                            : List.of(
                                new LocalDiscovery.Target(
                                    "test", null, null, false, "127.0.0.1", to.get()))));
    await(vertx.deployVerticle(peer).compose(id -> peer.firstScan()));
    return peer;
  }

  static JsonObject entry(Http http, PeerVerticle at, String url) {
    for (Object o : http.getJson(at, "/peers").getJsonArray("table")) {
      JsonObject e = (JsonObject) o;
      if (e.getString("url").equals(url)) {
        return e;
      }
    }
    return null;
  }

  static boolean knowsAuthenticated(Http http, PeerVerticle at, PeerVerticle other) {
    JsonObject e = entry(http, at, other.selfUrl());
    return e != null
        && e.getBoolean("healthy")
        && e.getBoolean("authenticated")
        && other.id().toString().equals(e.getString("id"));
  }

  @Test
  void twoPeersWithoutFriendsFindEachOtherAuthenticated(Vertx vertx) {
    Http http = new Http(vertx);
    AtomicInteger toB = new AtomicInteger();
    AtomicInteger toA = new AtomicInteger();
    PeerVerticle a = start(vertx, "a", toB);
    long started = System.nanoTime();
    PeerVerticle b = start(vertx, "b", toA);
    toA.set(a.localDiscovery().port());
    toB.set(b.localDiscovery().port());

    until(
        "each knows the other, healthy and authenticated",
        Duration.ofSeconds(15),
        () -> knowsAuthenticated(http, a, b) && knowsAuthenticated(http, b, a));
    long ms = (System.nanoTime() - started) / 1_000_000;
    assertTrue(ms < 10_000, "found in " + ms + " ms");
    JsonObject stats = http.getJson(a, "/status").getJsonObject("stats");
    assertEquals(1, stats.getLong("lan_added"), stats::encode);
    assertTrue(stats.getLong("lan_heard") >= 1, stats::encode);
    assertEquals(true, stats.getBoolean("lan_discovery"));
    String metrics = http.get(a, "/metrics").text();
    assertTrue(
        metrics.contains("peer_discovery_total{") && metrics.contains("outcome=\"added\""),
        "in /metrics");
  }

  @Test
  void forgedAnnouncementsLeaveTheTableAsItWas(Vertx vertx) throws Exception {
    Http http = new Http(vertx);
    PeerVerticle a = start(vertx, "a", new AtomicInteger());
    int port = a.localDiscovery().port();
    // A real peer the forger names with another id; it does not announce itself.
    PeerVerticle c =
        Peers.started(
            vertx,
            "c",
            Peers.folderWith(tmp, "c", Map.of("c.txt", "c")),
            List.of(),
            new JsonObject().put("ip", "127.0.0.2"));
    PeerId wrong = Identity.generate().id();
    // An impostor whose /health claims that other id and names c's secure port, which presents
    // c's own certificate.
    HttpServer impostor =
        await(
            vertx
                .createHttpServer()
                .requestHandler(
                    req ->
                        req.response()
                            .putHeader("content-type", "application/json")
                            .end(
                                new JsonObject()
                                    .put("status", "ok")
                                    .put("id", wrong.toString())
                                    .put("secure_url", c.secureUrl())
                                    .encode()))
                .listen(0, "127.0.0.2"));
    int nobody = StandIns.closedPort("127.0.0.2");
    List<String> tableBefore = http.getJson(a, "/status").getJsonArray("all_peers").getList();

    try (DatagramSocket forger = new DatagramSocket(new InetSocketAddress("127.0.0.2", 0))) {
      send(forger, port, new Announcement(wrong, List.of("http://127.0.0.2:" + nobody), 1));
      send(forger, port, new Announcement(wrong, List.of(c.selfUrl()), 2));
      send(
          forger,
          port,
          new Announcement(wrong, List.of("http://127.0.0.2:" + impostor.actualPort()), 3));
      // c's URL without an id: c's /health names one, so this is no announcement of c's.
      send(forger, port, new Announcement(null, List.of(c.selfUrl()), 4));
      until(
          "four verifications failed",
          Duration.ofSeconds(15),
          () -> stat(http, a, "lan_verify_failed") >= 4); // the unserved URL is tried twice
    }
    try (DatagramSocket flood = new DatagramSocket(new InetSocketAddress("127.0.0.3", 0))) {
      for (int i = 0; i < 3000; i++) {
        send(flood, port, new Announcement(wrong, List.of("http://10.0.0.1:" + (1 + i)), 10 + i));
      }
      // The kernel may drop part of a burst this fast: at least some hundreds get through.
      until(
          "the burst is heard and rate-limited",
          Duration.ofSeconds(15),
          () -> stat(http, a, "lan_rate_limited") >= 200);
    }
    JsonObject stats = http.getJson(a, "/status").getJsonObject("stats");
    // One bucket's worth at most passed the limit; verifying those fails (nobody serves them).
    long passed = stats.getLong("lan_heard") - 4 - stats.getLong("lan_rate_limited");
    assertTrue(passed <= 10, stats::encode);
    assertEquals(
        tableBefore, http.getJson(a, "/status").getJsonArray("all_peers").getList(), "unchanged");
    assertEquals(0, stat(http, a, "lan_added"));

    // A true announcement of c from c's address adds c: it proves its id. (From another address
    // its loopback host would stand for that address.) Sent again as c's own rounds would: the
    // burst's checks may still hold every slot.
    try (DatagramSocket relay = new DatagramSocket(new InetSocketAddress("127.0.0.2", 0))) {
      byte[] truth = new Announcement(c.id(), List.of(c.selfUrl()), 99).encode();
      until(
          "c is added",
          Duration.ofSeconds(20),
          () -> {
            try {
              relay.send(
                  new DatagramPacket(
                      truth, truth.length, InetAddress.getByName("127.0.0.1"), port));
            } catch (java.io.IOException e) {
              throw new java.io.UncheckedIOException(e);
            }
            return knowsAuthenticated(http, a, c);
          });
    }
    await(impostor.close());
  }

  @Test
  void aPortTakenByAnotherProgramIsAProblemNotAFailedStart(Vertx vertx) throws Exception {
    Http http = new Http(vertx);
    // Bound without address reuse: nobody else may bind the port, reuse or not.
    try (DatagramSocket taken = new DatagramSocket(null)) {
      taken.setReuseAddress(false);
      taken.bind(new InetSocketAddress("0.0.0.0", 0));
      PeerVerticle p =
          Peers.started(
              vertx,
              "p",
              Peers.folderWith(tmp, "p", Map.of("p.txt", "p")),
              List.of(),
              on().put("discovery_port", taken.getLocalPort()));
      JsonObject status = http.getJson(p, "/status");
      String problem = status.getJsonObject("problems").getString("discovery");
      assertTrue(
          problem != null && problem.contains(":" + taken.getLocalPort()),
          status.getJsonObject("problems")::encode);
      assertEquals(200, http.get(p, "/health").status(), "the peer serves all the same");
    }
  }

  static long stat(Http http, PeerVerticle p, String key) {
    return http.getJson(p, "/status").getJsonObject("stats").getLong(key);
  }

  static void send(DatagramSocket s, int port, Announcement a) throws Exception {
    byte[] p = a.encode();
    s.send(new DatagramPacket(p, p.length, InetAddress.getByName("127.0.0.1"), port));
  }
}
