package io.peerd.transfer;

import static io.peerd.testkit.Await.await;
import static io.peerd.testkit.Await.failure;
import static io.peerd.testkit.Await.until;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.peerd.node.PeerVerticle;
import io.peerd.remote.HttpPeerClient;
import io.peerd.remote.Locator;
import io.peerd.rpc.TransferClient;
import io.peerd.testkit.Http;
import io.peerd.testkit.Peers;
import io.peerd.testkit.TestFiles;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The download and upload engines (what the CLI's verbs and, later, the daemon's downloads run)
 * over the real gRPC client against real peers: found through a search, resumed, verified.
 */
@ExtendWith(VertxExtension.class)
@Tag("network")
class FileTransfersTest {

  @TempDir Path tmp;
  PeerVerticle a;
  PeerVerticle b;
  TestFiles.Written movie;
  Locator locator;
  TransferClient grpc;
  FileDownload downloads;

  @BeforeEach
  void start(Vertx vertx) {
    Path bShare = Peers.folderWith(tmp, "b", Map.of());
    movie = TestFiles.random(bShare, "movie.bin", 6 * 1024 * 1024 + 99, 9);
    b = Peers.started(vertx, "b", bShare, List.of(), new JsonObject().put("accept_uploads", true));
    a =
        Peers.started(
            vertx,
            "a",
            Peers.folderWith(tmp, "a", Map.of("local.txt", "local")),
            List.of(b.selfUrl()),
            null);
    locator =
        new Locator(
            new HttpPeerClient(vertx, new HttpPeerClient.Limits(8 << 20, 1000, 1000), null, null),
            5000);
    grpc = new TransferClient(vertx);
    downloads = new FileDownload(vertx, grpc);
  }

  @Test
  void findsAFileThroughASearchAndDownloadsItVerified() throws Exception {
    Source s = await(locator.locate(a.selfUrl(), "movie.bin"));
    assertEquals(b.selfUrl(), s.peer(), "a does not have it: the search found b");
    Path out = Files.createDirectories(tmp.resolve("out")).resolve("movie.bin");

    FileDownload.Result d = await(downloads.run(s, out, Progress.NONE, -1));
    assertArrayEquals(movie.bytes(), Files.readAllBytes(out));
    assertEquals(movie.size(), d.fetched());
    assertEquals(movie.sha256(), d.sha256());
    assertFalse(Files.exists(tmp.resolve("out/movie.bin.part")));
  }

  @Test
  void anInterruptedDownloadResumesAndFetchesOnlyTheRest() throws Exception {
    Source s = await(locator.locate(b.selfUrl(), "movie.bin"));
    Path out = tmp.resolve("movie.bin");
    Path part = tmp.resolve("movie.bin.part");

    Throwable cut = failure(downloads.run(s, out, Progress.NONE, 2_000_000));
    assertTrue(cut.getMessage().contains("stopped after"), cut.getMessage());
    long have = Files.size(part);
    assertTrue(have >= 2_000_000 && have < movie.size(), "a part was kept: " + have);
    assertFalse(Files.exists(out));

    long[] startedAt = {-1};
    FileDownload.Result d =
        await(
            downloads.run(
                s,
                out,
                new Progress() {
                  @Override
                  public void start(long from) {
                    startedAt[0] = from;
                  }

                  @Override
                  public void moved(long bytes) {}
                },
                -1));
    assertEquals(have, d.resumedFrom());
    assertEquals(have, startedAt[0], "progress starts where the part ends");
    assertEquals(movie.size() - have, d.fetched(), "only the rest was fetched");
    assertArrayEquals(movie.bytes(), Files.readAllBytes(out));
    assertEquals(movie.sha256(), d.sha256());
  }

  @Test
  void aCorruptPartFailsVerificationAndIsDeleted() throws Exception {
    Source s = await(locator.locate(b.selfUrl(), "movie.bin"));
    Path out = tmp.resolve("movie.bin");
    Path part = tmp.resolve("movie.bin.part");
    failure(downloads.run(s, out, Progress.NONE, 1_000_000));
    try (RandomAccessFile f = new RandomAccessFile(part.toFile(), "rw")) {
      f.seek(10);
      f.write(new byte[] {1, 2, 3, 4});
    }

    TransferFailure bad = (TransferFailure) failure(downloads.run(s, out, Progress.NONE, -1));
    assertEquals(TransferFailure.Reason.CORRUPT, bad.reason());
    assertTrue(bad.getMessage().startsWith("DATA_LOSS: checksum mismatch"), bad.getMessage());
    assertFalse(Files.exists(part), "the bad part is deleted");
    assertFalse(Files.exists(out));
  }

  @Test
  void uploadsAFileThatTheNetworkCanThenFind(Vertx vertx) {
    TestFiles.Written report = TestFiles.random(tmp, "report.pdf", 700_000, 1);
    UploadReceipt r =
        await(
            new FileUpload(vertx, grpc)
                .run(
                    Locator.address(b.selfUrl()),
                    new FileUpload.Request(report.path(), "report.pdf", false, null),
                    Progress.NONE));
    assertEquals("uploads/report.pdf", r.name());
    assertEquals(report.sha256(), r.sha256());
    assertTrue(r.indexed(), "the answer comes once b's index has it");

    // The upload triggered a rescan on b: a's search finds it.
    Http http = new Http(vertx);
    until(
        "a's search finds the uploaded file on b",
        Duration.ofSeconds(10),
        () ->
            http.getJson(a, "/search?query=report").getJsonArray("results").stream()
                .map(JsonObject.class::cast)
                .anyMatch(
                    x ->
                        x.getString("peer").equals(b.selfUrl())
                            && !x.getJsonArray("files").isEmpty()));
  }

  @Test
  void uploadRefusalsCarryThePeersMessage(Vertx vertx) throws Exception {
    Path file = Files.writeString(tmp.resolve("x.txt"), "x");
    TransferFailure f =
        (TransferFailure)
            failure(
                new FileUpload(vertx, grpc)
                    .run(
                        Locator.address(a.selfUrl()),
                        new FileUpload.Request(file, "x.txt", false, null),
                        Progress.NONE));
    assertEquals(TransferFailure.Reason.FORBIDDEN, f.reason());
    assertTrue(
        f.getMessage().startsWith("PERMISSION_DENIED: this peer does not accept uploads"),
        f.getMessage());
  }
}
