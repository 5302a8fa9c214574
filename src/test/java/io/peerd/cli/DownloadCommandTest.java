package io.peerd.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.peerd.node.PeerVerticle;
import io.peerd.testkit.Await;
import io.peerd.testkit.MainProcess;
import io.peerd.testkit.Peers;
import io.peerd.testkit.StandIns;
import io.peerd.testkit.TestFiles;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetServer;
import io.vertx.junit5.VertxExtension;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code peer.jar download} and {@code link} as a user runs them, a real process against three real
 * peers that share one file under different names: the JSON result, a magnet pasted with no {@code
 * --peer}, a stalled source said on stderr, the client killed and run again, a root nobody has,
 * usage errors.
 */
@ExtendWith(VertxExtension.class)
@Tag("network")
class DownloadCommandTest {

  static final int SIZE = (6 << 20) + 4321;

  @TempDir Path tmp;
  Vertx vertx;
  TestFiles.Written film;
  PeerVerticle a;
  List<PeerVerticle> peers = new ArrayList<>();

  record Run(int exit, String stdout, List<String> stderr) {
    JsonObject json() {
      return new JsonObject(stdout.strip());
    }
  }

  @BeforeEach
  void start(Vertx vertx) throws Exception {
    this.vertx = vertx;
    film = TestFiles.random(tmp.resolve("a"), "film.bin", SIZE, 5);
    for (String name : List.of("b", "c")) {
      Path share = Peers.folderWith(tmp, name, Map.of());
      Files.write(share.resolve("copy-of-" + name + ".bin"), film.bytes());
      peers.add(Peers.started(vertx, name, share, List.of(), null));
    }
    a =
        Peers.started(
            vertx, "a", tmp.resolve("a"), peers.stream().map(PeerVerticle::selfUrl).toList(), null);
    peers.add(0, a);
    Files.createDirectories(tmp.resolve("out"));
  }

  Process spawn(String... args) throws Exception {
    List<String> cmd = MainProcess.command("128m", args);
    ProcessBuilder pb = new ProcessBuilder(cmd).directory(tmp.resolve("out").toFile());
    pb.environment().keySet().removeIf(k -> k.startsWith("PEER_"));
    pb.redirectError(tmp.resolve("stderr.txt").toFile());
    return pb.start();
  }

  Run run(String... args) throws Exception {
    Process p = spawn(args);
    byte[] out = p.getInputStream().readAllBytes();
    assertTrue(p.waitFor(90, TimeUnit.SECONDS), "ends by itself");
    List<String> err =
        Files.readAllLines(tmp.resolve("stderr.txt")).stream().filter(l -> !l.isBlank()).toList();
    return new Run(p.exitValue(), new String(out, StandardCharsets.UTF_8), err);
  }

  @Test
  void aNameIsFetchedFromEveryHolderAndReportedAsJson() throws Exception {
    NetServer hung = Await.await(StandIns.hung(vertx));
    Run r =
        run(
            "download",
            "film.bin",
            "--peer",
            a.selfUrl(),
            "--source",
            "http://127.0.0.1:" + hung.actualPort(),
            "--stall-ms",
            "1000",
            // 3 s at 2 MiB/s: long enough for the hung source's stall to be seen.
            "--rate-limit",
            "2097152",
            "--json",
            "--out",
            "film.bin");
    assertEquals(0, r.exit(), r.toString());
    JsonObject j = r.json();
    assertEquals(SIZE, j.getLong("size"));
    assertEquals(film.sha256(), j.getString("sha256"));
    assertEquals(SIZE, j.getLong("fetched"));
    assertEquals(0, j.getLong("resumed_from"));
    JsonArray sources = j.getJsonArray("sources");
    long giving = sources.stream().filter(s -> ((JsonObject) s).getLong("bytes") > 0).count();
    assertTrue(giving >= 2, "bytes from more than one holder: " + sources);
    for (Object s : sources) {
      JsonObject src = (JsonObject) s;
      if (src.getLong("bytes") > 0) {
        assertEquals("http", src.getString("wire"), "a peer's bytes over HTTP: " + src);
      }
    }
    assertArrayEquals(film.bytes(), Files.readAllBytes(tmp.resolve("out/film.bin")));
    assertTrue(
        r.stderr().stream()
            .anyMatch(l -> l.contains(":" + hung.actualPort()) && l.contains("sent nothing")),
        "the stalled source is said as it happens: " + r.stderr());
  }

  @Test
  void aLinkPastedWithNoPeerIsFetchedFromThePeersItNames() throws Exception {
    Run link = run("link", "film.bin", "--peer", a.selfUrl());
    assertEquals(0, link.exit(), link.toString());
    String magnet = link.stdout().strip();
    assertTrue(magnet.startsWith("magnet:?xt=urn:peerd:bep52:"), magnet);
    assertTrue(magnet.contains("&xl=" + SIZE), magnet);

    Run r = run("download", magnet, "--json", "--out", "from-link.bin");
    assertEquals(0, r.exit(), r.toString());
    assertEquals(film.sha256(), r.json().getString("sha256"));
    assertArrayEquals(film.bytes(), Files.readAllBytes(tmp.resolve("out/from-link.bin")));
  }

  @Test
  void aKilledClientRunAgainFetchesOnlyWhatIsMissing() throws Exception {
    Path record = tmp.resolve("out/film.bin.part.pieces");
    // Slow enough (1 MiB/s) to be killed mid-way, as a person's Ctrl-C or a power cut would.
    Process first = spawn("download", "film.bin", "--peer", a.selfUrl(), "--rate-limit", "1048576");
    Await.until("a record of verified pieces", Duration.ofSeconds(30), () -> Files.exists(record));
    first.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    assertFalse(Files.exists(tmp.resolve("out/film.bin")), "not finished when killed");

    Run again = run("download", "film.bin", "--peer", a.selfUrl(), "--json");
    assertEquals(0, again.exit(), again.toString());
    JsonObject j = again.json();
    long resumed = j.getLong("resumed_from");
    assertTrue(resumed > 0, "the verified pieces were kept: " + j);
    assertEquals(SIZE - resumed, j.getLong("fetched"), "only the rest was fetched");
    assertEquals(film.sha256(), j.getString("sha256"));
    assertArrayEquals(film.bytes(), Files.readAllBytes(tmp.resolve("out/film.bin")));
    assertFalse(Files.exists(record), "the record goes with the part");
  }

  @Test
  void aRootNobodyHasIsOneLineAndExitOne() throws Exception {
    Run r = run("download", "ab".repeat(32), "--peer", a.selfUrl(), "--out", "nothing.bin");
    assertEquals(1, r.exit(), r.toString());
    assertEquals(1, r.stderr().size(), "one line: " + r.stderr());
    assertTrue(r.stderr().get(0).startsWith("peer download: "), r.stderr().get(0));
    assertTrue(r.stderr().get(0).contains("ab".repeat(32)), r.stderr().get(0));
    assertFalse(Files.exists(tmp.resolve("out/nothing.bin")));
    Run json = run("download", "ab".repeat(32), "--peer", a.selfUrl(), "--json");
    assertEquals(1, json.exit());
    assertEquals("not_found", json.json().getString("error"), "--json ends with its object");
    assertFalse(Files.exists(tmp.resolve("out/nothing.bin.part")));
  }

  @Test
  void usageErrorsExitTwo() throws Exception {
    assertEquals(2, run("download", "film.bin").exit(), "a name needs --peer");
    assertEquals(
        2,
        run("download", "film.bin", "--peer", a.selfUrl(), "--source", "ftp://x/y").exit(),
        "a source must be an http(s) URL");
    assertEquals(2, run("download", "magnet:?xt=nothing").exit(), "a bad link is a usage error");
  }
}
