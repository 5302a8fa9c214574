package io.peerd.node;

import static io.peerd.testkit.Await.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.peerd.testkit.Daemon;
import io.peerd.testkit.Http;
import io.peerd.testkit.Peers;
import io.peerd.testkit.StandIns;
import io.peerd.testkit.TestFiles;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The daemon, as its own process, while its wall clock is stepped the way NTP or {@code date -s}
 * steps it: only that process's {@code CLOCK_REALTIME} moves (libfaketime, preloaded into it alone,
 * with an offset file this test rewrites); {@code System.nanoTime} and the other peers' clocks stay
 * true. Durations (stall and give-up limits, backoffs, uptime) must not move with it. Each test
 * failed before the durations moved to {@code io.peerd.Monotonic}.
 */
@Tag("network")
@ExtendWith(VertxExtension.class)
class ClockStepTest {

  static final Path[] LIBS = {
    Path.of("/usr/lib/x86_64-linux-gnu/faketime/libfaketimeMT.so.1"),
    Path.of("/usr/lib/aarch64-linux-gnu/faketime/libfaketimeMT.so.1"),
    Path.of("/usr/lib/faketime/libfaketimeMT.so.1")
  };

  @TempDir Path tmp;
  Path lib;
  Path offset;
  Daemon daemon;

  @BeforeEach
  void faketime() {
    lib = Stream.of(LIBS).filter(Files::exists).findFirst().orElse(null);
    Assumptions.assumeTrue(
        lib != null, "libfaketime is not installed (apt-get install libfaketime; .ci/run does)");
    offset = tmp.resolve("clock");
  }

  @AfterEach
  void stop() {
    if (daemon != null) {
      daemon.close();
    }
  }

  /** Starts the daemon under libfaketime, its clock at the true time. */
  int start(JsonObject config) throws Exception {
    step(0);
    Path conf = tmp.resolve("d.json");
    Files.writeString(conf, config.put("state_dir", tmp.resolve("d-state").toString()).encode());
    daemon =
        Daemon.launch(
            tmp,
            conf,
            "128m",
            List.of("-XX:+UseSerialGC"),
            Map.of(
                "LD_PRELOAD", lib.toString(),
                "FAKETIME_TIMESTAMP_FILE", offset.toString(),
                // Read at every call: a step is seen at once.
                "FAKETIME_NO_CACHE", "1",
                // Only the wall clock moves, as with a real step.
                "FAKETIME_DONT_FAKE_MONOTONIC", "1",
                "FAKETIME_FORCE_MONOTONIC_FIX", "0"));
    return daemon.ready();
  }

  /** Sets the daemon's wall clock this many seconds off the true time (atomically). */
  void step(long seconds) throws IOException {
    Path next = tmp.resolve("clock.next");
    Files.writeString(next, String.format("%+d%n", seconds));
    Files.move(next, tmp.resolve("clock"), StandardCopyOption.ATOMIC_MOVE);
  }

  /** The daemon's wall clock against ours, in seconds, from its /stats time_ms. */
  static double offsetSeen(Http http, int port) {
    return (http.get(port, "/stats").json().getLong("time_ms") - System.currentTimeMillis())
        / 1000.0;
  }

  @Test
  void aStepBackDoesNotKeepAFailedFriendUnprobedForTheStepsLength(Vertx vertx) throws Exception {
    Http http = new Http(vertx);
    int friendPort = StandIns.closedPort();
    String friend = "http://127.0.0.1:" + friendPort;
    Path share = Files.createDirectories(tmp.resolve("d-share"));
    int port =
        start(
            Peers.config("d", share, List.of(friend), new JsonObject())
                .put("health_check_interval", 1)
                .put("peer_max_backoff", 2));
    // The friend is not there yet: probed, failed, backed off.
    waitFor(() -> friendRow(http, port).getInteger("failures") >= 2, 20_000, "the friend failed");
    double uptime = http.get(port, "/status").json().getDouble("uptime_s");

    step(-600);
    assertTrue(offsetSeen(http, port) < -590, "the daemon's clock went back");
    double after = http.get(port, "/status").json().getDouble("uptime_s");
    assertTrue(after >= uptime, "uptime went from " + uptime + " to " + after + " s");

    Peers.started(
        vertx,
        "friend",
        Files.createDirectories(tmp.resolve("f-share")),
        List.of(),
        new JsonObject().put("rest_port", friendPort));
    // The longest backoff is 2 s: on the wall clock, its next probe was ten minutes off.
    waitFor(
        () -> http.get(port, "/peers").json().getJsonArray("peers").contains(friend),
        10_000,
        "the friend, back, was seen healthy: " + friendRow(http, port));
  }

  @Test
  void aStepForwardDoesNotMakeARunningDownloadLookStalled(Vertx vertx) throws Exception {
    Http http = new Http(vertx);
    Path seedShare = Files.createDirectories(tmp.resolve("seed"));
    TestFiles.Written file = TestFiles.random(seedShare, "film.bin", 8 << 20, 7);
    var seeder =
        Peers.started(
            vertx,
            "seed",
            seedShare,
            List.of(),
            new JsonObject().put("upload_rate_limit", 1 << 20));
    Path share = Files.createDirectories(tmp.resolve("d-share"));
    int port = start(Peers.config("d", share, List.of(seeder.selfUrl()), new JsonObject()));
    String root =
        http.get(seeder.restPort(), "/files")
            .json()
            .getJsonArray("files")
            .getJsonObject(0)
            .getString("root");
    Http.Reply added =
        await(
            http.sendAsync(
                HttpMethod.POST,
                port,
                "/downloads",
                new JsonObject().put("root", root).toBuffer()));
    assertEquals(202, added.status(), added.text());
    String id = added.json().getString("id");
    waitFor(() -> download(http, port, id).getLong("bytes_done") > 0, 20_000, "under way");

    step(3600);
    assertTrue(offsetSeen(http, port) > 3590, "the daemon's clock went forward");
    // At 1 MiB/s the rest takes about 7 s; the stall limit is 10 s, the give-up 120 s: on the wall
    // clock, both passed at the step.
    List<String> trouble = new ArrayList<>();
    JsonObject d = download(http, port, id);
    long until = System.nanoTime() + 40_000_000_000L;
    while (!"done".equals(d.getString("state")) && System.nanoTime() < until) {
      String state = d.getString("state");
      // Its reason says what it does (waiting for the first bytes, checking the hash): not
      // trouble. Leaving active, or a source with an error, is.
      if (!state.equals("active") && !state.equals("verifying")) {
        trouble.add(d.getString("state") + ": " + d.getString("reason"));
      }
      for (Object o : d.getJsonArray("sources", new JsonArray())) {
        String error = ((JsonObject) o).getString("error");
        if (error != null) {
          trouble.add("source: " + error);
        }
      }
      Thread.sleep(100);
      d = download(http, port, id);
    }
    assertEquals("done", d.getString("state"), d.encode());
    assertEquals(List.of(), trouble.stream().distinct().toList(), "after the step");
    assertEquals(file.sha256(), TestFiles.sha256(share.resolve(d.getString("file"))));
  }

  JsonObject friendRow(Http http, int port) {
    return http.get(port, "/peers").json().getJsonArray("table").getJsonObject(0);
  }

  static JsonObject download(Http http, int port, String id) {
    return http.get(port, "/downloads/" + id).json();
  }

  interface Check {
    boolean holds() throws Exception;
  }

  static void waitFor(Check check, long millis, String what) throws Exception {
    long until = System.nanoTime() + millis * 1_000_000;
    while (!check.holds()) {
      if (System.nanoTime() > until) {
        throw new AssertionError("not within " + millis + " ms: " + what);
      }
      Thread.sleep(100);
    }
  }
}
