package io.peerd.rpc;

import static io.peerd.testkit.Await.await;
import static io.peerd.testkit.Grpc.header;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.peerd.node.PeerVerticle;
import io.peerd.rpc.proto.UploadChunk;
import io.peerd.rpc.proto.UploadResult;
import io.peerd.testkit.Await;
import io.peerd.testkit.Grpc;
import io.peerd.testkit.Http;
import io.peerd.testkit.Listing;
import io.peerd.testkit.Peers;
import io.peerd.testkit.TestFiles;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.grpc.client.GrpcClientRequest;
import io.vertx.grpc.common.GrpcStatus;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The real Download and Upload rpcs over gRPC against a real peer. */
@ExtendWith(VertxExtension.class)
@Tag("peer")
class DownloadUploadTest {

  /**
   * How long a peer may take to create or delete a temporary file: milliseconds of work on a
   * worker, possibly after it has answered; the rest is room for a loaded 2-core machine.
   */
  static final Duration ON_A_WORKER = Duration.ofSeconds(10);

  @TempDir Path tmp;

  PeerVerticle peer(Vertx vertx, Path share, JsonObject extra) {
    return Peers.started(vertx, "t", share, List.of(), extra);
  }

  static JsonObject accepting() {
    return new JsonObject().put("accept_uploads", true);
  }

  @Test
  void downloadIsByteIdenticalRangedAndHasRightStatuses(Vertx vertx) {
    Path share = Peers.folderWith(tmp, "share", Map.of());
    byte[] data = TestFiles.random(share, "big.bin", 7 * 1024 * 1024 + 333, 11).bytes();
    int port =
        peer(vertx, share, new JsonObject().put("download_chunk_size", 128 * 1024)).restPort();
    Grpc grpc = new Grpc(vertx);

    Grpc.Download whole = grpc.download(port, "big.bin", 0, 0);
    assertEquals(GrpcStatus.OK, whole.status());
    assertArrayEquals(data, whole.data().getBytes());
    assertEquals(
        data.length / (128 * 1024) + 1, whole.offsets().size(), "download_chunk_size chunks");
    for (int i = 0; i < whole.offsets().size(); i++) {
      assertEquals(i * 128L * 1024, whole.offsets().get(i), "offset of chunk " + i);
    }

    Grpc.Download range = grpc.download(port, "big.bin", 5_000_000, 1000);
    assertArrayEquals(Arrays.copyOfRange(data, 5_000_000, 5_001_000), range.data().getBytes());
    assertEquals(5_000_000L, range.offsets().get(0));

    Grpc.Download atTheEnd = grpc.download(port, "big.bin", data.length, 0);
    assertEquals(GrpcStatus.OK, atTheEnd.status(), "offset at the end: nothing left, not an error");
    assertEquals(0, atTheEnd.data().length());

    assertEquals(
        GrpcStatus.OUT_OF_RANGE, grpc.download(port, "big.bin", data.length + 1, 0).status());
    assertEquals(GrpcStatus.INVALID_ARGUMENT, grpc.download(port, "big.bin", -1, 0).status());
    assertEquals(
        GrpcStatus.INVALID_ARGUMENT, grpc.download(port, "../share/big.bin", 0, 0).status());

    Grpc.Download missing = grpc.download(port, "missing.bin", 0, 0);
    assertEquals(GrpcStatus.NOT_FOUND, missing.status());
    assertTrue(missing.message().contains("missing.bin"));
  }

  /**
   * Reads go into a few reused direct blocks: three downloads at once of a file larger than all of
   * them need more blocks than there are (some reads fall back to the heap) and reuse every one
   * many times; each download must still be the file, byte for byte.
   */
  @Test
  void downloadsAtOnceOfAFileLargerThanTheReadBlocksAreByteIdentical(Vertx vertx) {
    Path share = Peers.folderWith(tmp, "share", Map.of());
    byte[] data = TestFiles.random(share, "large.bin", 24 * 1024 * 1024 + 777, 12).bytes();
    // The test client takes messages of at most 256 KiB, Vert.x's default.
    int port =
        peer(vertx, share, new JsonObject().put("download_chunk_size", 128 * 1024)).restPort();
    Grpc grpc = new Grpc(vertx);
    List<Grpc.Download> all =
        Await.await(
            io.vertx.core.Future.all(
                    List.of(
                        grpc.downloadAsync(port, "large.bin", 0, 0),
                        grpc.downloadAsync(port, "large.bin", 0, 0),
                        grpc.downloadAsync(port, "large.bin", 1_000_001, 0)))
                .map(f -> f.<Grpc.Download>list()),
            Duration.ofSeconds(60));
    assertArrayEquals(data, all.get(0).data().getBytes());
    assertArrayEquals(data, all.get(1).data().getBytes());
    assertArrayEquals(
        Arrays.copyOfRange(data, 1_000_001, data.length), all.get(2).data().getBytes());
  }

  /**
   * Downloads are framed by the peer itself on the HTTP/2 stream: its headers and trailers are the
   * ones Vert.x's gRPC server sent, an answer and a refusal alike.
   */
  @Test
  void aDownloadsHeadersAndTrailersAreThoseOfTheGrpcServer(Vertx vertx) {
    Path share = Peers.folderWith(tmp, "share", Map.of());
    TestFiles.random(share, "small.bin", 1000, 13);
    int port = peer(vertx, share, new JsonObject()).restPort();
    io.vertx.core.http.HttpClient http =
        vertx.createHttpClient(
            new io.vertx.core.http.HttpClientOptions()
                .setProtocolVersion(io.vertx.core.http.HttpVersion.HTTP_2)
                .setHttp2ClearTextUpgrade(false));
    for (String name : List.of("small.bin", "none.bin")) {
      byte[] msg =
          io.peerd.rpc.proto.DownloadRequest.newBuilder().setFilename(name).build().toByteArray();
      io.vertx.core.buffer.Buffer body =
          io.vertx.core.buffer.Buffer.buffer().appendByte((byte) 0).appendInt(msg.length);
      body.appendBytes(msg);
      io.vertx.core.http.HttpClientResponse resp =
          await(
              http.request(
                      io.vertx.core.http.HttpMethod.POST,
                      port,
                      "127.0.0.1",
                      "/p2p.FileTransfer/Download")
                  .compose(
                      req ->
                          req.putHeader("content-type", "application/grpc")
                              .putHeader("te", "trailers")
                              .send(body))
                  .compose(r -> r.body().map(b -> r)));
      assertEquals(200, resp.statusCode());
      assertEquals("application/grpc", resp.getHeader("content-type"));
      assertEquals("gzip", resp.getHeader("grpc-accept-encoding"));
      if (name.equals("small.bin")) {
        assertEquals("0", resp.getTrailer("grpc-status"));
      } else {
        // Nothing to send: trailers only, in the headers.
        assertEquals("5", resp.getHeader("grpc-status"));
        assertEquals("no%20shared%20file%20named%20none.bin", resp.getHeader("grpc-message"));
      }
    }
    http.close();
  }

  @Test
  void downloadRateLimitIsResourceExhausted(Vertx vertx) {
    Path share = Peers.folderWith(tmp, "share", Map.of("a.txt", "a"));
    JsonObject onePerMinute =
        new JsonObject().put("rate_limit", new JsonObject().put("downloads_per_minute", 1));
    int port = peer(vertx, share, onePerMinute).restPort();
    Grpc grpc = new Grpc(vertx);

    assertEquals(GrpcStatus.OK, grpc.download(port, "a.txt", 0, 0).status());
    assertEquals(GrpcStatus.RESOURCE_EXHAUSTED, grpc.download(port, "a.txt", 0, 0).status());
  }

  @Test
  void uploadBecomesVisibleOnlyWhenVerified(Vertx vertx) throws Exception {
    TestFiles.Written local =
        TestFiles.random(tmp.resolve("local"), "new.bin", 2 * 1024 * 1024 + 5, 5);
    byte[] data = local.bytes();
    String sha = local.sha256();
    Path share = Peers.folderWith(tmp, "share", Map.of());
    PeerVerticle p = peer(vertx, share, accepting());
    Grpc grpc = new Grpc(vertx);

    Grpc.Upload ok = grpc.upload(p.restPort(), header("in/new.bin", data.length, sha), data);
    assertEquals(GrpcStatus.OK, ok.status(), ok.message());
    assertEquals("uploads/in/new.bin", ok.result().getFilename());
    assertArrayEquals(data, Files.readAllBytes(share.resolve("uploads/in/new.bin")));

    Grpc.Upload again = grpc.upload(p.restPort(), header("in/new.bin", data.length, sha), data);
    assertEquals(GrpcStatus.ALREADY_EXISTS, again.status());

    JsonObject f = new Http(vertx).getJson(p, "/files").getJsonArray("files").getJsonObject(0);
    assertEquals("uploads/in/new.bin", f.getString("name"), "indexed once in place");
    assertEquals(sha, f.getString("checksum"));
    assertEquals(List.of("uploads/in/new.bin"), Listing.files(share), "no temporary file left");
  }

  @Test
  void aWrongHashOrShortStreamLeavesNothingBehind(Vertx vertx) {
    TestFiles.Written local = TestFiles.random(tmp.resolve("local"), "data.bin", 300_000, 6);
    byte[] data = local.bytes();
    Path share = Peers.folderWith(tmp, "share", Map.of());
    int port = peer(vertx, share, accepting()).restPort();
    Grpc grpc = new Grpc(vertx);

    Grpc.Upload badHash =
        grpc.upload(port, header("bad-hash.bin", data.length, "0".repeat(64)), data);
    assertEquals(GrpcStatus.DATA_LOSS, badHash.status(), badHash.message());
    Grpc.Upload tooShort =
        grpc.upload(
            port, header("short.bin", data.length, local.sha256()), Arrays.copyOf(data, 1000));
    assertEquals(GrpcStatus.DATA_LOSS, tooShort.status(), tooShort.message());
    Grpc.Upload tooLong = grpc.upload(port, header("long.bin", 10, local.sha256()), data);
    assertEquals(GrpcStatus.DATA_LOSS, tooLong.status(), tooLong.message());

    // Too much data is refused as it arrives, and the answer may leave before the temporary file is
    // gone.
    Listing.emptyWithin("nothing in the shared folder, no temp file either", share, ON_A_WORKER);
  }

  @Test
  void aCutStreamLeavesNothingBehind(Vertx vertx) {
    byte[] data = new byte[1_000_000];
    Path share = Peers.folderWith(tmp, "share", Map.of());
    int port = peer(vertx, share, accepting()).restPort();
    Grpc grpc = new Grpc(vertx);

    GrpcClientRequest<UploadChunk, UploadResult> call =
        await(
            grpc.startUpload(
                port,
                header("cut.bin", data.length, TestFiles.sha256(data)),
                Arrays.copyOf(data, 100_000)));
    // Cut only once the server has its temp file and has taken some data.
    Await.until("a temporary file with data", ON_A_WORKER, () -> Listing.anyWithData(share));
    call.cancel();

    Listing.emptyWithin("the temporary file was removed", share, ON_A_WORKER);
  }

  @Test
  void refusedBeforeAnyDataIsWritten(Vertx vertx) {
    byte[] data = new byte[5000];
    String sha = TestFiles.sha256(data);
    Path share = Peers.folderWith(tmp, "share", Map.of());
    Path closed = Peers.folderWith(tmp, "closed", Map.of());
    int port = peer(vertx, share, accepting().put("upload_max_bytes", 10_000)).restPort();
    int off = peer(vertx, closed, null).restPort();
    Grpc grpc = new Grpc(vertx);

    // No data is ever sent and the stream is never ended: each answer must come after the header
    // alone.
    assertEquals(
        GrpcStatus.RESOURCE_EXHAUSTED,
        grpc.uploadUnfinished(port, header("big.bin", 1_000_000, sha), null).status(),
        "above the quota");
    assertEquals(
        GrpcStatus.INVALID_ARGUMENT,
        grpc.uploadUnfinished(port, header("../escape.bin", data.length, sha), null).status());
    assertEquals(
        GrpcStatus.INVALID_ARGUMENT,
        grpc.uploadUnfinished(port, header("/abs.bin", data.length, sha), null).status());
    assertEquals(
        GrpcStatus.INVALID_ARGUMENT,
        grpc.uploadUnfinished(port, header("ok.bin", data.length, "not-a-hash"), null).status());
    UploadChunk overwrite =
        header("ok.bin", data.length, sha).toBuilder().setOverwrite(true).build();
    assertEquals(
        GrpcStatus.INVALID_ARGUMENT,
        grpc.uploadUnfinished(port, overwrite, null).status(),
        "overwrite not allowed by this peer");
    assertEquals(
        GrpcStatus.PERMISSION_DENIED,
        grpc.uploadUnfinished(off, header("ok.bin", data.length, sha), null).status(),
        "uploads are off by default");

    assertEquals(List.of(), Listing.files(share));
    assertFalse(Files.exists(tmp.resolve("escape.bin")));
    assertEquals(List.of(), Listing.files(closed));
  }
}
