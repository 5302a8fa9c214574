package io.peerd.index;

import static io.peerd.testkit.Await.until;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.peerd.testkit.MainProcess;
import io.peerd.testkit.StandIns;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The kernel's own inotify limit, not a stand-in: the peer runs as a process in a user namespace of
 * its own whose {@code max_inotify_watches} is 4 (a per-namespace limit the kernel enforces like
 * {@code fs.inotify.max_user_watches}), sharing a folder of 11 directories.
 */
@Tag("peer")
class WatchLimitTest {

  @TempDir Path tmp;

  static boolean userNamespaces() {
    try {
      Process p = new ProcessBuilder("unshare", "-Ur", "true").start();
      return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0;
    } catch (Exception e) {
      return false;
    }
  }

  @Test
  void pastTheKernelsWatchLimitStatusSaysSoAndNewFilesAreStillFound() throws Exception {
    assumeTrue(userNamespaces(), "unshare -Ur (a user namespace) is not allowed here");
    Path share = Files.createDirectories(tmp.resolve("share"));
    for (int i = 0; i < 10; i++) {
      Files.writeString(Files.createDirectories(share.resolve("d" + i)).resolve("f.txt"), "f" + i);
    }
    int port = StandIns.closedPort();
    Path conf = tmp.resolve("peer.json");
    Files.writeString(
        conf,
        new JsonObject()
            .put("name", "limited")
            .put("ip", "127.0.0.1")
            .put("rest_port", port)
            .put("shared_dir", share.toString())
            .put("state_dir", "")
            .put("identity", false)
            .put("local_discovery", false)
            .encode());
    List<String> cmd =
        new ArrayList<>(
            List.of(
                "unshare",
                "-Ur",
                "sh",
                "-c",
                "echo 4 > /proc/sys/user/max_inotify_watches && exec \"$@\"",
                "sh"));
    cmd.addAll(MainProcess.command("64m", "-conf", conf.toString()));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    pb.environment().keySet().removeIf(k -> k.startsWith("PEER_"));
    Process peer = pb.redirectOutput(tmp.resolve("peer.log").toFile()).start();
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    String base = "http://127.0.0.1:" + port;
    try {
      until(
          "the peer answers /status after its first scan",
          Duration.ofSeconds(60),
          () ->
              status(http, base) != null
                  && status(http, base).getJsonObject("index").getLong("generation") > 0);
      JsonObject status = status(http, base);
      String problem = status.getJsonObject("problems").getString("watch");
      assertNotNull(problem, status.encodePrettily());
      assertTrue(problem.contains("inotify watch limit"), problem);
      assertTrue(problem.contains("periodic scans"), problem);
      assertFalse(status.getJsonObject("index").getJsonObject("watch").getBoolean("watching"));

      // At most 4 of the 11 directories are watched (which ones is the walk's order): only the
      // fallback's scans (every 10 s) can find a file in each of the others.
      for (int i = 0; i < 10; i++) {
        Files.writeString(share.resolve("d" + i + "/late.txt"), "late" + i);
      }
      until(
          "a late file in every directory, watched or not, is indexed",
          Duration.ofSeconds(40),
          () -> {
            String files = get(http, base + "/files");
            for (int i = 0; i < 10; i++) {
              if (files == null || !files.contains("\"d" + i + "/late.txt\"")) {
                return false;
              }
            }
            return true;
          });
    } finally {
      peer.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
  }

  static JsonObject status(HttpClient http, String base) {
    String body = get(http, base + "/status");
    return body == null ? null : new JsonObject(body);
  }

  static String get(HttpClient http, String url) {
    try {
      HttpResponse<String> r =
          http.send(
              HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build(),
              HttpResponse.BodyHandlers.ofString());
      return r.statusCode() == 200 ? r.body() : null;
    } catch (Exception e) {
      return null;
    }
  }
}
