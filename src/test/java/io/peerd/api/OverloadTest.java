package io.peerd.api;

import static io.peerd.testkit.Await.await;
import static io.peerd.testkit.Await.until;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.peerd.node.PeerVerticle;
import io.peerd.testkit.Await;
import io.peerd.testkit.BusyLoop;
import io.peerd.testkit.Http;
import io.peerd.testkit.Peers;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.junit5.VertxExtension;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Admission control: work over its bound is refused at once with 503, {@code Retry-After} and
 * {@code overloaded}, while {@code /health} and work of other kinds still answer, and the peer
 * takes work again as soon as a place frees up. Neighbours route around a peer that sheds.
 */
@ExtendWith(VertxExtension.class)
@Tag("peer")
class OverloadTest {

  @TempDir Path tmp;

  /**
   * A neighbour whose /health answers at once and whose /search answers only when told: it keeps
   * the searches that ask it in flight for as long as a test wants.
   */
  record Slow(HttpServer server, List<io.vertx.ext.web.RoutingContext> held) {
    String url() {
      return "http://127.0.0.1:" + server.actualPort();
    }

    /** Answers every held search with no hits. */
    void release(Vertx vertx) {
      vertx.runOnContext(
          v -> {
            for (io.vertx.ext.web.RoutingContext ctx : held) {
              ctx.json(
                  new JsonObject()
                      .put("query", "x")
                      .put("results", new JsonArray().add(new JsonObject().put("peer", url()))));
            }
            held.clear();
          });
    }
  }

  static Slow slow(Vertx vertx) {
    List<io.vertx.ext.web.RoutingContext> held = new java.util.concurrent.CopyOnWriteArrayList<>();
    Router r = Router.router(vertx);
    r.get("/health").handler(ctx -> ctx.json(new JsonObject().put("status", "ok")));
    r.get("/search").handler(held::add);
    HttpServer s = await(vertx.createHttpServer().requestHandler(r).listen(0, "127.0.0.1"));
    return new Slow(s, held);
  }

  /** The healthy peers of a peer's table, as its /peers says (the seed's list of URLs). */
  static List<Object> healthy(Http http, PeerVerticle p) {
    List<Object> all = new ArrayList<>(http.getJson(p, "/peers").getJsonArray("peers").getList());
    all.remove(p.selfUrl());
    return all;
  }

  static boolean answered(JsonObject answer, String peer) {
    return answer.getJsonArray("results").stream()
        .anyMatch(r -> ((JsonObject) r).getString("peer").equals(peer));
  }

  static JsonObject load(Http http, PeerVerticle p, String kind) {
    return http.getJson(p, "/status").getJsonObject("load").getJsonObject(kind);
  }

  @Test
  void searchesOverTheBoundAreShedAtOnceAndTakenAgainWhenAPlaceFrees(Vertx vertx) {
    Http http = new Http(vertx);
    Slow neighbour = slow(vertx);
    PeerVerticle p =
        Peers.started(
            vertx,
            "o",
            Peers.folderWith(tmp, "s", Map.of("doc.txt", "a document")),
            List.of(neighbour.url()),
            new JsonObject()
                .put("max_searches_in_flight", 2)
                .put("max_forwarded_in_flight", 1)
                .put("friend_timeout_ms", 20_000)
                .put("search_timeout_ms", 20_000));
    until("the neighbour is healthy", Await.BOUND, () -> healthy(http, p).size() == 1);

    // Two searches wait on the neighbour: the bound is reached.
    Future<Http.Reply> first = http.getAsync(p, "/search?query=doc&ttl=1");
    Future<Http.Reply> second = http.getAsync(p, "/search?query=doc&ttl=1");
    until("two searches wait on the neighbour", Await.BOUND, () -> neighbour.held().size() == 2);

    long t0 = System.nanoTime();
    Http.Reply third = http.get(p, "/search?query=doc&ttl=1");
    long shedMs = (System.nanoTime() - t0) / 1_000_000;
    assertEquals(503, third.status(), third.text());
    assertEquals("overloaded", third.error());
    assertEquals("1", third.header("Retry-After"));
    assertTrue(third.json().getString("detail").contains("2 search requests"), third.text());
    assertTrue(shedMs < 5_000, "refused at once, not after the neighbour's timeout: " + shedMs);

    // What is not a search still answers: /health, /files, and a forwarded query in its own bound.
    assertEquals(200, http.get(p, "/health").status());
    assertEquals(200, http.get(p, "/files").status());
    Future<Http.Reply> forwarded =
        http.getAsync(p, "/search?query=doc&ttl=1&from=http://127.0.0.1:9&id=f1");
    until("the forwarded query waits too", Await.BOUND, () -> neighbour.held().size() == 3);
    Http.Reply forwardedShed = http.get(p, "/search?query=doc&ttl=1&from=http://127.0.0.1:9&id=f2");
    assertEquals(503, forwardedShed.status(), forwardedShed.text());
    assertEquals("1", forwardedShed.header("Retry-After"));

    JsonObject search = load(http, p, "search");
    assertEquals(2, search.getInteger("running"));
    assertEquals(2, search.getInteger("limit"));
    assertEquals(1, search.getLong("shed"));
    assertEquals(1, load(http, p, "forwarded").getLong("shed"));
    String metrics = http.get(p, "/metrics").text();
    assertTrue(
        metrics
            .lines()
            .anyMatch(l -> l.matches("peer_requests_shed_total\\{.*kind=\"search\".*} 1\\.0")),
        metrics);

    // The held searches end: their places free up, and the next search is taken.
    neighbour.release(vertx);
    assertEquals(200, await(first).status());
    assertEquals(200, await(second).status());
    assertEquals(200, await(forwarded).status());
    until("no search runs", Await.BOUND, () -> load(http, p, "search").getInteger("running") == 0);
    Future<Http.Reply> again = http.getAsync(p, "/search?query=doc&ttl=1");
    until("the next search is taken", Await.BOUND, () -> neighbour.held().size() == 1);
    neighbour.release(vertx);
    Http.Reply answer = await(again);
    assertEquals(200, answer.status(), answer.text());
    assertTrue(answered(answer.json(), p.selfUrl()), answer.text());
  }

  /** A peer on {@code one} (a Vert.x of one event loop, which a test keeps behind), bound 20 ms. */
  PeerVerticle onOneLoop(Vertx one, String name, Map<String, String> files) {
    return await(
        Peers.start(
            one,
            Peers.config(
                name,
                Peers.folderWith(tmp, name, files),
                List.of(),
                new JsonObject().put("max_loop_delay_ms", 20))));
  }

  /**
   * A peer whose event loop stays behind sheds the searches and file answers that queue behind
   * other work, even far from its bounds of work in flight, while /health still answers; a lone
   * client, whose request waited behind nothing of its kind, is served however late the loop is;
   * once the loop catches up the peer takes everything again. The peer runs on a Vert.x of one
   * event loop, which the test keeps busy 40 ms at a time, as a flood would; its client runs on
   * another.
   */
  @Test
  void aPeerWhoseLoopStaysBehindShedsWhatQueuesAndTakesItAgainOnceCaughtUp(Vertx vertx) {
    Http http = new Http(vertx);
    Vertx one = Vertx.vertx(new io.vertx.core.VertxOptions().setEventLoopPoolSize(1));
    try {
      PeerVerticle p = onOneLoop(one, "s", Map.of("doc.txt", "a document"));
      assertEquals(200, http.get(p, "/search?query=doc&ttl=0").status());

      java.util.concurrent.atomic.AtomicBoolean busy = BusyLoop.keepBehind(one, 40);
      assertEquals(
          200,
          http.get(p, "/search?query=doc&ttl=0").status(),
          "a lone search waited behind nothing of its kind");
      List<Http.Reply> burst = burst(http, p, "/search?query=doc&ttl=0", 30);
      Http.Reply shed =
          burst.stream()
              .filter(r -> r.status() == 503)
              .findFirst()
              .orElseThrow(() -> new AssertionError("none of 30 searches at once was refused"));
      assertEquals("overloaded", shed.error());
      assertEquals("1", shed.header("Retry-After"));
      assertTrue(shed.json().getString("detail").contains("ms behind"), shed.text());
      assertTrue(
          burst.stream().allMatch(r -> r.status() == 200 || r.status() == 503),
          "answered or refused, nothing else");
      assertTrue(
          burst(http, p, "/files/doc.txt", 30).stream().anyMatch(r -> r.status() == 503),
          "file answers are shed too");
      assertEquals(200, http.get(p, "/health").status(), "/health is never refused");
      JsonObject loop = http.getJson(p, "/status").getJsonObject("load").getJsonObject("loop");
      assertTrue(loop.getLong("shed") >= 2, loop.encode());
      assertEquals(20, loop.getLong("limit_ms"));

      busy.set(false);
      until(
          "a burst is served whole once the loop has caught up",
          Await.BOUND,
          () ->
              burst(http, p, "/search?query=doc&ttl=0", 30).stream()
                  .allMatch(r -> r.status() == 200));
    } finally {
      await(one.close());
    }
  }

  /**
   * A download in progress here is admitted work: the next byte range of a host this peer is
   * already serving is not refused for a late loop (a peer serving a fast download runs its loop
   * late by the serving itself), while a host that was sent no large range yet is, and so is a
   * request without a range. The peer runs on a Vert.x of one event loop kept busy 40 ms at a time;
   * the two hosts are two loopback addresses.
   */
  @Test
  void theNextRangeOfADownloadInProgressIsServedThroughALateLoopANewcomersIsNot(Vertx vertx) {
    Http http = new Http(vertx);
    Vertx one = Vertx.vertx(new io.vertx.core.VertxOptions().setEventLoopPoolSize(1));
    try {
      PeerVerticle p = onOneLoop(one, "r", Map.of("doc.txt", "a document ".repeat(30_000)));
      String content =
          "/content/"
              + http.getJson(p, "/files").getJsonArray("files").getJsonObject(0).getString("root");
      io.vertx.core.http.HttpClient downloader = from(vertx, "127.0.0.1");
      io.vertx.core.http.HttpClient newcomer = from(vertx, "127.0.0.2");
      assertEquals(
          206, await(ranged(downloader, p, content, 300_000)), "on time: a range of 300,000 bytes");

      java.util.concurrent.atomic.AtomicBoolean busy = BusyLoop.keepBehind(one, 40);
      List<Future<Integer>> next = new ArrayList<>();
      for (int i = 0; i < 6; i++) {
        next.add(ranged(downloader, p, content, 4));
      }
      await(Future.join(next));
      assertTrue(
          next.stream().allMatch(f -> f.result() == 206),
          "the downloader's next ranges: " + next.stream().map(Future::result).toList());
      List<Future<Integer>> theirs = new ArrayList<>();
      for (int i = 0; i < 30; i++) {
        theirs.add(ranged(newcomer, p, content, 4));
      }
      await(Future.join(theirs));
      assertTrue(
          theirs.stream().anyMatch(f -> f.result() == 503),
          "30 ranges at once from a newcomer: " + theirs.stream().map(Future::result).toList());
      assertTrue(
          burst(http, p, "/files/doc.txt", 30).stream().anyMatch(r -> r.status() == 503),
          "whole files are no download in progress");
      busy.set(false);
    } finally {
      await(one.close());
    }
  }

  private static io.vertx.core.http.HttpClient from(Vertx vertx, String address) {
    return vertx.createHttpClient(
        new io.vertx.core.http.HttpClientOptions().setLocalAddress(address),
        new io.vertx.core.http.PoolOptions().setHttp1MaxSize(32));
  }

  /** The first {@code bytes} of {@code path}; its status once the answer is read. */
  private static Future<Integer> ranged(
      io.vertx.core.http.HttpClient client, PeerVerticle p, String path, int bytes) {
    return client
        .request(
            new io.vertx.core.http.RequestOptions()
                .setHost("127.0.0.1")
                .setPort(p.restPort())
                .setURI(path)
                .putHeader("Range", "bytes=0-" + (bytes - 1)))
        .compose(req -> req.send())
        .compose(resp -> resp.body().map(b -> resp.statusCode()));
  }

  /** {@code n} requests sent at once, and their answers. */
  private static List<Http.Reply> burst(Http http, PeerVerticle p, String path, int n) {
    List<Future<Http.Reply>> sent = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      sent.add(http.getAsync(p, path));
    }
    await(Future.join(sent));
    return sent.stream().map(Future::result).toList();
  }

  @Test
  void fileAnswersOverTheBoundAreShedAndAClosedConnectionFreesItsPlace(Vertx vertx)
      throws Exception {
    Http http = new Http(vertx);
    Path share = Files.createDirectories(tmp.resolve("files"));
    // Larger than every socket buffer on the way: a client that reads nothing holds the answer.
    byte[] big = new byte[64 << 20];
    new java.util.Random(7).nextBytes(big);
    Files.write(share.resolve("big.bin"), big);
    PeerVerticle p =
        Peers.started(
            vertx, "f", share, List.of(), new JsonObject().put("max_file_requests_in_flight", 1));

    try (Socket holder = new Socket("127.0.0.1", p.restPort())) {
      OutputStream out = holder.getOutputStream();
      out.write(
          "GET /files/big.bin HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = holder.getInputStream();
      assertTrue(in.read(new byte[1024]) > 0, "the first answer starts");
      until(
          "one file answer runs",
          Await.BOUND,
          () -> load(http, p, "file").getInteger("running") == 1);

      Http.Reply shed = http.get(p, "/files/big.bin");
      assertEquals(503, shed.status());
      assertEquals("overloaded", shed.error());
      assertEquals("1", shed.header("Retry-After"));
      assertEquals(
          200,
          await(
                  http.sendAsync(
                      io.vertx.core.http.HttpMethod.HEAD, p.restPort(), "/files/big.bin", null))
              .status(),
          "a HEAD moves no file");
    }
    // The holder's connection closed mid-answer: its place is free again.
    until(
        "the place is freed", Await.BOUND, () -> load(http, p, "file").getInteger("running") == 0);
    Http.Reply whole = http.get(p, "/files/big.bin");
    assertEquals(200, whole.status());
    assertEquals(big.length, whole.body().length());
    assertEquals(1, load(http, p, "file").getLong("shed"));
  }

  @Test
  void neighboursRouteAroundAPeerThatSheds(Vertx vertx) {
    Http http = new Http(vertx);
    Slow far = slow(vertx);
    // b is full: its one place for forwarded queries is held by a query waiting on a slow peer.
    PeerVerticle b =
        Peers.started(
            vertx,
            "b",
            Peers.folderWith(tmp, "b", Map.of("b-doc.txt", "b")),
            List.of(far.url()),
            new JsonObject()
                .put("max_forwarded_in_flight", 1)
                .put("friend_timeout_ms", 20_000)
                .put("search_timeout_ms", 20_000));
    PeerVerticle c =
        Peers.started(
            vertx, "c", Peers.folderWith(tmp, "c", Map.of("c-doc.txt", "c")), List.of(), null);
    PeerVerticle a =
        Peers.started(
            vertx,
            "a",
            Peers.folderWith(tmp, "a", Map.of("a-doc.txt", "a")),
            List.of(b.selfUrl(), c.selfUrl()),
            new JsonObject().put("health_check_interval", 30).put("peer_max_backoff", 60));
    until("a's neighbours are healthy", Await.BOUND, () -> healthy(http, a).size() == 2);
    until("b's neighbour is healthy", Await.BOUND, () -> healthy(http, b).size() == 1);
    Future<Http.Reply> holding =
        http.getAsync(b, "/search?query=doc&ttl=1&from=http://127.0.0.1:9&id=hold");
    until("b's place is held", Await.BOUND, () -> far.held().size() == 1);

    Http.Reply first = http.get(a, "/search?query=doc&ttl=1&fanout=2");
    assertEquals(200, first.status(), first.text());
    JsonObject answer = first.json();
    assertTrue(answered(answer, c.selfUrl()), answer.encode());
    JsonArray unreachable = answer.getJsonArray("unreachable");
    assertEquals(1, unreachable.size(), answer.encode());
    assertEquals(b.selfUrl(), unreachable.getJsonObject(0).getString("peer"));
    assertTrue(unreachable.getJsonObject(0).getString("reason").contains("503"), answer.encode());
    assertTrue(answer.getLong("elapsed_ms") < 5_000, "b's refusal is at once: " + answer.encode());

    long refused = System.nanoTime();

    // Busy is not down: b stays healthy in a's table (its probe backoff untouched), and a leaves it
    // out for the Retry-After it gave (1 s): the next search does not ask it, and has c's answer.
    assertTrue(healthy(http, a).contains(b.selfUrl()), "b is not marked failed");
    Http.Reply next = http.get(a, "/search?query=doc&ttl=1&fanout=2");
    long sinceRefusal = (System.nanoTime() - refused) / 1_000_000;
    JsonObject nextAnswer = next.json();
    assertTrue(answered(nextAnswer, c.selfUrl()), nextAnswer.encode());
    assertFalse(answered(nextAnswer, b.selfUrl()), nextAnswer.encode());
    JsonArray again = nextAnswer.getJsonArray("unreachable");
    if (sinceRefusal < Admission.RETRY_AFTER_SECONDS * 1000 - 100) {
      assertEquals(0, again.size(), "b is left alone within its Retry-After: " + nextAnswer);
    } else {
      // A slow machine took longer than the hold: then b is asked again, and is busy again.
      assertEquals(b.selfUrl(), again.getJsonObject(0).getString("peer"), nextAnswer.encode());
    }
    String holds = "peer_search_busy_holds_total{peer=\"a\"} " + (1 + again.size()) + ".0";
    assertTrue(http.get(a, "/metrics").text().contains(holds), "a counted its holds: " + holds);
    far.release(vertx);
    assertEquals(200, await(holding).status());
  }
}
