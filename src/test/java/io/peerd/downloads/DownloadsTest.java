package io.peerd.downloads;

import static io.peerd.testkit.Await.await;
import static io.peerd.testkit.Await.until;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.peerd.node.PeerVerticle;
import io.peerd.testkit.BusyLoop;
import io.peerd.testkit.Http;
import io.peerd.testkit.Peers;
import io.peerd.testkit.TestFiles;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The peer's own downloads, over its REST API, from real peers in this JVM: a file asked for by
 * root arrives verified under its name and is shared at once; pause, resume and cancel; bad input
 * changes nothing; a restarted peer goes on where its verified pieces end.
 */
@ExtendWith(VertxExtension.class)
@Tag("network")
class DownloadsTest {

  static final Duration BOUND = Duration.ofSeconds(60);

  @TempDir Path tmp;

  /** A seeder with the file, held to {@code rate} bytes per second (0: unthrottled). */
  PeerVerticle seeder(Vertx vertx, String name, Path share, long rate) {
    return Peers.started(
        vertx, name, share, List.of(), new JsonObject().put("upload_rate_limit", rate));
  }

  PeerVerticle downloader(Vertx vertx, String name, List<PeerVerticle> friends) {
    return await(Peers.start(vertx, downloaderConfig(name, friends)));
  }

  JsonObject downloaderConfig(String name, List<PeerVerticle> friends) {
    tmp.resolve(name + "-share").toFile().mkdirs();
    return Peers.config(
        name,
        tmp.resolve(name + "-share"),
        friends.stream().map(PeerVerticle::selfUrl).toList(),
        new JsonObject().put("state_dir", tmp.resolve(name + "-state").toString()));
  }

  static String rootOf(Http http, PeerVerticle p, String name) {
    for (Object o : http.getJson(p, "/files").getJsonArray("files")) {
      JsonObject f = (JsonObject) o;
      if (f.getString("name").equals(name)) {
        return f.getString("root");
      }
    }
    throw new AssertionError(name + " is not in " + p.selfUrl() + "'s /files");
  }

  static JsonObject download(Http http, PeerVerticle p, String id) {
    return http.getJson(p, "/downloads/" + id);
  }

  static JsonObject waitFor(Http http, PeerVerticle p, String id, String state) {
    JsonObject[] last = {null};
    try {
      until(
          id + " " + state,
          BOUND,
          () -> {
            last[0] = download(http, p, id);
            assertFalse(
                !state.equals("failed") && "failed".equals(last[0].getString("state")),
                "failed: " + last[0]);
            return state.equals(last[0].getString("state"));
          });
    } catch (AssertionError notThere) {
      // What the download said last (its sources' states and errors) is what explains a stall.
      throw new AssertionError(notThere.getMessage() + "; last seen " + last[0], notThere);
    }
    return last[0];
  }

  static List<String> listed(Http http, PeerVerticle p) {
    return http.getJson(p, "/files").getJsonArray("files").stream()
        .map(o -> ((JsonObject) o).getString("name"))
        .toList();
  }

  @Test
  void aFileAskedForByRootArrivesVerifiedUnderItsNameAndIsSharedAtOnce(Vertx vertx)
      throws Exception {
    Http http = new Http(vertx);
    Path share = Files.createDirectories(tmp.resolve("a"));
    TestFiles.Written film = TestFiles.random(share, "film.bin", 3 << 20, 1);
    PeerVerticle a = seeder(vertx, "a", share, 0);
    PeerVerticle b = seeder(vertx, "b", share, 0);
    PeerVerticle d = downloader(vertx, "d", List.of(a, b));
    // The name is taken already: the download gets a numbered one, and nothing is replaced.
    Path taken = Files.createDirectories(tmp.resolve("d-share/downloads")).resolve("film.bin");
    Files.writeString(taken, "mine");
    String root = rootOf(http, a, "film.bin");

    Http.Reply asked = http.post(d, "/downloads", new JsonObject().put("root", root));
    assertEquals(202, asked.status(), asked.text());
    String id = asked.json().getString("id");
    assertEquals("/downloads/" + id, asked.header("Location"));
    JsonObject done = waitFor(http, d, id, "done");

    assertEquals("downloads/film (1).bin", done.getString("file"));
    assertEquals(film.sha256(), done.getString("sha256"));
    assertEquals(film.size(), done.getLong("bytes_done"));
    assertEquals(film.sha256(), TestFiles.sha256(tmp.resolve("d-share/downloads/film (1).bin")));
    assertEquals("mine", Files.readString(taken));
    long gave =
        done.getJsonArray("sources").stream()
            .mapToLong(s -> ((JsonObject) s).getLong("bytes"))
            .sum();
    assertEquals(film.size(), gave, "every byte from a source, once: " + done);
    for (Object s : done.getJsonArray("sources")) {
      assertEquals("http", ((JsonObject) s).getString("wire"), "peers' bytes over HTTP: " + done);
    }
    until("shared at once", BOUND, () -> listed(http, d).contains("downloads/film (1).bin"));
    assertEquals(root, rootOf(http, d, "downloads/film (1).bin"));
    try (Stream<Path> left = Files.list(tmp.resolve("d-share/downloads/.peerd-parts"))) {
      assertEquals(List.of(), left.toList(), "no partial data left");
    }

    // Asked again: the same download, not a second one.
    Http.Reply again = http.post(d, "/downloads", new JsonObject().put("root", root));
    assertEquals(200, again.status(), again.text());
    assertEquals(id, again.json().getString("id"));
    assertEquals(1, http.getJson(d, "/downloads").getJsonArray("downloads").size());
  }

  @Test
  void aMagnetANameWithItsSha256AndAFileSharedHereAlready(Vertx vertx) throws Exception {
    Http http = new Http(vertx);
    Path share = Files.createDirectories(tmp.resolve("a"));
    TestFiles.Written one = TestFiles.random(share, "one.bin", 1 << 20, 11);
    TestFiles.Written two = TestFiles.random(share, "sub/two.bin", 1 << 20, 12);
    PeerVerticle a = seeder(vertx, "a", share, 0);
    // Another peer has other bytes under the same name.
    Path elsewhere = Files.createDirectories(tmp.resolve("b"));
    TestFiles.Written otherOne = TestFiles.random(elsewhere, "one.bin", 1 << 20, 17);
    PeerVerticle b = seeder(vertx, "b", elsewhere, 0);
    Path mine = Files.createDirectories(tmp.resolve("d-share"));
    TestFiles.Written own = TestFiles.random(mine, "own.bin", 4096, 13);
    PeerVerticle d = downloader(vertx, "d", List.of(a, b));

    String magnet = null;
    for (Object o : http.getJson(a, "/files").getJsonArray("files")) {
      JsonObject f = (JsonObject) o;
      if (f.getString("name").equals("one.bin")) {
        magnet = f.getString("magnet");
      }
    }
    Http.Reply byMagnet = http.post(d, "/downloads", new JsonObject().put("magnet", magnet));
    assertEquals(202, byMagnet.status(), byMagnet.text());
    Http.Reply byName =
        http.post(
            d,
            "/downloads",
            new JsonObject().put("name", "sub/two.bin").put("sha256", two.sha256()));
    assertEquals(202, byName.status(), byName.text());
    waitFor(http, d, byMagnet.json().getString("id"), "done");
    JsonObject named = waitFor(http, d, byName.json().getString("id"), "done");
    assertEquals("downloads/two.bin", named.getString("file"));
    assertEquals(one.sha256(), TestFiles.sha256(mine.resolve("downloads/one.bin")));
    assertEquals(two.sha256(), TestFiles.sha256(mine.resolve("downloads/two.bin")));

    // The same name, the other content: the SHA-256 picks the holder.
    Http.Reply other =
        http.post(
            d,
            "/downloads",
            new JsonObject().put("name", "one.bin").put("sha256", otherOne.sha256()));
    assertEquals(202, other.status(), other.text());
    JsonObject second = waitFor(http, d, other.json().getString("id"), "done");
    assertEquals("downloads/one (1).bin", second.getString("file"));
    assertEquals(otherOne.sha256(), TestFiles.sha256(mine.resolve("downloads/one (1).bin")));

    // A name with a SHA-256 nobody has: it waits for a source, and says so.
    Http.Reply none =
        http.post(
            d,
            "/downloads",
            new JsonObject().put("name", "one.bin").put("sha256", "ab".repeat(32)));
    assertEquals(202, none.status(), none.text());
    until(
        "waiting for a source",
        BOUND,
        () ->
            download(http, d, none.json().getString("id"))
                .getString("reason")
                .startsWith("no source found yet"));

    // Shared here already: done at once, nothing fetched.
    Http.Reply here =
        http.post(d, "/downloads", new JsonObject().put("root", rootOf(http, d, "own.bin")));
    assertEquals(200, here.status(), here.text());
    assertEquals("done", here.json().getString("state"));
    assertEquals("own.bin", here.json().getString("file"));
    assertEquals(own.sha256(), here.json().getString("sha256"));
  }

  @Test
  void beyondMaxActiveDownloadsTheRestWaitQueuedAndSaySo(Vertx vertx) throws Exception {
    Http http = new Http(vertx);
    Path share = Files.createDirectories(tmp.resolve("a"));
    TestFiles.random(share, "first.bin", 4 << 20, 14);
    TestFiles.Written second = TestFiles.random(share, "second.bin", 1 << 20, 15);
    PeerVerticle a = seeder(vertx, "a", share, 2 << 20);
    PeerVerticle d =
        await(Peers.start(vertx, downloaderConfig("d", List.of(a)).put("max_active_downloads", 1)));
    String first =
        http.post(d, "/downloads", new JsonObject().put("root", rootOf(http, a, "first.bin")))
            .json()
            .getString("id");
    String next =
        http.post(d, "/downloads", new JsonObject().put("root", rootOf(http, a, "second.bin")))
            .json()
            .getString("id");
    until("the first moving", BOUND, () -> download(http, d, first).getLong("bytes_done") > 0);
    JsonObject waiting = download(http, d, next);
    assertEquals("queued", waiting.getString("state"), waiting.encode());
    assertEquals("waiting for a free slot", waiting.getString("reason"));
    waitFor(http, d, first, "done");
    waitFor(http, d, next, "done");
    assertEquals(second.sha256(), TestFiles.sha256(tmp.resolve("d-share/downloads/second.bin")));
  }

  /**
   * Found by the chaos soak: a daemon looks content up through its own REST API, and under load it
   * sheds its own lookup (503 overloaded). The download failed for good; it must wait and look
   * again. The downloader runs on a Vert.x of one event loop that the test keeps 40 ms behind, with
   * four clients' file requests queued on it.
   */
  @Test
  void aLookupRefusedForOverloadWaitsAndLooksAgainInsteadOfFailing(Vertx vertx) throws Exception {
    Http http = new Http(vertx);
    Path share = Files.createDirectories(tmp.resolve("a"));
    TestFiles.Written file = TestFiles.random(share, "busy.bin", 1 << 20, 17);
    PeerVerticle a = seeder(vertx, "a", share, 0);
    Vertx one = Vertx.vertx(new io.vertx.core.VertxOptions().setEventLoopPoolSize(1));
    try {
      PeerVerticle d =
          await(Peers.start(one, downloaderConfig("d", List.of(a)).put("max_loop_delay_ms", 10)));
      java.util.concurrent.atomic.AtomicBoolean busy = BusyLoop.keepBehind(one, 40);
      // Other clients' file requests queue on that loop too: the lookup waits behind them.
      for (int i = 0; i < 4; i++) {
        vertx.runOnContext(v -> hammer(http, d, busy));
      }
      String id =
          http.post(d, "/downloads", new JsonObject().put("root", rootOf(http, a, "busy.bin")))
              .json()
              .getString("id");
      JsonObject[] seen = {null};
      until(
          "the lookup is refused and the download waits",
          BOUND,
          () -> {
            seen[0] = download(http, d, id);
            return !seen[0].getString("state").equals("resolving");
          });
      assertEquals("queued", seen[0].getString("state"), seen[0].encode());
      assertTrue(seen[0].getString("reason").contains("behind"), seen[0].encode());
      busy.set(false);
      waitFor(http, d, id, "done");
      assertEquals(file.sha256(), TestFiles.sha256(tmp.resolve("d-share/downloads/busy.bin")));
    } finally {
      await(one.close());
    }
  }

  /** One client asking for a file again and again, as long as the loop is kept busy. */
  private static void hammer(
      Http http, PeerVerticle d, java.util.concurrent.atomic.AtomicBoolean busy) {
    if (busy.get()) {
      http.getAsync(d, "/files/nothing-here.txt").onComplete(ar -> hammer(http, d, busy));
    }
  }

  @Test
  void contentNobodyHasWaitsForASourceAndArrivesWhenOneAppears(Vertx vertx) throws Exception {
    Http http = new Http(vertx);
    Path share = Files.createDirectories(tmp.resolve("a"));
    TestFiles.Written late = TestFiles.random(share, "late.bin", 1 << 20, 16);
    PeerVerticle a = seeder(vertx, "a", share, 0);
    PeerVerticle d = downloader(vertx, "d", List.of());
    String root = rootOf(http, a, "late.bin");
    String id =
        http.post(d, "/downloads", new JsonObject().put("root", root)).json().getString("id");
    JsonObject[] seen = {null};
    until(
        "waiting, and saying why",
        BOUND,
        () -> {
          seen[0] = download(http, d, id);
          return seen[0].getString("reason").startsWith("no source found yet; looking again in");
        });
    assertEquals("queued", seen[0].getString("state"), seen[0].encode());

    // A source appears: the next look finds it.
    http.register(d, a);
    JsonObject done = waitFor(http, d, id, "done");
    assertEquals(late.sha256(), TestFiles.sha256(tmp.resolve("d-share/downloads/late.bin")));
    assertEquals("", done.getString("reason"));
  }

  @Test
  void aWallClockSteppedBackWhileADownloadWaitsForSourcesDoesNotPostponeItsNextLook(Vertx vertx)
      throws Exception {
    // The chaos soak's clock jump: NTP steps this host's wall clock back 10 minutes while a
    // download waits 5 s to look for sources again. The wait is monotonic; on the wall clock it
    // became 10 minutes and 5 s.
    Http http = new Http(vertx);
    Path share = Files.createDirectories(tmp.resolve("a"));
    TestFiles.Written late = TestFiles.random(share, "late.bin", 256 << 10, 17);
    PeerVerticle a = seeder(vertx, "a", share, 0);
    PeerVerticle d = downloader(vertx, "d", List.of());
    String root = rootOf(http, a, "late.bin");
    String id =
        http.post(d, "/downloads", new JsonObject().put("root", root)).json().getString("id");
    until(
        "waiting for sources",
        BOUND,
        () -> download(http, d, id).getString("reason").contains("looking again in"));
    long step = -600_000;
    Downloads.wallClock = () -> System.currentTimeMillis() + step;
    try {
      http.register(d, a);
      JsonObject[] last = {null};
      until(
          "done well within the 5 s wait, not 10 minutes later",
          Duration.ofSeconds(20),
          () -> "done".equals((last[0] = download(http, d, id)).getString("state")));
      assertEquals(late.sha256(), TestFiles.sha256(tmp.resolve("d-share/downloads/late.bin")));
      assertTrue(
          last[0].getLong("updated") <= System.currentTimeMillis() + step + 1_000,
          "the row's own timestamps follow the wall clock: " + last[0].encode());
    } finally {
      Downloads.wallClock = System::currentTimeMillis;
    }
  }

  @Test
  void aDownloadACrashCaughtAfterItsFileGotItsNameIsDoneAtTheNextStart(Vertx vertx)
      throws Exception {
    Http http = new Http(vertx);
    Path share = Files.createDirectories(tmp.resolve("a"));
    TestFiles.Written film = TestFiles.random(share, "film.bin", 1 << 20, 18);
    PeerVerticle a = seeder(vertx, "a", share, 0);
    JsonObject config = downloaderConfig("d", List.of(a));
    PeerVerticle d = await(Peers.start(vertx, config));
    String id =
        http.post(d, "/downloads", new JsonObject().put("root", rootOf(http, a, "film.bin")))
            .json()
            .getString("id");
    waitFor(http, d, id, "done");
    Peers.stop(vertx, d);
    // What a kill -9 between the link to its name and the row's "done" leaves.
    try (java.sql.Connection c =
        java.sql.DriverManager.getConnection(
            "jdbc:sqlite:" + tmp.resolve("d-state/peer.db").toAbsolutePath())) {
      c.createStatement()
          .executeUpdate(
              "UPDATE downloads SET state = 'verifying', file = NULL WHERE id = '" + id + "'");
    }

    PeerVerticle again = await(Peers.start(vertx, config));
    JsonObject done = waitFor(http, again, id, "done");
    assertEquals("downloads/film.bin", done.getString("file"), done.encode());
    assertFalse(Files.exists(tmp.resolve("d-share/downloads/film (1).bin")), "not fetched again");
    assertEquals(film.sha256(), TestFiles.sha256(tmp.resolve("d-share/downloads/film.bin")));
  }

  @Test
  void badInputIsRefusedWithItsReasonAndChangesNothing(Vertx vertx) throws Exception {
    Http http = new Http(vertx);
    PeerVerticle d = downloader(vertx, "d", List.of());
    String hex = "ab".repeat(32);
    List<Buffer> bodies =
        List.of(
            Buffer.buffer("{not json"),
            Buffer.buffer("[1]"),
            new JsonObject().toBuffer(),
            new JsonObject().put("root", "xyz").toBuffer(),
            new JsonObject().put("root", 7).toBuffer(),
            new JsonObject().put("root", hex).put("magnet", "magnet:?xt=x").toBuffer(),
            new JsonObject().put("magnet", "magnet:?dn=nothing").toBuffer(),
            new JsonObject().put("name", "../etc/passwd").put("sha256", hex).toBuffer(),
            new JsonObject().put("name", "film.bin").toBuffer(),
            new JsonObject().put("root", hex).put("sources", "http://127.0.0.1:1").toBuffer(),
            new JsonObject()
                .put("root", hex)
                .put("sources", new JsonArray().add("ftp://x/y"))
                .toBuffer());
    for (Buffer body : bodies) {
      Http.Reply r = http.post(d, "/downloads", body);
      assertEquals(400, r.status(), body + " -> " + r.text());
      assertNotNull(r.json().getString("error"), r.text());
      assertNotNull(r.json().getString("detail"), r.text());
    }
    String none = "/downloads/0123456789abcdef";
    List<List<Object>> calls =
        List.of(
            List.of(HttpMethod.GET, none),
            List.of(HttpMethod.GET, "/downloads/zz"),
            List.of(HttpMethod.POST, none + "/pause"),
            List.of(HttpMethod.POST, none + "/resume"),
            List.of(HttpMethod.DELETE, none));
    for (List<Object> call : calls) {
      Http.Reply r =
          await(http.sendAsync((HttpMethod) call.get(0), d.restPort(), (String) call.get(1), null));
      assertEquals(404, r.status(), call + " -> " + r.text());
      assertEquals("not_found", r.error());
    }
    assertEquals(0, http.getJson(d, "/downloads").getJsonArray("downloads").size());
  }

  @Test
  void aDownloadPausesKeepsItsPiecesResumesAndAnotherIsCancelledWithItsData(Vertx vertx)
      throws Exception {
    Http http = new Http(vertx);
    Path share = Files.createDirectories(tmp.resolve("a"));
    TestFiles.Written slow = TestFiles.random(share, "slow.bin", 6 << 20, 2);
    TestFiles.random(share, "other.bin", 6 << 20, 3);
    PeerVerticle a = seeder(vertx, "a", share, 2 << 20);
    PeerVerticle d = downloader(vertx, "d", List.of(a));
    String id =
        http.post(d, "/downloads", new JsonObject().put("root", rootOf(http, a, "slow.bin")))
            .json()
            .getString("id");
    until("some bytes", BOUND, () -> download(http, d, id).getLong("bytes_done") > 0);

    JsonObject paused = http.post(d, "/downloads/" + id + "/pause", (JsonObject) null).json();
    assertEquals("paused", paused.getString("state"), paused.encode());
    assertEquals("paused by the user", paused.getString("reason"));
    Thread.sleep(1500);
    long kept = download(http, d, id).getLong("bytes_done");
    Thread.sleep(1000);
    assertEquals(kept, download(http, d, id).getLong("bytes_done"), "nothing moves while paused");

    assertEquals(200, http.post(d, "/downloads/" + id + "/resume", (JsonObject) null).status());
    JsonObject done = waitFor(http, d, id, "done");
    assertEquals(slow.sha256(), TestFiles.sha256(tmp.resolve("d-share/downloads/slow.bin")));
    assertEquals(409, http.post(d, "/downloads/" + id + "/pause", (JsonObject) null).status());
    assertEquals("done", done.getString("state"));

    String other =
        http.post(d, "/downloads", new JsonObject().put("root", rootOf(http, a, "other.bin")))
            .json()
            .getString("id");
    until("other moving", BOUND, () -> download(http, d, other).getLong("bytes_done") > 0);
    Http.Reply cancelled =
        await(http.sendAsync(HttpMethod.DELETE, d.restPort(), "/downloads/" + other, null));
    assertEquals(200, cancelled.status(), cancelled.text());
    assertEquals(404, http.get(d, "/downloads/" + other).status());
    until(
        "its partial data removed",
        BOUND,
        () -> !Files.exists(tmp.resolve("d-share/downloads/.peerd-parts/" + other + ".part")));
    assertFalse(Files.exists(tmp.resolve("d-share/downloads/other.bin")));
    assertFalse(listed(http, d).stream().anyMatch(n -> n.contains("other")));
  }

  /**
   * A friend that is healthy but answers every search after 2.5 s: a download's engine asks the
   * network for more sources before it opens its file, and this keeps it there.
   */
  static io.vertx.core.http.HttpServer slowSearcher(Vertx vertx) {
    io.vertx.ext.web.Router r = io.vertx.ext.web.Router.router(vertx);
    r.get("/health").handler(ctx -> ctx.json(new JsonObject().put("status", "ok")));
    r.get("/search")
        .handler(
            ctx ->
                vertx.setTimer(
                    2500,
                    t ->
                        ctx.json(
                            new JsonObject()
                                .put("query", ctx.request().getParam("query", ""))
                                .put("results", new JsonArray()))));
    return await(vertx.createHttpServer().requestHandler(r).listen(0, "127.0.0.1"));
  }

  /**
   * Cancelled, or its peer stopped, while the engine still looks for sources (no file open yet, so
   * the run ends at once): a 200 and the row gone, a clean stop. Both once failed: the run's end
   * cleared the reference the cancel and the stop went on to use (a 500 in the web page's e2e run).
   */
  @Test
  void cancelledOrStoppedBeforeItsFileIsOpenItEndsCleanly(Vertx vertx) throws Exception {
    Http http = new Http(vertx);
    Path share = Files.createDirectories(tmp.resolve("a"));
    TestFiles.random(share, "f.bin", 1 << 20, 11);
    PeerVerticle a = seeder(vertx, "a", share, 0);
    String slow = "http://127.0.0.1:" + slowSearcher(vertx).actualPort();
    tmp.resolve("d-share").toFile().mkdirs();
    JsonObject conf =
        Peers.config(
            "d",
            tmp.resolve("d-share"),
            List.of(a.selfUrl(), slow),
            new JsonObject()
                .put("state_dir", tmp.resolve("d-state").toString())
                .put("friend_timeout_ms", 4000)
                .put("search_timeout_ms", 5000));
    PeerVerticle d = await(Peers.start(vertx, conf));
    until(
        "both friends healthy",
        BOUND,
        () -> http.getJson(d, "/health").getJsonObject("stats").getInteger("healthy_peers") == 2);
    String root = rootOf(http, a, "f.bin");

    String id =
        http.post(d, "/downloads", new JsonObject().put("root", root)).json().getString("id");
    waitFor(http, d, id, "active");
    Http.Reply cancelled =
        await(http.sendAsync(HttpMethod.DELETE, d.restPort(), "/downloads/" + id, null));
    assertEquals(200, cancelled.status(), cancelled.text());
    assertEquals(404, http.get(d, "/downloads/" + id).status());

    String again =
        http.post(d, "/downloads", new JsonObject().put("root", root)).json().getString("id");
    waitFor(http, d, again, "active");
    Peers.stop(vertx, d); // fails if the stop throws
    PeerVerticle restarted = await(Peers.start(vertx, conf));
    JsonObject back = download(http, restarted, again);
    assertNotNull(back.getString("state"), back.encode());
    waitFor(http, restarted, again, "done");
  }

  @Test
  void aRestartedPeerGoesOnWhereItsVerifiedPiecesEnd(Vertx vertx) throws Exception {
    Http http = new Http(vertx);
    Path share = Files.createDirectories(tmp.resolve("a"));
    TestFiles.Written big = TestFiles.random(share, "big.bin", 8 << 20, 4);
    PeerVerticle a = seeder(vertx, "a", share, 2 << 20);
    JsonObject config = downloaderConfig("d", List.of(a));
    PeerVerticle d = await(Peers.start(vertx, config));
    String id =
        http.post(d, "/downloads", new JsonObject().put("root", rootOf(http, a, "big.bin")))
            .json()
            .getString("id");
    until("a third", BOUND, () -> download(http, d, id).getLong("bytes_done") > big.size() / 3);
    Peers.stop(vertx, d);
    assertFalse(
        Files.exists(tmp.resolve("d-share/downloads/big.bin")), "no file at its name before done");

    // Partial data no row owns (a crash in the middle of a cancel) goes at the next start.
    Path orphan = tmp.resolve("d-share/downloads/.peerd-parts/00000000deadbeef.part");
    Files.writeString(orphan, "left by a crash");
    PeerVerticle again = await(Peers.start(vertx, config));
    until("the orphan swept", BOUND, () -> !Files.exists(orphan));
    JsonObject back = download(http, again, id);
    long verified = back.getLong("bytes_done");
    assertTrue(verified > big.size() / 3, "its verified bytes survived the restart: " + back);
    JsonObject done = waitFor(http, again, id, "done");
    assertEquals(big.sha256(), TestFiles.sha256(tmp.resolve("d-share/downloads/big.bin")));
    long fetched =
        done.getJsonArray("sources").stream()
            .mapToLong(s -> ((JsonObject) s).getLong("bytes"))
            .sum();
    assertEquals(big.size() - verified, fetched, "this run fetched only what was missing: " + done);
  }

  @Test
  void aSourceKilledAndOneThatHangsAreRoutedAroundAndSaidWhileItRuns(Vertx vertx) throws Exception {
    Http http = new Http(vertx);
    Path share = Files.createDirectories(tmp.resolve("a"));
    TestFiles.Written film = TestFiles.random(share, "film.bin", 10 << 20, 6);
    // Slow enough that the download outlasts the hung source's first stall (5 s, seen within a
    // further second) with time to spare: at 1 MiB/s it sometimes ended first, on a busy machine
    // too, and the hung source was never seen failing.
    PeerVerticle a = seeder(vertx, "a", share, 512 << 10);
    PeerVerticle victim = seeder(vertx, "b", share, 1 << 20);
    io.vertx.core.net.NetServer hung = await(io.peerd.testkit.StandIns.hung(vertx));
    String hungUrl = "http://127.0.0.1:" + hung.actualPort();
    PeerVerticle d = downloader(vertx, "d", List.of(a, victim));
    String id =
        http.post(
                d,
                "/downloads",
                new JsonObject()
                    .put("root", rootOf(http, a, "film.bin"))
                    .put("sources", new JsonArray().add(hungUrl)))
            .json()
            .getString("id");
    until("a first MiB", BOUND, () -> download(http, d, id).getLong("bytes_done") >= 1 << 20);
    Peers.stop(vertx, victim);

    // Watched while it runs: what the API says about each source, and why it is slow.
    java.util.Set<String> seen = new java.util.LinkedHashSet<>();
    java.util.Set<String> reasons = new java.util.LinkedHashSet<>();
    until(
        "done",
        BOUND,
        () -> {
          JsonObject now = download(http, d, id);
          assertFalse("failed".equals(now.getString("state")), now.encode());
          reasons.add(now.getString("reason"));
          for (Object o : now.getJsonArray("sources")) {
            JsonObject s = (JsonObject) o;
            seen.add(s.getString("url") + " " + s.getString("state") + " " + s.getString("error"));
          }
          return "done".equals(now.getString("state"));
        });
    assertEquals(film.sha256(), TestFiles.sha256(tmp.resolve("d-share/downloads/film.bin")));
    assertTrue(
        seen.stream().anyMatch(l -> l.startsWith(hungUrl + " failing sent nothing for")),
        "the hung source was said to fail while it ran: " + seen);
    assertTrue(
        seen.stream().anyMatch(l -> l.startsWith(victim.selfUrl() + " failing")),
        "the killed source was said to fail while it ran: " + seen);
    assertTrue(
        reasons.stream().anyMatch(r -> r.startsWith("source ")),
        "the reason told of a source while it ran: " + reasons);
    JsonObject done = download(http, d, id);
    for (Object o : done.getJsonArray("sources")) {
      JsonObject s = (JsonObject) o;
      if (s.getString("url").equals(hungUrl)) {
        assertEquals(0, s.getLong("bytes"), done.encode());
      }
    }
  }

  /** Reads {@code GET /downloads/stream} into a list until the test closes it. */
  static io.vertx.core.http.HttpClientResponse watch(
      Vertx vertx, io.vertx.core.http.HttpClient client, int port, List<JsonObject> events) {
    return await(
        io.peerd.testkit.Sse.follow(
            vertx,
            client,
            port,
            "/downloads/stream",
            e -> events.add(e.data().copy().put("_event", e.name()))));
  }

  @Test
  void theStreamTellsEachChangeAndProgressAFewTimesASecond(Vertx vertx) throws Exception {
    Http http = new Http(vertx);
    Path share = Files.createDirectories(tmp.resolve("a"));
    TestFiles.random(share, "slow.bin", 4 << 20, 7);
    PeerVerticle a = seeder(vertx, "a", share, 1 << 20);
    PeerVerticle d = downloader(vertx, "d", List.of(a));
    io.vertx.core.http.HttpClient client = vertx.createHttpClient();
    List<JsonObject> events = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
    io.vertx.core.http.HttpClientResponse res = watch(vertx, client, d.restPort(), events);
    assertEquals(200, res.statusCode());
    assertTrue(res.getHeader("content-type").startsWith("text/event-stream"));
    long t0 = System.nanoTime();
    String id =
        http.post(d, "/downloads", new JsonObject().put("root", rootOf(http, a, "slow.bin")))
            .json()
            .getString("id");
    until(
        "the stream says done",
        BOUND,
        () -> {
          synchronized (events) {
            return events.stream().anyMatch(e -> "done".equals(e.getString("state")));
          }
        });
    double seconds = (System.nanoTime() - t0) / 1e9;
    List<JsonObject> seen;
    synchronized (events) {
      seen = List.copyOf(events);
    }
    List<String> states = seen.stream().map(e -> e.getString("state")).distinct().toList();
    // In this order; verifying may pass between two ticks unseen.
    assertEquals(List.of("queued", "resolving", "active"), states.subList(0, 3), states.toString());
    assertEquals("done", states.get(states.size() - 1), states.toString());
    assertTrue(states.size() <= 5, states.toString());
    assertTrue(seen.stream().allMatch(e -> id.equals(e.getString("id"))), seen.toString());
    long progress = seen.stream().filter(e -> "active".equals(e.getString("state"))).count();
    assertTrue(progress >= 3, "progress while it ran: " + progress);
    assertTrue(
        progress <= seconds * 4 + 4, progress + " progress events in " + seconds + " s: too many");
    res.request().connection().close();

    // A new watcher first gets every download as it is.
    List<JsonObject> later = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
    io.vertx.core.http.HttpClientResponse again = watch(vertx, client, d.restPort(), later);
    until("the snapshot", BOUND, () -> !later.isEmpty());
    assertEquals("done", later.get(0).getString("state"));
    assertEquals(id, later.get(0).getString("id"));
    Http.Reply cancelled =
        await(http.sendAsync(HttpMethod.DELETE, d.restPort(), "/downloads/" + id, null));
    assertEquals(200, cancelled.status());
    until(
        "removed",
        BOUND,
        () -> {
          synchronized (later) {
            return later.stream().anyMatch(e -> id.equals(e.getString("removed")));
          }
        });
    again.request().connection().close();
  }

  @Test
  void aDiskThatFillsUpFailsTheDownloadRemovesItsDataAndThePeerServesOn(Vertx vertx)
      throws Exception {
    org.junit.jupiter.api.Assumptions.assumeTrue(
        "root".equals(System.getProperty("user.name")),
        "skipped: mounting a small tmpfs for download_dir needs root");
    Http http = new Http(vertx);
    Path share = Files.createDirectories(tmp.resolve("a"));
    TestFiles.random(share, "big.bin", 6 << 20, 5);
    PeerVerticle a = seeder(vertx, "a", share, 0);
    Path small = Files.createDirectories(tmp.resolve("d-share/downloads"));
    mount(small, "2m");
    PeerVerticle d = null;
    try {
      d = downloader(vertx, "d", List.of(a));
      String id =
          http.post(d, "/downloads", new JsonObject().put("root", rootOf(http, a, "big.bin")))
              .json()
              .getString("id");
      JsonObject failed = waitFor(http, d, id, "failed");
      assertTrue(failed.getString("reason").contains("No space left on device"), failed.encode());
      until(
          "its partial data removed",
          BOUND,
          () -> {
            try (Stream<Path> left = Files.list(small.resolve(".peerd-parts"))) {
              return left.findAny().isEmpty();
            } catch (java.io.IOException e) {
              throw new java.io.UncheckedIOException(e);
            }
          });
      assertFalse(Files.exists(small.resolve("big.bin")), "nothing at the final name");
      assertEquals(200, http.get(d, "/health").status(), "the peer serves on");
      assertFalse(listed(http, d).contains("downloads/big.bin"));
    } finally {
      // The peer stops before its download folder is unmounted, not after: once (CI, 8838d23,
      // and 2 of 13 runs of this class under load here) its stop never completed when Vert.x
      // closed it with the tmpfs lazily unmounted under its watched folder. Not yet explained:
      // see the closing note of issue 19.
      if (d != null) {
        Peers.stop(vertx, d);
      }
      umount(small);
    }
  }

  static void mount(Path at, String size) throws Exception {
    Process p =
        new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=" + size, "tmpfs", at.toString())
            .inheritIO()
            .start();
    assertEquals(0, p.waitFor(), "mount a tmpfs at " + at);
  }

  static void umount(Path at) throws Exception {
    new ProcessBuilder("umount", "-l", at.toString()).inheritIO().start().waitFor();
  }
}
