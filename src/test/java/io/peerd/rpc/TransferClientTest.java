package io.peerd.rpc;

import static io.peerd.testkit.Await.await;
import static io.peerd.testkit.Await.failure;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.peerd.rpc.proto.FileChunk;
import io.peerd.rpc.proto.FileTransferGrpcService;
import io.peerd.rpc.proto.UploadResult;
import io.peerd.testkit.Chunks;
import io.peerd.testkit.TestFiles;
import io.peerd.transfer.Received;
import io.peerd.transfer.TransferFailure;
import io.peerd.transfer.Upload;
import io.peerd.transfer.UploadReceipt;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.net.SocketAddress;
import io.vertx.grpc.server.GrpcServer;
import io.vertx.junit5.VertxExtension;
import java.time.Duration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The gRPC client's deadlines against fake peers on loopback: a download on which nothing moves
 * fails as stalled, and an upload's answer may take as long as hashing a file of that size takes,
 * but not forever.
 */
@ExtendWith(VertxExtension.class)
@Tag("peer")
class TransferClientTest {

  static final long STALL = 400;
  static final byte[] SEED_FILE = "the seed's file, sent whole ".repeat(200).getBytes();

  Vertx vertx;
  SocketAddress fake;

  /** How long the fake peer waits after an upload's last byte before it answers (-1: never). */
  long answerAfter;

  @BeforeEach
  void fakePeer(Vertx vertx) {
    this.vertx = vertx;
    GrpcServer server = GrpcServer.server(vertx);
    // A peer that sends one chunk of a download, then nothing, without closing the stream.
    server.callHandler(
        FileTransferGrpcService.Download,
        req ->
            req.handler(
                msg ->
                    req.response()
                        .write(
                            FileChunk.newBuilder()
                                .setData(ByteString.copyFrom(new byte[1000]))
                                .setSeq(1)
                                .build())));
    // A peer that takes a whole upload, then thinks for a while before it answers.
    server.callHandler(
        FileTransferGrpcService.Upload,
        req -> {
          long[] got = {0};
          req.handler(msg -> got[0] += msg.getData().size());
          req.endHandler(
              v -> {
                if (answerAfter >= 0) {
                  vertx.setTimer(
                      Math.max(1, answerAfter),
                      t ->
                          req.response()
                              .end(
                                  UploadResult.newBuilder()
                                      .setFilename("uploads/x")
                                      .setSize(got[0])
                                      .setIndexed(true)
                                      .build()));
                }
              });
        });
    HttpServer http = await(vertx.createHttpServer().requestHandler(server).listen(0, "127.0.0.1"));
    fake = SocketAddress.inetSocketAddress(http.actualPort(), "127.0.0.1");
  }

  /** A client whose connection to the fake peer is up and whose code is loaded. */
  TransferClient warmClient() {
    answerAfter = 1;
    byte[] one = {1};
    await(
        new TransferClient(vertx)
            .upload(
                fake,
                new Upload.Request("warm", 1, TestFiles.sha256(one), false),
                Chunks.of(vertx, one),
                null));
    return new TransferClient(vertx, STALL);
  }

  @Test
  void aDownloadOnWhichNothingMovesFailsAsStalled() {
    TransferClient client = warmClient();
    Received into = Received.discard();
    long start = System.nanoTime();
    TransferFailure f = (TransferFailure) failure(client.download(fake, "x.bin", 0, into));
    long ms = (System.nanoTime() - start) / 1_000_000;
    assertEquals(TransferFailure.Reason.STALLED, f.reason(), f.getMessage());
    assertEquals(1000, into.bytes(), "what came before the stall was kept");
    // The check runs every 100 ms; the rest is room for a loaded machine.
    assertTrue(ms >= STALL && ms < STALL + 5000, "failed after the stall limit: " + ms + " ms");
  }

  @Test
  void anUploadsAnswerMayTakeAsLongAsHashingItsSize() {
    TransferClient client = warmClient();
    byte[] data = new byte[40 << 20];
    // 40 MiB at 20 MiB/s of hashing: two seconds more than the stall limit.
    assertEquals(STALL + 2000, client.answerAllowance(data.length));
    answerAfter = STALL + 800;
    UploadReceipt r =
        await(
            client.upload(
                fake,
                new Upload.Request("x", data.length, TestFiles.sha256(data), false),
                Chunks.of(vertx, data),
                null),
            Duration.ofSeconds(30));
    assertEquals(data.length, r.size(), "an answer later than the stall limit is waited for");
  }

  @Test
  void anUploadWhoseAnswerNeverComesFailsAfterItsAllowance() {
    TransferClient client = warmClient();
    byte[] data = new byte[1 << 20];
    answerAfter = -1;
    long start = System.nanoTime();
    TransferFailure f =
        (TransferFailure)
            failure(
                client.upload(
                    fake,
                    new Upload.Request("x", data.length, TestFiles.sha256(data), false),
                    Chunks.of(vertx, data),
                    null));
    long ms = (System.nanoTime() - start) / 1_000_000;
    assertEquals(TransferFailure.Reason.STALLED, f.reason(), f.getMessage());
    assertTrue(ms >= STALL && ms < STALL + 5000, "bounded: " + ms + " ms");
  }

  /** A part left by a cut download from a seed peer cannot resume: it starts again, whole. */
  @Test
  void aSeedPeersFileStartsAgainInsteadOfResuming(
      @org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
    // A seed peer: DummyDownload only (no Download), the whole file from seq 1.
    GrpcServer seedServer = GrpcServer.server(vertx);
    seedServer.callHandler(
        FileTransferGrpcService.DummyDownload,
        req ->
            req.handler(
                msg -> {
                  for (int off = 0; off < SEED_FILE.length; off += 1000) {
                    req.response()
                        .write(
                            FileChunk.newBuilder()
                                .setData(
                                    ByteString.copyFrom(
                                        SEED_FILE, off, Math.min(1000, SEED_FILE.length - off)))
                                .setSeq(off / 1000 + 1)
                                .build());
                  }
                  req.response().end();
                }));
    HttpServer seedHttp =
        await(vertx.createHttpServer().requestHandler(seedServer).listen(0, "127.0.0.1"));
    SocketAddress seed = SocketAddress.inetSocketAddress(seedHttp.actualPort(), "127.0.0.1");
    java.nio.file.Path out = dir.resolve("seed.bin");
    java.nio.file.Files.write(dir.resolve("seed.bin.part"), new byte[700]);
    String sha = TestFiles.sha256(SEED_FILE);
    io.peerd.transfer.Source s =
        new io.peerd.transfer.Source(
            "http://seed:1", "seed.bin", SEED_FILE.length, sha.substring(0, 16), seed);
    io.peerd.transfer.FileDownload.Result r =
        await(
            new io.peerd.transfer.FileDownload(vertx, warmClient())
                .run(s, out, io.peerd.transfer.Progress.NONE, -1));
    assertEquals(0, r.resumedFrom(), "no Download to resume with");
    assertEquals(SEED_FILE.length, r.fetched());
    org.junit.jupiter.api.Assertions.assertArrayEquals(
        SEED_FILE, java.nio.file.Files.readAllBytes(out));
  }
}
