package io.peerd.rpc;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.peerd.node.PeerVerticle;
import io.peerd.rpc.proto.DownloadRequest;
import io.peerd.rpc.proto.FileChunk;
import io.peerd.rpc.proto.FileTransferGrpcClient;
import io.peerd.rpc.proto.UploadChunk;
import io.peerd.rpc.proto.UploadResult;
import io.peerd.testkit.Peers;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.SocketAddress;
import io.vertx.ext.web.client.WebClient;
import io.vertx.grpc.client.GrpcClient;
import io.vertx.grpc.common.GrpcStatus;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The real Download and Upload rpcs over gRPC against a real peer. */
@ExtendWith(VertxExtension.class)
@Tag("peer")
class DownloadUploadTest {

  @TempDir
  Path tmp;

  record Got(GrpcStatus status, String message, Buffer data, List<Long> offsets) {}

  static String sha(byte[] b) {
    return HexFormat.of().formatHex(io.peerd.index.Sha256.digest().digest(b));
  }

  Future<PeerVerticle> peer(Vertx vertx, Path share, JsonObject extra) {
    return Peers.start(vertx, Peers.config("t", share, List.of(), extra));
  }

  /** A Download call collected whole, with its final status (never a failed future). */
  static Future<Got> download(GrpcClient grpc, PeerVerticle p, String name, long offset, long length) {
    DownloadRequest req = DownloadRequest.newBuilder().setFilename(name).setOffset(offset).setLength(length).build();
    return grpc.request(SocketAddress.inetSocketAddress(p.restPort(), "127.0.0.1"), FileTransferGrpcClient.Download)
        .compose(call -> call.send(req))
        .compose(resp -> {
          Promise<Got> done = Promise.promise();
          Buffer all = Buffer.buffer();
          List<Long> offsets = new ArrayList<>();
          resp.handler(c -> {
            offsets.add(c.getOffset());
            all.appendBytes(c.getData().toByteArray());
          });
          resp.exceptionHandler(done::tryFail);
          resp.endHandler(v -> done.tryComplete(new Got(resp.status(), resp.statusMessage(), all, offsets)));
          return done.future();
        });
  }

  /** An Upload: header, then data in 64 KiB chunks (or none when data is null). */
  static Future<Got> upload(GrpcClient grpc, PeerVerticle p, UploadChunk header, byte[] data) {
    return grpc.request(SocketAddress.inetSocketAddress(p.restPort(), "127.0.0.1"), FileTransferGrpcClient.Upload)
        .compose(call -> {
          call.write(header);
          if (data != null) {
            for (int off = 0; off < data.length; off += 65536) {
              call.write(UploadChunk.newBuilder()
                  .setData(ByteString.copyFrom(data, off, Math.min(65536, data.length - off))).build());
            }
            call.end();
          }
          return call.response();
        })
        .compose(resp -> resp.last().<Got>transform(ar -> Future.succeededFuture(new Got(resp.status(),
            resp.statusMessage(), ar.succeeded() ? Buffer.buffer(ar.result().getFilename()) : null, List.of()))));
  }

  static UploadChunk header(String name, byte[] data, String sha) {
    return UploadChunk.newBuilder().setFilename(name).setSize(data.length).setSha256(sha).build();
  }

  static List<String> listing(Path dir) throws Exception {
    if (!Files.exists(dir)) {
      return List.of();
    }
    try (Stream<Path> s = Files.walk(dir)) {
      return s.filter(Files::isRegularFile).map(f -> dir.relativize(f).toString()).sorted().toList();
    }
  }

  @Test
  void downloadIsByteIdenticalRangedAndHasRightStatuses(Vertx vertx, VertxTestContext ctx) throws Exception {
    byte[] data = new byte[7 * 1024 * 1024 + 333];
    new Random(11).nextBytes(data);
    Path share = Peers.folderWith(tmp, "share", Map.of());
    Files.write(share.resolve("big.bin"), data);
    GrpcClient grpc = GrpcClient.client(vertx);
    peer(vertx, share, new JsonObject().put("download_chunk_size", 128 * 1024)).compose(p -> Future.all(List.of(
            download(grpc, p, "big.bin", 0, 0),
            download(grpc, p, "big.bin", 5_000_000, 1000),
            download(grpc, p, "big.bin", data.length, 0),
            download(grpc, p, "big.bin", data.length + 1, 0),
            download(grpc, p, "big.bin", -1, 0),
            download(grpc, p, "../share/big.bin", 0, 0),
            download(grpc, p, "missing.bin", 0, 0)))
        .map(all -> all.<Got>list()))
        .onComplete(ctx.succeeding(r -> ctx.verify(() -> {
          Got whole = r.get(0);
          assertEquals(GrpcStatus.OK, whole.status());
          assertArrayEquals(data, whole.data().getBytes());
          assertEquals(data.length / (128 * 1024) + 1, whole.offsets().size(), "download_chunk_size chunks");
          for (int i = 0; i < whole.offsets().size(); i++) {
            assertEquals(i * 128L * 1024, whole.offsets().get(i), "offset of chunk " + i);
          }
          assertArrayEquals(Arrays.copyOfRange(data, 5_000_000, 5_001_000), r.get(1).data().getBytes());
          assertEquals(5_000_000L, r.get(1).offsets().get(0));
          assertEquals(GrpcStatus.OK, r.get(2).status(), "offset at the end: nothing left, not an error");
          assertEquals(0, r.get(2).data().length());
          assertEquals(GrpcStatus.OUT_OF_RANGE, r.get(3).status());
          assertEquals(GrpcStatus.INVALID_ARGUMENT, r.get(4).status());
          assertEquals(GrpcStatus.INVALID_ARGUMENT, r.get(5).status());
          assertEquals(GrpcStatus.NOT_FOUND, r.get(6).status());
          assertTrue(r.get(6).message().contains("missing.bin"));
          ctx.completeNow();
        })));
  }

  @Test
  void downloadRateLimitIsResourceExhausted(Vertx vertx, VertxTestContext ctx) {
    Path share = Peers.folderWith(tmp, "share", Map.of("a.txt", "a"));
    GrpcClient grpc = GrpcClient.client(vertx);
    peer(vertx, share, new JsonObject().put("rate_limit", new JsonObject().put("downloads_per_minute", 1)))
        .compose(p -> download(grpc, p, "a.txt", 0, 0).compose(first -> download(grpc, p, "a.txt", 0, 0)
            .map(second -> List.of(first, second))))
        .onComplete(ctx.succeeding(r -> ctx.verify(() -> {
          assertEquals(GrpcStatus.OK, r.get(0).status());
          assertEquals(GrpcStatus.RESOURCE_EXHAUSTED, r.get(1).status());
          ctx.completeNow();
        })));
  }

  @Test
  void uploadBecomesVisibleOnlyWhenVerified(Vertx vertx, VertxTestContext ctx) throws Exception {
    byte[] data = new byte[2 * 1024 * 1024 + 5];
    new Random(5).nextBytes(data);
    String sha = sha(data);
    Path share = Peers.folderWith(tmp, "share", Map.of());
    GrpcClient grpc = GrpcClient.client(vertx);
    WebClient http = WebClient.create(vertx);
    peer(vertx, share, new JsonObject().put("accept_uploads", true)).compose(p ->
            upload(grpc, p, header("in/new.bin", data, sha), data)
                .compose(ok -> {
                  ctx.verify(() -> {
                    assertEquals(GrpcStatus.OK, ok.status(), ok.message());
                    assertEquals("uploads/in/new.bin", ok.data().toString());
                    assertArrayEquals(data, Files.readAllBytes(share.resolve("uploads/in/new.bin")));
                  });
                  return upload(grpc, p, header("in/new.bin", data, sha), data);
                })
                .compose(again -> {
                  ctx.verify(() -> assertEquals(GrpcStatus.ALREADY_EXISTS, again.status()));
                  return http.get(p.restPort(), "127.0.0.1", "/files").send();
                }))
        .onComplete(ctx.succeeding(files -> ctx.verify(() -> {
          JsonObject f = files.bodyAsJsonObject().getJsonArray("files").getJsonObject(0);
          assertEquals("uploads/in/new.bin", f.getString("name"), "indexed once in place");
          assertEquals(sha, f.getString("checksum"));
          assertEquals(List.of("uploads/in/new.bin"), listing(share), "no temporary file left");
          ctx.completeNow();
        })));
  }

  @Test
  void aWrongHashOrShortStreamLeavesNothingBehind(Vertx vertx, VertxTestContext ctx) throws Exception {
    byte[] data = new byte[300_000];
    new Random(6).nextBytes(data);
    Path share = Peers.folderWith(tmp, "share", Map.of());
    GrpcClient grpc = GrpcClient.client(vertx);
    peer(vertx, share, new JsonObject().put("accept_uploads", true)).compose(p -> Future.all(
            upload(grpc, p, header("bad-hash.bin", data, "0".repeat(64)), data),
            upload(grpc, p, header("short.bin", data, sha(data)), Arrays.copyOf(data, 1000)),
            upload(grpc, p, header("long.bin", Arrays.copyOf(data, 10), sha(data)), data)))
        .onComplete(ctx.succeeding(all -> ctx.verify(() -> {
          for (int i = 0; i < 3; i++) {
            Got g = all.resultAt(i);
            assertEquals(GrpcStatus.DATA_LOSS, g.status(), g.message());
          }
          assertEquals(List.of(), listing(share), "nothing in the shared folder, no temp file either");
          ctx.completeNow();
        })));
  }

  @Test
  void aCutStreamLeavesNothingBehind(Vertx vertx, VertxTestContext ctx) throws Exception {
    byte[] data = new byte[1_000_000];
    Path share = Peers.folderWith(tmp, "share", Map.of());
    GrpcClient grpc = GrpcClient.client(vertx);
    peer(vertx, share, new JsonObject().put("accept_uploads", true))
        .compose(p -> grpc.request(SocketAddress.inetSocketAddress(p.restPort(), "127.0.0.1"), FileTransferGrpcClient.Upload))
        .compose(call -> {
          call.write(header("cut.bin", data, sha(data)));
          call.write(UploadChunk.newBuilder().setData(ByteString.copyFrom(data, 0, 100_000)).build());
          Promise<Void> cut = Promise.promise();
          // Let the server create its temp file and take some data, then cut the stream.
          vertx.setTimer(300, t -> {
            call.cancel();
            vertx.setTimer(500, t2 -> cut.complete());
          });
          return cut.future();
        })
        .onComplete(ctx.succeeding(v -> ctx.verify(() -> {
          assertEquals(List.of(), listing(share), "the temporary file was removed");
          ctx.completeNow();
        })));
  }

  @Test
  void refusedBeforeAnyDataIsWritten(Vertx vertx, VertxTestContext ctx) throws Exception {
    byte[] data = new byte[5000];
    String sha = sha(data);
    Path share = Peers.folderWith(tmp, "share", Map.of());
    Path closed = Peers.folderWith(tmp, "closed", Map.of());
    GrpcClient grpc = GrpcClient.client(vertx);
    JsonObject small = new JsonObject().put("accept_uploads", true).put("upload_max_bytes", 10_000);
    Future.all(peer(vertx, share, small), peer(vertx, closed, null)).compose(peers -> {
      PeerVerticle p = peers.resultAt(0);
      PeerVerticle off = peers.resultAt(1);
      // No data is ever sent (data == null): each answer must come after the header alone.
      return Future.all(List.of(
          upload(grpc, p, UploadChunk.newBuilder().setFilename("big.bin").setSize(1_000_000).setSha256(sha).build(), null),
          upload(grpc, p, header("../escape.bin", data, sha), null),
          upload(grpc, p, header("/abs.bin", data, sha), null),
          upload(grpc, p, header("ok.bin", data, "not-a-hash"), null),
          upload(grpc, p, header("ok.bin", data, sha).toBuilder().setOverwrite(true).build(), null),
          upload(grpc, off, header("ok.bin", data, sha), null))).map(all -> all.<Got>list());
    }).onComplete(ctx.succeeding(r -> ctx.verify(() -> {
      assertEquals(GrpcStatus.RESOURCE_EXHAUSTED, r.get(0).status(), "above the quota");
      assertEquals(GrpcStatus.INVALID_ARGUMENT, r.get(1).status());
      assertEquals(GrpcStatus.INVALID_ARGUMENT, r.get(2).status());
      assertEquals(GrpcStatus.INVALID_ARGUMENT, r.get(3).status());
      assertEquals(GrpcStatus.INVALID_ARGUMENT, r.get(4).status(), "overwrite not allowed by this peer");
      assertEquals(GrpcStatus.PERMISSION_DENIED, r.get(5).status(), "uploads are off by default");
      assertEquals(List.of(), listing(share));
      assertFalse(Files.exists(tmp.resolve("escape.bin")));
      assertEquals(List.of(), listing(closed));
      ctx.completeNow();
    })));
  }
}
