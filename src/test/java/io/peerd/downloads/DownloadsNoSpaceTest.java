package io.peerd.downloads;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.peerd.node.PeerVerticle;
import io.peerd.testkit.Http;
import io.peerd.testkit.Peers;
import io.peerd.testkit.TestFiles;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A peer whose state_dir's disk is full is asked for a download: the queue's row cannot be written
 * (SQLITE_FULL). Found by bench/chaos.sh (issue 21), where it was answered 500 internal: the
 * refusal is the disk's, and is told as such, like an upload's ({@code 507 no_space}).
 */
@ExtendWith(VertxExtension.class)
@Tag("network")
class DownloadsNoSpaceTest {

  @TempDir Path tmp;

  @Test
  void aFullStateDiskRefusesANewDownloadWith507AndTakesItOnceThereIsRoom(Vertx vertx)
      throws Exception {
    org.junit.jupiter.api.Assumptions.assumeTrue(
        "root".equals(System.getProperty("user.name")),
        "skipped: mounting a small tmpfs for state_dir needs root");
    Http http = new Http(vertx);
    Path share = Files.createDirectories(tmp.resolve("a"));
    TestFiles.random(share, "film.bin", 256 << 10, 7);
    PeerVerticle a = Peers.started(vertx, "a", share, List.of(), new JsonObject());
    Path state = Files.createDirectories(tmp.resolve("d-state"));
    Files.createDirectories(tmp.resolve("d-share"));
    DownloadsTest.mount(state, "4m");
    PeerVerticle d = null;
    try {
      d =
          io.peerd.testkit.Await.await(
              Peers.start(
                  vertx,
                  Peers.config(
                      "d",
                      tmp.resolve("d-share"),
                      List.of(a.selfUrl()),
                      new JsonObject().put("state_dir", state.toString()))));
      Path fill = state.resolve("fill");
      fillUp(fill);
      JsonObject ask = new JsonObject().put("root", DownloadsTest.rootOf(http, a, "film.bin"));

      Http.Reply full = http.post(d, "/downloads", ask);
      assertEquals(507, full.status(), full.text());
      assertEquals("no_space", full.json().getString("error"), full.text());
      assertTrue(full.json().getString("detail").contains("disk"), full.text());

      Files.delete(fill);
      Http.Reply room = http.post(d, "/downloads", ask);
      assertEquals(202, room.status(), room.text());
      DownloadsTest.waitFor(http, d, room.json().getString("id"), "done");
    } finally {
      if (d != null) {
        Peers.stop(vertx, d);
      }
      DownloadsTest.umount(state);
    }
  }

  @Test
  void aCancelOnAFullStateDiskIs507AndKeepsTheDownloadUntilThereIsRoom(Vertx vertx)
      throws Exception {
    org.junit.jupiter.api.Assumptions.assumeTrue(
        "root".equals(System.getProperty("user.name")),
        "skipped: mounting a small tmpfs for state_dir needs root");
    Http http = new Http(vertx);
    Path share = Files.createDirectories(tmp.resolve("a"));
    TestFiles.random(share, "slow.bin", 4 << 20, 8);
    // Held to 256 KiB/s: the download is still running when it is cancelled.
    PeerVerticle a =
        Peers.started(
            vertx, "a", share, List.of(), new JsonObject().put("upload_rate_limit", 256 << 10));
    Path state = Files.createDirectories(tmp.resolve("d-state"));
    Files.createDirectories(tmp.resolve("d-share"));
    DownloadsTest.mount(state, "4m");
    PeerVerticle d = null;
    try {
      d =
          io.peerd.testkit.Await.await(
              Peers.start(
                  vertx,
                  Peers.config(
                      "d",
                      tmp.resolve("d-share"),
                      List.of(a.selfUrl()),
                      new JsonObject().put("state_dir", state.toString()))));
      Http.Reply asked =
          http.post(
              d,
              "/downloads",
              new JsonObject().put("root", DownloadsTest.rootOf(http, a, "slow.bin")));
      String id = asked.json().getString("id");
      DownloadsTest.waitFor(http, d, id, "active");
      Path fill = state.resolve("fill");
      fillUp(fill);

      Http.Reply full =
          io.peerd.testkit.Await.await(
              http.sendAsync(HttpMethod.DELETE, d.restPort(), "/downloads/" + id, null));
      assertEquals(507, full.status(), full.text());
      assertEquals("no_space", full.json().getString("error"), full.text());
      Http.Reply kept = http.get(d, "/downloads/" + id);
      assertEquals(200, kept.status(), "still there, as its row is: " + kept.text());
      assertEquals("paused", kept.json().getString("state"), kept.text());

      Files.delete(fill);
      Http.Reply room =
          io.peerd.testkit.Await.await(
              http.sendAsync(HttpMethod.DELETE, d.restPort(), "/downloads/" + id, null));
      assertEquals(200, room.status(), room.text());
      assertEquals(404, http.get(d, "/downloads/" + id).status());
    } finally {
      if (d != null) {
        Peers.stop(vertx, d);
      }
      DownloadsTest.umount(state);
    }
  }

  /** Writes until the file system says it is full. */
  static void fillUp(Path file) throws IOException {
    byte[] block = new byte[64 << 10];
    try (OutputStream out = Files.newOutputStream(file)) {
      while (true) {
        out.write(block);
        out.flush();
      }
    } catch (IOException full) {
      if (!String.valueOf(full.getMessage()).contains("No space left")) {
        throw full;
      }
    }
  }
}
