package io.peerd.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.peerd.testkit.MainProcess;
import io.peerd.testkit.StandIns;
import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The daemon as a real process: bad configuration exits at once with one clear line. */
@Tag("peer")
class DaemonProcessTest {

  @TempDir Path tmp;

  record Run(int exit, List<String> stdout, List<String> stderr) {}

  Process spawn(Map<String, String> env, String... args) throws Exception {
    List<String> cmd = MainProcess.command("64m", args);
    ProcessBuilder pb = new ProcessBuilder(cmd).directory(tmp.toFile());
    pb.environment().keySet().removeIf(k -> k.startsWith("PEER_"));
    pb.environment().putAll(env);
    return pb.start();
  }

  Run run(String... args) throws Exception {
    Process p = spawn(Map.of(), args);
    assertTrue(p.waitFor(30, TimeUnit.SECONDS), "exits at once");
    return new Run(
        p.exitValue(),
        lines(p.getInputStream().readAllBytes()),
        lines(p.getErrorStream().readAllBytes()));
  }

  /** Reads stderr until the start-up line; returns it. */
  static String upLine(Process p) throws Exception {
    BufferedReader err =
        new BufferedReader(new InputStreamReader(p.getErrorStream(), StandardCharsets.UTF_8));
    for (String line = err.readLine(); line != null; line = err.readLine()) {
      if (line.contains(" up in ")) {
        // Keep draining so the process never blocks on a full pipe.
        Thread drain =
            new Thread(
                () -> {
                  try {
                    while (err.readLine() != null) {
                      // discard
                    }
                  } catch (java.io.IOException e) {
                    // the process ended
                  }
                });
        drain.setDaemon(true);
        drain.start();
        return line;
      }
    }
    throw new AssertionError("the daemon never logged its start-up line");
  }

  static List<String> lines(byte[] bytes) {
    String s = new String(bytes, StandardCharsets.UTF_8).strip();
    return s.isEmpty() ? List.of() : List.of(s.split("\n"));
  }

  void assertOneLine(Run r, String... mustContain) {
    assertEquals(2, r.exit(), r.toString());
    assertEquals(1, r.stderr().size(), "one clear line: " + r.stderr());
    for (String m : mustContain) {
      assertTrue(r.stderr().get(0).contains(m), r.stderr().get(0) + " should name " + m);
    }
  }

  @Test
  void missingConfigFile() throws Exception {
    assertOneLine(run("-conf", "nope.json"), "nope.json");
  }

  @Test
  void malformedJson() throws Exception {
    Files.writeString(tmp.resolve("bad.json"), "{\"rest_port\": 80,");
    assertOneLine(run("-conf", "bad.json"), "bad.json");
  }

  @Test
  void wrongTypeNamesFileAndKey() throws Exception {
    Files.createDirectories(tmp.resolve("s"));
    Files.writeString(tmp.resolve("p.json"), "{\"rest_port\": \"8001\", \"shared_dir\": \"s\"}");
    assertOneLine(run("-conf", "p.json"), "p.json", "rest_port");
  }

  @Test
  void sharedDirThatDoesNotExist() throws Exception {
    Files.writeString(tmp.resolve("p.json"), "{\"shared_dir\": \"missing\"}");
    assertOneLine(run("-conf", "p.json"), "p.json", "shared_dir");
  }

  @Test
  void aDefaultStateFolderThatIsAFileIsRefused() throws Exception {
    Files.createDirectories(tmp.resolve("s"));
    Files.createDirectories(tmp.resolve("state"));
    Files.writeString(tmp.resolve("state/peer"), "not a folder");
    Files.writeString(tmp.resolve("p.json"), "{\"shared_dir\": \"s\"}");
    assertOneLine(run("-conf", "p.json"), "p.json", "state_dir", "(the default)");
  }

  @Test
  void aDatabaseThatCannotBeOpenedStopsTheStartWithOneLineNamingIt() throws Exception {
    Files.createDirectories(tmp.resolve("s"));
    Files.createDirectories(tmp.resolve("st/peer.db")); // a folder where the file must be
    Files.writeString(
        tmp.resolve("p.json"), "{\"shared_dir\": \"s\", \"state_dir\": \"st\", \"rest_port\": 0}");
    Run r = run("-conf", "p.json");
    assertEquals(1, r.exit(), r.toString());
    List<String> said = r.stderr().stream().filter(l -> l.startsWith("peer: ")).toList();
    assertEquals(1, said.size(), r.stderr().toString());
    assertTrue(said.get(0).contains("peer.db"), said.get(0));
  }

  /**
   * {@code peer.jar id} makes the identity once (0600) and prints it; the daemon started after
   * announces and serves the same id, and so does it after a restart. {@code --rotate} gives a new
   * one and warns; a corrupt file then stops the daemon with one line naming the file.
   */
  @Test
  void theIdIsMadeOnceKeptAcrossRestartsAndACorruptKeyFileStopsThePeer() throws Exception {
    Files.createDirectories(tmp.resolve("s"));
    Files.writeString(
        tmp.resolve("p.json"), "{\"shared_dir\": \"s\", \"state_dir\": \"st\", \"rest_port\": 0}");
    Run id = run("id", "-conf", "p.json");
    assertEquals(0, id.exit(), id.toString());
    assertEquals(1, id.stdout().size(), id.toString());
    String printed = id.stdout().get(0);
    assertEquals(printed, io.peerd.identity.PeerId.parse(printed).toString());
    Path key = tmp.resolve("st").resolve(io.peerd.identity.Identity.FILE);
    assertEquals(
        "rw-------",
        java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(key)));
    for (int start = 0; start < 2; start++) {
      Process p = spawn(Map.of(), "-conf", "p.json");
      try {
        String line = upLine(p);
        assertTrue(line.contains(" as " + printed), "start " + start + ": " + line);
        assertTrue(line.contains("secure https://127.0.0.1:"), line);
        assertFalse(line.contains("PRIVATE"), line);
      } finally {
        p.destroy();
        assertTrue(p.waitFor(20, TimeUnit.SECONDS));
      }
    }
    Run rotated = run("id", "--rotate", "-conf", "p.json");
    assertEquals(0, rotated.exit(), rotated.toString());
    assertNotEquals(printed, rotated.stdout().get(0));
    assertTrue(
        String.join(" ", rotated.stderr()).contains("must pin")
            || String.join(" ", rotated.stderr()).contains("pins the new one"),
        rotated.toString());
    assertEquals(rotated.stdout().get(0), run("id", "-conf", "p.json").stdout().get(0));

    Files.writeString(key, "-----BEGIN PRIVATE KEY-----\nnot a key\n-----END PRIVATE KEY-----\n");
    Run r = run("-conf", "p.json");
    assertEquals(1, r.exit(), r.toString());
    List<String> said = r.stderr().stream().filter(l -> l.startsWith("peer: ")).toList();
    assertEquals(1, said.size(), r.stderr().toString());
    assertTrue(said.get(0).contains(key.toString()), said.get(0));
    assertTrue(said.get(0).contains("corrupt identity"), said.get(0));

    // What that line tells the operator to do works on the corrupt file.
    Run fresh = run("id", "--rotate", "-conf", "p.json");
    assertEquals(0, fresh.exit(), fresh.toString());
    assertTrue(String.join(" ", fresh.stderr()).contains("corrupt identity"), fresh.toString());
    assertEquals(fresh.stdout().get(0), run("id", "-conf", "p.json").stdout().get(0));
    assertTrue(
        Files.readString(tmp.resolve("st").resolve(io.peerd.identity.Identity.PREVIOUS))
            .contains("not a key"),
        "the corrupt file is kept as the previous one");
  }

  @Test
  void unknownArgumentIsAUsageError() throws Exception {
    Run r = run("--frobnicate");
    assertEquals(2, r.exit());
    assertTrue(r.stderr().get(0).contains("--frobnicate"));
  }

  @Test
  void withoutConfigItStartsOnDefaultsSharingAFolderItCreates() throws Exception {
    Process p = spawn(Map.of("PEER_REST_PORT", "0"));
    try {
      String line = upLine(p);
      assertTrue(line.contains("REST and gRPC on http://127.0.0.1:"), line);
      assertTrue(Files.isRegularFile(tmp.resolve("peer-shared").resolve("welcome.txt")));
      assertTrue(p.isAlive());
    } finally {
      p.destroy();
      assertTrue(p.waitFor(20, TimeUnit.SECONDS), "SIGTERM stops it");
    }
    assertEquals(0, p.exitValue(), "a graceful stop exits 0");
    assertTrue(new File(tmp.toFile(), "peer-shared").isDirectory());
  }

  /**
   * The README's run command with string, boolean and fractional variables over the file's values
   * (a string key used to fall through to the integer branch: "expected an integer, got walk").
   */
  @Test
  void variablesOfEveryTypeOverrideTheReadmeConfig() throws Exception {
    Path repo = Path.of("").toAbsolutePath();
    Process p =
        spawn(
            Map.of(
                "PEER_SEARCH_MODE",
                "walk",
                "PEER_PEER_EXCHANGE",
                "false",
                "PEER_HEALTH_CHECK_INTERVAL",
                "2.5",
                "PEER_REST_PORT",
                "0",
                "PEER_GRPC_PORT",
                "0",
                "PEER_METRICS_PORT",
                "0",
                "PEER_SELF_URL",
                "",
                "PEER_STATE_DIR",
                "",
                "PEER_SHARED_DIR",
                repo.resolve("conf/shared/p1").toString()),
            "-conf",
            repo.resolve("conf/peer1.json").toString());
    try {
      String line = upLine(p);
      java.util.regex.Matcher m =
          java.util.regex.Pattern.compile("on http://127\\.0\\.0\\.1:(\\d+)").matcher(line);
      assertTrue(m.find(), line);
      var http = java.net.http.HttpClient.newHttpClient();
      var status =
          new io.vertx.core.json.JsonObject(
              http.send(
                      java.net.http.HttpRequest.newBuilder(
                              java.net.URI.create("http://127.0.0.1:" + m.group(1) + "/status"))
                          .build(),
                      java.net.http.HttpResponse.BodyHandlers.ofString())
                  .body());
      assertEquals(
          "walk", status.getJsonObject("config").getString("search_mode"), status.encode());
      assertEquals("peer1", status.getString("peer"), "the file's other keys still hold");
    } finally {
      p.destroy();
      assertTrue(p.waitFor(20, TimeUnit.SECONDS), "SIGTERM stops it");
    }
  }

  /**
   * Every line of the process's stderr, read as it comes (so the process never blocks on a pipe).
   */
  static List<String> collectStderr(Process p) {
    List<String> lines = java.util.Collections.synchronizedList(new ArrayList<>());
    Thread reader =
        new Thread(
            () -> {
              try (BufferedReader err =
                  new BufferedReader(
                      new InputStreamReader(p.getErrorStream(), StandardCharsets.UTF_8))) {
                for (String line = err.readLine(); line != null; line = err.readLine()) {
                  lines.add(line);
                }
              } catch (java.io.IOException e) {
                // the process ended
              }
            });
    reader.setDaemon(true);
    reader.start();
    return lines;
  }

  /**
   * What an operator needs, one line each: start, the index, peers lost, stop; nothing per request.
   */
  @Test
  void theLogSaysWhatAnOperatorNeedsAndNothingPerRequest() throws Exception {
    Files.createDirectories(tmp.resolve("s"));
    Files.writeString(tmp.resolve("s/x.txt"), "x");
    int closed = StandIns.closedPort();
    String friend = "http://127.0.0.1:" + closed;
    Process p =
        spawn(
            Map.of(
                "PEER_REST_PORT",
                "0",
                "PEER_SHARED_DIR",
                "s",
                "PEER_STATE_DIR",
                "",
                "PEER_FRIENDS",
                friend,
                "PEER_HEALTH_CHECK_INTERVAL",
                "0.2",
                "PEER_SERACH_TTL",
                "2"));
    List<String> log = collectStderr(p);
    try {
      io.peerd.testkit.Await.until(
          "the start-up line",
          java.time.Duration.ofSeconds(30),
          () -> log.stream().anyMatch(l -> l.contains(" up in ")));
      java.util.regex.Matcher m =
          java.util.regex.Pattern.compile("on http://127\\.0\\.0\\.1:(\\d+)")
              .matcher(log.stream().filter(l -> l.contains(" up in ")).findFirst().orElseThrow());
      assertTrue(m.find());
      io.peerd.testkit.Await.until(
          "the friend reported unreachable",
          java.time.Duration.ofSeconds(30),
          () -> log.stream().anyMatch(l -> l.contains("peer " + friend + " unreachable")));
      int before = log.size();
      var http = java.net.http.HttpClient.newHttpClient();
      for (int i = 0; i < 30; i++) {
        for (String path : List.of("/health", "/files", "/search?query=x", "/status", "/nope")) {
          http.send(
              java.net.http.HttpRequest.newBuilder(
                      java.net.URI.create("http://127.0.0.1:" + m.group(1) + path))
                  .build(),
              java.net.http.HttpResponse.BodyHandlers.discarding());
        }
      }
      assertEquals(before, log.size(), "150 requests, no line: " + log.subList(before, log.size()));
      assertTrue(
          log.stream().anyMatch(l -> l.contains("WARN") && l.contains("PEER_SERACH_TTL")),
          "the misspelt variable is a warning: " + log);
      assertTrue(
          log.stream()
              .anyMatch(l -> l.contains("INFO") && l.contains("index of") && l.contains("1 files")),
          "the first scan: " + log);
    } finally {
      // SIGTERM through the handle: Process.destroy() would also close our end of its stderr.
      p.toHandle().destroy();
      assertTrue(p.waitFor(20, TimeUnit.SECONDS), "SIGTERM stops it");
    }
    assertEquals(0, p.exitValue(), "a graceful stop: " + log);
    io.peerd.testkit.Await.until(
        "the stop line",
        java.time.Duration.ofSeconds(5),
        () -> log.stream().anyMatch(l -> l.contains(" stopped")));
    assertTrue(log.stream().anyMatch(l -> l.contains(" stopping (grace ")), log.toString());
    assertTrue(log.size() <= 8, "a handful of lines in all: " + log);
  }

  @Test
  void clientVerbsExitZeroOneOrTwo() throws Exception {
    for (String verb :
        List.of(
            "search", "download", "link", "upload", "status", "dummy-download", "dummy-upload")) {
      Run help = run(verb, "--help");
      assertEquals(0, help.exit(), verb + " --help");
      assertTrue(help.stdout().get(0).startsWith("Usage: peer " + verb), help.stdout().get(0));
    }
    Run usage = run("search");
    assertEquals(2, usage.exit(), "missing arguments are a usage error");
    int closed = StandIns.closedPort();
    Run failed = run("status", "--peer", "http://127.0.0.1:" + closed);
    assertEquals(1, failed.exit(), failed.toString());
    assertEquals(1, failed.stderr().size(), "one line, no stack trace: " + failed.stderr());
    assertTrue(
        failed.stderr().get(0).startsWith("peer status: cannot connect"), failed.stderr().get(0));
    Run verbose = run("status", "--verbose", "--peer", "http://127.0.0.1:" + closed);
    assertTrue(verbose.stderr().size() > 1, "--verbose prints the stack trace");
  }
}
