package io.peerd.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.peerd.node.PeerVerticle;
import io.peerd.rpc.proto.UploadResult;
import io.peerd.testkit.Peers;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CLI's transfer code against real peers. The test thread plays the CLI's main thread: it
 * waits, the network work runs on the client's own event loop.
 */
@Tag("network")
class TransfersTest {

  @TempDir
  Path tmp;
  Vertx vertx;
  PeerVerticle a;
  PeerVerticle b;
  Client client;
  byte[] data;

  @BeforeEach
  void start() throws Exception {
    vertx = Vertx.vertx();
    data = new byte[6 * 1024 * 1024 + 99];
    new Random(9).nextBytes(data);
    Path bShare = Peers.folderWith(tmp, "b", Map.of());
    Files.write(bShare.resolve("movie.bin"), data);
    b = Client.await(Peers.start(vertx, Peers.config("b", bShare, List.of(), new JsonObject().put("accept_uploads", true))),
        java.time.Duration.ofSeconds(20));
    a = Client.await(Peers.start(vertx, Peers.config("a", Peers.folderWith(tmp, "a", Map.of("local.txt", "local")),
        List.of(b.selfUrl()), null)), java.time.Duration.ofSeconds(20));
    client = new Client();
  }

  @AfterEach
  void stop() throws Exception {
    client.close();
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @Test
  void findsAFileThroughASearchAndDownloadsItVerified() throws Exception {
    Transfers.Source s = Transfers.locate(client, a.selfUrl(), "movie.bin");
    assertEquals(b.selfUrl(), s.peer(), "a does not have it: the search found b");
    Path out = tmp.resolve("out/movie.bin");
    Files.createDirectories(out.getParent());
    Transfers.Downloaded d = Transfers.download(client, s, out, -1, false);
    assertArrayEquals(data, Files.readAllBytes(out));
    assertEquals(data.length, d.fetched());
    assertFalse(Files.exists(tmp.resolve("out/movie.bin.part")));
  }

  @Test
  void anInterruptedDownloadResumesAndFetchesOnlyTheRest() throws Exception {
    Transfers.Source s = Transfers.locate(client, b.selfUrl(), "movie.bin");
    Path out = tmp.resolve("movie.bin");
    Path part = tmp.resolve("movie.bin.part");
    Client.Failure cut = assertThrows(Client.Failure.class, () -> Transfers.download(client, s, out, 2_000_000, false));
    assertTrue(cut.getMessage().contains("stopped"), cut.getMessage());
    long have = Files.size(part);
    assertTrue(have >= 2_000_000 && have < data.length, "a part was kept: " + have);
    assertFalse(Files.exists(out));

    Transfers.Downloaded d = Transfers.download(client, s, out, -1, false);
    assertEquals(have, d.resumedFrom());
    assertEquals(data.length - have, d.fetched(), "only the rest was fetched");
    assertArrayEquals(data, Files.readAllBytes(out));
    assertEquals(io.peerd.index.Sha256.of(out), d.sha256());
  }

  @Test
  void aCorruptPartFailsVerificationAndIsDeleted() throws Exception {
    Transfers.Source s = Transfers.locate(client, b.selfUrl(), "movie.bin");
    Path out = tmp.resolve("movie.bin");
    Path part = tmp.resolve("movie.bin.part");
    assertThrows(Client.Failure.class, () -> Transfers.download(client, s, out, 1_000_000, false));
    try (RandomAccessFile f = new RandomAccessFile(part.toFile(), "rw")) {
      f.seek(10);
      f.write(new byte[] {1, 2, 3, 4});
    }
    Client.Failure bad = assertThrows(Client.Failure.class, () -> Transfers.download(client, s, out, -1, false));
    assertTrue(bad.getMessage().startsWith("checksum mismatch"), bad.getMessage());
    assertFalse(Files.exists(part), "the bad part is deleted");
    assertFalse(Files.exists(out));
  }

  @Test
  void uploadsAFileThatTheNetworkCanThenFind() throws Exception {
    Path file = tmp.resolve("report.pdf");
    byte[] content = new byte[700_000];
    new Random(1).nextBytes(content);
    Files.write(file, content);
    UploadResult r = Transfers.upload(client, Client.grpcAddress(b.selfUrl()), file, "report.pdf", false, null, false);
    assertEquals("uploads/report.pdf", r.getFilename());
    assertEquals(io.peerd.index.Sha256.of(file), r.getSha256());
    // The upload triggered a rescan on b: a's search finds it.
    JsonObject found = null;
    for (int i = 0; i < 50 && found == null; i++) {
      JsonObject answer = client.getJson(a.selfUrl(), "/search?query=report", java.time.Duration.ofSeconds(5));
      found = answer.getJsonArray("results").stream().map(JsonObject.class::cast)
          .filter(x -> x.getString("peer").equals(b.selfUrl()) && !x.getJsonArray("files").isEmpty())
          .findFirst().orElse(null);
      if (found == null) {
        Thread.sleep(100);
      }
    }
    assertTrue(found != null, "the uploaded file is searchable");
  }

  @Test
  void uploadRefusalsCarryThePeersMessage() throws Exception {
    Path file = Files.writeString(tmp.resolve("x.txt"), "x");
    Client.Failure f = assertThrows(Client.Failure.class,
        () -> Transfers.upload(client, Client.grpcAddress(a.selfUrl()), file, "x.txt", false, null, false));
    assertTrue(f.getMessage().startsWith("PERMISSION_DENIED: this peer does not accept uploads"), f.getMessage());
  }
}
