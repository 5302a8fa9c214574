package io.peerd.identity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.peerd.node.PeerVerticle;
import io.peerd.testkit.Await;
import io.peerd.testkit.Http;
import io.peerd.testkit.Peers;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Real peers in one JVM proving their ids to each other over their secure ports. */
@ExtendWith(VertxExtension.class)
@Tag("network")
class PeerLinksTest {

  @TempDir Path tmp;

  /** The /peers table entry of {@code url} at {@code at}, or null. */
  static JsonObject entry(Http http, PeerVerticle at, String url) {
    for (Object o : http.getJson(at, "/peers").getJsonArray("table")) {
      JsonObject e = (JsonObject) o;
      if (e.getString("url").equals(url)) {
        return e;
      }
    }
    return null;
  }

  static boolean authenticated(Http http, PeerVerticle at, PeerVerticle other) {
    JsonObject e = entry(http, at, other.selfUrl());
    return e != null && e.getBoolean("authenticated") && e.getBoolean("healthy");
  }

  static List<String> peersWithHits(JsonObject answer) {
    List<String> out = new ArrayList<>();
    for (Object o : answer.getJsonArray("results")) {
      JsonObject r = (JsonObject) o;
      if (!r.getJsonArray("files").isEmpty()) {
        out.add(r.getString("peer"));
      }
    }
    return out;
  }

  PeerVerticle peer(Vertx vertx, String name, List<String> friends, JsonObject extra) {
    return Peers.started(
        vertx, name, Peers.folderWith(tmp, name, Map.of(name + "-file.txt", name)), friends, extra);
  }

  @Test
  void aFriendPinnedToItsIdIsAuthenticatedAndOneWithAnotherIdIsRefused(Vertx vertx) {
    Http http = new Http(vertx);
    PeerVerticle b = peer(vertx, "b", List.of(), null);
    PeerVerticle c = peer(vertx, "c", List.of(), null);
    PeerId wrong = Identity.generate().id();
    PeerVerticle a =
        peer(
            vertx,
            "a",
            List.of(b.id() + "@" + b.selfUrl(), wrong + "@" + c.selfUrl()),
            new JsonObject().put("register_on_start", true));

    JsonObject health = http.getJson(b, "/health");
    assertEquals(b.id().toString(), health.getString("id"));
    assertEquals(b.secureUrl(), health.getString("secure_url"));

    Await.until("a authenticates b", Duration.ofSeconds(10), () -> authenticated(http, a, b));
    Await.until(
        "a refuses c",
        Duration.ofSeconds(10),
        () -> {
          JsonObject e = entry(http, a, c.selfUrl());
          return e.getString("problem") != null;
        });
    JsonObject refused = entry(http, a, c.selfUrl());
    assertFalse(refused.getBoolean("authenticated"));
    assertEquals(wrong.toString(), refused.getString("id"));
    assertTrue(
        refused.getString("problem").startsWith("identity mismatch: expected " + wrong),
        refused.encode());
    assertTrue(refused.getString("problem").contains(c.id().toString()), refused.encode());
    assertEquals(b.id().toString(), entry(http, a, b.selfUrl()).getString("id"));

    // Both sides: a registered with b, and b proved a's id on its own probe.
    Await.until("b authenticates a", Duration.ofSeconds(10), () -> authenticated(http, b, a));

    JsonObject answer = http.getJson(a, "/search?query=file&ttl=2");
    List<String> hits = peersWithHits(answer);
    assertTrue(hits.contains(b.selfUrl()), answer.encode());
    assertFalse(hits.contains(c.selfUrl()), "the refused friend's files: " + answer.encode());
    JsonArray healthy = http.getJson(a, "/peers").getJsonArray("peers");
    assertFalse(healthy.contains(c.selfUrl()), healthy.encode());
    assertNull(entry(http, a, b.selfUrl()).getString("problem"));
    // The records-dropped counters are read from the live exchange (none dropped here).
    List<String> dropped =
        http.get(a, "/metrics")
            .text()
            .lines()
            .filter(l -> l.startsWith("peer_records_dropped_total{"))
            .toList();
    assertEquals(2, dropped.size(), dropped.toString());
    dropped.forEach(l -> assertTrue(l.endsWith(" 0.0"), l));
  }

  /** Forwards every connection on {@code port} to {@code to}: an impostor in the middle. */
  static io.vertx.core.net.NetServer proxy(Vertx vertx, int port, int to) {
    io.vertx.core.net.NetClient out = vertx.createNetClient();
    return Await.await(
        vertx
            .createNetServer()
            .connectHandler(
                in -> {
                  in.pause();
                  out.connect(to, "127.0.0.1")
                      .onSuccess(
                          o -> {
                            in.pipeTo(o);
                            o.pipeTo(in);
                            in.resume();
                          })
                      .onFailure(err -> in.close());
                })
            .listen(port, "127.0.0.1"));
  }

  @Test
  void anotherKeyBehindAKnownSecurePortIsRefusedAsAMismatch(Vertx vertx) {
    Http http = new Http(vertx);
    PeerVerticle b = peer(vertx, "b", List.of(), null);
    PeerVerticle c = peer(vertx, "c", List.of(), null);
    PeerVerticle a = peer(vertx, "a", List.of(b.selfUrl()), null);
    // Not pinned in the config: bound to b's id on first authenticated contact.
    Await.until("a authenticates b", Duration.ofSeconds(10), () -> authenticated(http, a, b));
    assertEquals(b.id().toString(), entry(http, a, b.selfUrl()).getString("id"));

    // b goes; its secure port now leads to c, which has its own key.
    int bSecure = b.securePort();
    Peers.stop(vertx, b);
    proxy(vertx, bSecure, c.securePort());
    Await.until(
        "a refuses what answers at b's secure port",
        Duration.ofSeconds(15),
        () -> entry(http, a, b.selfUrl()).getString("problem") != null);
    JsonObject e = entry(http, a, b.selfUrl());
    assertFalse(e.getBoolean("authenticated"), e.encode());
    assertTrue(
        e.getString("problem").startsWith("identity mismatch: expected " + b.id()), e.encode());
    assertTrue(e.getString("problem").contains("presented " + c.id()), e.encode());
    // Still bound to b's id: c's certificate was not taken in its place.
    assertEquals(b.id().toString(), e.getString("id"));
    assertFalse(http.getJson(a, "/peers").getJsonArray("peers").contains(b.selfUrl()));
  }

  @Test
  void unauthenticatedNeighboursAreUsedOnlyWhileAllowed(Vertx vertx) throws Exception {
    Http http = new Http(vertx);
    int[] seedSearches = {0};
    String seed =
        "http://127.0.0.1:"
            + Await.await(
                    io.peerd.testkit.StandIns.seedPeer(
                        vertx, "seed", "seed-file.txt", seedSearches))
                .actualPort();
    PeerVerticle plain = peer(vertx, "plain", List.of(), new JsonObject().put("identity", false));
    assertNull(plain.id());
    assertNull(http.getJson(plain, "/health").getString("secure_url"));
    PeerVerticle open = peer(vertx, "open", List.of(seed, plain.selfUrl()), null);
    Await.until(
        "both are used",
        Duration.ofSeconds(10),
        () -> http.getJson(open, "/peers").getJsonArray("peers").size() == 3);
    JsonObject e = entry(http, open, plain.selfUrl());
    assertFalse(e.getBoolean("authenticated"));
    assertNull(e.getString("id"));
    List<String> hits = peersWithHits(http.getJson(open, "/search?query=file"));
    assertTrue(hits.containsAll(List.of(seed, plain.selfUrl())), hits.toString());

    PeerVerticle closed =
        peer(
            vertx,
            "closed",
            List.of(seed, plain.selfUrl()),
            new JsonObject().put("allow_unauthenticated_peers", false));
    Await.until(
        "both are probed",
        Duration.ofSeconds(10),
        () -> {
          JsonObject s = entry(http, closed, seed);
          return s.getValue("last_seen") != null
              && entry(http, closed, plain.selfUrl()).getValue("last_seen") != null;
        });
    int before = seedSearches[0];
    JsonObject answer = http.getJson(closed, "/search?query=file");
    assertEquals(List.of(closed.selfUrl()), peersWithHits(answer), answer.encode());
    assertEquals(before, seedSearches[0], "the seed peer was not asked");
    assertTrue(http.getJson(closed, "/peers").getJsonArray("peers").size() == 1);

    // A forwarded query from a caller without an id is refused; a person's own search is not.
    Http.Reply refused =
        http.get(closed, "/search?query=file&from=" + plain.selfUrl() + "&id=q1&ttl=1");
    assertEquals(403, refused.status());
    assertEquals("unauthenticated", refused.error());
    assertEquals(200, http.get(closed, "/search?query=file").status());
  }

  /** The swarm's gRPC wire over a peer's secure port: the id checked before the call is sent. */
  @Test
  void grpcTransfersGoOverTheSecurePortAndOnlyToTheIdExpected(Vertx vertx) throws Exception {
    Http http = new Http(vertx);
    PeerVerticle b = peer(vertx, "b", List.of(), null);
    JsonObject file = http.getJson(b, "/files").getJsonArray("files").getJsonObject(0);
    String root = file.getString("root");
    // The address the call is for leads nowhere: only following the link reaches b at all.
    io.vertx.core.net.SocketAddress grpc =
        io.vertx.core.net.SocketAddress.inetSocketAddress(
            io.peerd.testkit.StandIns.closedPort(), "127.0.0.1");
    Identity mine = Identity.generate();

    io.peerd.rpc.TransferClient right =
        new io.peerd.rpc.TransferClient(
            vertx, 5000, mine, a -> io.peerd.peers.Link.secure(b.secureUrl(), b.id()));
    var layer = Await.await(io.peerd.testkit.OnLoop.run(vertx, () -> right.pieces(grpc, root, 0)));
    assertEquals(file.getLong("size"), layer.size());
    io.peerd.transfer.Received got = io.peerd.transfer.Received.discard();
    long bytes =
        Await.await(
            io.peerd.testkit.OnLoop.run(
                vertx,
                () ->
                    right.range(
                        grpc,
                        root,
                        0,
                        file.getLong("size"),
                        got,
                        io.vertx.core.Promise.<Void>promise().future())));
    assertEquals(file.getLong("size"), bytes);

    io.peerd.rpc.TransferClient wrong =
        new io.peerd.rpc.TransferClient(
            vertx,
            5000,
            mine,
            a -> io.peerd.peers.Link.secure(b.secureUrl(), Identity.generate().id()));
    Throwable mismatch =
        Await.failure(io.peerd.testkit.OnLoop.run(vertx, () -> wrong.pieces(grpc, root, 0)));
    assertEquals(
        "IDENTITY_MISMATCH",
        ((io.peerd.transfer.TransferFailure) mismatch).code(),
        mismatch.toString());
    assertTrue(mismatch.getMessage().contains("presented " + b.id()), mismatch.getMessage());

    io.peerd.rpc.TransferClient refused =
        new io.peerd.rpc.TransferClient(
            vertx, 5000, mine, a -> io.peerd.peers.Link.refuse(null, "its identity was refused"));
    Throwable no =
        Await.failure(io.peerd.testkit.OnLoop.run(vertx, () -> refused.pieces(grpc, root, 0)));
    assertEquals("IDENTITY_REFUSED", ((io.peerd.transfer.TransferFailure) no).code());
    right.close();
    wrong.close();
    refused.close();
  }
}
