package io.peerd.downloads;

import static io.peerd.testkit.Await.await;
import static io.peerd.testkit.Await.until;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.peerd.node.PeerVerticle;
import io.peerd.testkit.Daemon;
import io.peerd.testkit.Http;
import io.peerd.testkit.Peers;
import io.peerd.testkit.TestFiles;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The downloading peer as its own process, killed with SIGKILL at moments a seeded random picks
 * while it runs three downloads, and started again each time: every download ends with the right
 * SHA-256, each run fetches only pieces the database did not have, what a kill loses is bounded by
 * what was in flight, and no partial file is ever listed.
 */
@ExtendWith(VertxExtension.class)
@Tag("network")
class KillNineTest {

  static final int FILES = 3;
  static final int SIZE = 6 << 20;
  static final long SEEDER_RATE = 3 << 20;

  /**
   * What a kill may cost one download: its requests in flight (the engine's four per source, 1 MiB
   * each) and the pieces verified since the last batched write of the bitmap (once a second: at
   * most a second of the seeder's rate).
   */
  static final long LOSS_BOUND = (4L << 20) + SEEDER_RATE;

  @TempDir Path tmp;
  Daemon daemon;

  @AfterEach
  void kill() {
    if (daemon != null) {
      daemon.close();
    }
  }

  /** Starts the daemon; returns its REST port, read from its start-up line. */
  int start(Path conf) throws Exception {
    daemon = Daemon.launch(tmp, conf, "128m", List.of(), Map.of());
    return daemon.ready();
  }

  static Map<String, JsonObject> downloads(Http http, int port) {
    Map<String, JsonObject> out = new HashMap<>();
    for (Object o : http.get(port, "/downloads").json().getJsonArray("downloads")) {
      JsonObject d = (JsonObject) o;
      out.put(d.getString("id"), d);
    }
    return out;
  }

  static long fetchedThisRun(JsonObject d) {
    return d.getJsonArray("sources").stream()
        .mapToLong(s -> ((JsonObject) s).getLong("bytes"))
        .sum();
  }

  /** Every listed file under downloads/ is one of the finished contents: no partial one. */
  static void noPartialListed(Http http, int port, Set<String> whole) {
    JsonArray files = http.get(port, "/files").json().getJsonArray("files");
    for (Object o : files) {
      JsonObject f = (JsonObject) o;
      String name = f.getString("name");
      assertTrue(!name.contains(".peerd-parts") && !name.endsWith(".part"), "listed: " + name);
      if (name.startsWith("downloads/")) {
        assertTrue(whole.contains(f.getString("checksum")), "a partial file listed: " + f);
      }
    }
  }

  @Test
  void killedAtRandomMomentsAndRestartedEveryDownloadFinishesRight(Vertx vertx) throws Exception {
    Http http = new Http(vertx);
    Path share = Files.createDirectories(tmp.resolve("seed"));
    Map<String, String> shaByName = new HashMap<>();
    for (int i = 0; i < FILES; i++) {
      TestFiles.Written f = TestFiles.random(share, "f" + i + ".bin", SIZE, 10 + i);
      shaByName.put(f.path().getFileName().toString(), f.sha256());
    }
    PeerVerticle seeder =
        Peers.started(
            vertx,
            "seed",
            share,
            List.of(),
            new JsonObject().put("upload_rate_limit", SEEDER_RATE));
    Path dshare = Files.createDirectories(tmp.resolve("d-share"));
    Path conf = tmp.resolve("d.json");
    Files.writeString(
        conf,
        Peers.config("d", dshare, List.of(seeder.selfUrl()), new JsonObject())
            .put("state_dir", tmp.resolve("d-state").toString())
            .encode());
    int port = start(conf);
    List<String> ids = new ArrayList<>();
    for (Object o : http.get(seeder.restPort(), "/files").json().getJsonArray("files")) {
      JsonObject f = (JsonObject) o;
      Http.Reply r =
          await(
              http.sendAsync(
                  HttpMethod.POST,
                  port,
                  "/downloads",
                  new JsonObject().put("root", f.getString("root")).toBuffer()));
      assertEquals(202, r.status(), r.text());
      ids.add(r.json().getString("id"));
    }
    Set<String> whole = Set.copyOf(shaByName.values());

    Random random = new Random(42);
    int midway = 0;
    for (int round = 0; round < 3; round++) {
      // Run a random while, watching /files, then SIGKILL.
      long until = System.currentTimeMillis() + 800 + random.nextInt(1500);
      Map<String, JsonObject> before = downloads(http, port);
      while (System.currentTimeMillis() < until) {
        noPartialListed(http, port, whole);
        before = downloads(http, port);
        Thread.sleep(100);
      }
      daemon.kill();

      port = start(conf);
      Map<String, JsonObject> after = downloads(http, port);
      assertEquals(Set.copyOf(ids), after.keySet(), "the queue survived the kill");
      for (String id : ids) {
        long seen = before.get(id).getLong("bytes_done");
        long kept = after.get(id).getLong("bytes_done");
        if (seen > 0 && seen < SIZE) {
          midway++;
        }
        System.out.printf(
            "round %d: %s verified %d before the kill, %d after%n", round, id, seen, kept);
        assertTrue(
            seen - kept <= LOSS_BOUND,
            "round " + round + ": " + id + " had " + seen + " verified, kept " + kept);
      }
      // This run's fetches: never a piece it had already (checked when it ends or at the next
      // kill, from what each download's sources gave in this run).
      Map<String, Long> keptAtStart = new HashMap<>();
      after.forEach((id, d) -> keptAtStart.put(id, d.getLong("bytes_done")));
      int p = port;
      until(
          "some progress after restart " + round,
          Duration.ofSeconds(30),
          () ->
              downloads(http, p).values().stream().anyMatch(d -> fetchedThisRun(d) > 0)
                  || downloads(http, p).values().stream()
                      .allMatch(d -> "done".equals(d.getString("state"))));
      for (JsonObject d : downloads(http, port).values()) {
        assertTrue(
            keptAtStart.get(d.getString("id")) + fetchedThisRun(d) <= SIZE,
            "fetched a piece it had: " + d);
      }
    }

    assertTrue(midway >= 2, "the kills hit downloads half-way: " + midway);
    int p = port;
    until(
        "every download done",
        Duration.ofSeconds(90),
        () -> {
          noPartialListed(http, p, whole);
          return downloads(http, p).values().stream()
              .allMatch(d -> "done".equals(d.getString("state")));
        });
    for (JsonObject d : downloads(http, port).values()) {
      String name = d.getString("name");
      assertEquals(shaByName.get(name), d.getString("sha256"));
      assertEquals(shaByName.get(name), TestFiles.sha256(dshare.resolve("downloads/" + name)));
    }
    try (var left = Files.list(dshare.resolve("downloads/.peerd-parts"))) {
      assertEquals(List.of(), left.toList(), "no partial data left");
    }
  }
}
