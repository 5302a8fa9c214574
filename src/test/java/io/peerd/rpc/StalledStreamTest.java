package io.peerd.rpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.peerd.node.PeerVerticle;
import io.peerd.rpc.proto.DownloadRequest;
import io.peerd.rpc.proto.FileTransferGrpcClient;
import io.peerd.rpc.proto.UploadChunk;
import io.peerd.testkit.Peers;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.SocketAddress;
import io.vertx.grpc.client.GrpcClient;
import io.vertx.grpc.common.GrpcStatus;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** gRPC streams that stop moving are cut after stream_idle_timeout_ms and free what they held. */
@ExtendWith(VertxExtension.class)
@Tag("peer")
class StalledStreamTest {

  @TempDir
  Path tmp;

  Future<PeerVerticle> peer(Vertx vertx, Path share) {
    return Peers.start(vertx, Peers.config("s", share, List.of(),
        new JsonObject().put("accept_uploads", true).put("stream_idle_timeout_ms", 300)));
  }

  static long files(Path dir) throws Exception {
    try (Stream<Path> s = Files.walk(dir)) {
      return s.filter(Files::isRegularFile).count();
    }
  }

  @Test
  void anUploadThatNeverSendsItsFirstMessageIsCut(Vertx vertx, VertxTestContext ctx) {
    // The gRPC client sends headers with the first message; a raw HTTP/2 request can send the
    // headers of an Upload call and then nothing at all.
    var h2 = vertx.createHttpClient(new io.vertx.core.http.HttpClientOptions()
        .setProtocolVersion(io.vertx.core.http.HttpVersion.HTTP_2).setHttp2ClearTextUpgrade(false));
    long start = System.nanoTime();
    peer(vertx, Peers.folderWith(tmp, "s", Map.of()))
        .compose(p -> h2.request(new io.vertx.core.http.RequestOptions().setMethod(io.vertx.core.http.HttpMethod.POST)
            .setHost("127.0.0.1").setPort(p.restPort()).setURI("/p2p.FileTransfer/Upload")
            .putHeader("content-type", "application/grpc").putHeader("te", "trailers")))
        .compose(req -> req.sendHead().compose(v -> req.response()))
        .compose(resp -> resp.end().map(v -> {
          String status = resp.getTrailer("grpc-status");
          return status != null ? status : resp.getHeader("grpc-status");
        }))
        .onComplete(ctx.succeeding(status -> ctx.verify(() -> {
          assertEquals(String.valueOf(GrpcStatus.DEADLINE_EXCEEDED.code), status);
          assertTrue((System.nanoTime() - start) / 1_000_000 < 5000);
          ctx.completeNow();
        })));
  }

  @Test
  void anUploadThatStallsIsCutAndLeavesNothing(Vertx vertx, VertxTestContext ctx) {
    GrpcClient grpc = GrpcClient.client(vertx);
    Path share = Peers.folderWith(tmp, "s", Map.of());
    peer(vertx, share)
        .compose(p -> grpc.request(SocketAddress.inetSocketAddress(p.restPort(), "127.0.0.1"), FileTransferGrpcClient.Upload))
        .compose(call -> {
          call.write(UploadChunk.newBuilder().setFilename("slow.bin").setSize(1_000_000).setSha256("0".repeat(64)).build());
          call.write(UploadChunk.newBuilder().setData(ByteString.copyFrom(new byte[10_000])).build());
          return call.response();
        })
        .compose(resp -> resp.last().transform(ar -> Future.succeededFuture(resp.status())))
        .onComplete(ctx.succeeding(status -> ctx.verify(() -> {
          assertEquals(GrpcStatus.DEADLINE_EXCEEDED, status);
          vertx.setTimer(300, t -> ctx.verify(() -> {
            assertEquals(0, files(share), "the temporary file was removed");
            ctx.completeNow();
          }));
        })));
  }

  @Test
  void aDownloadWhoseClientStopsReadingIsReset(Vertx vertx, VertxTestContext ctx) throws Exception {
    Path share = Peers.folderWith(tmp, "s", Map.of());
    Files.write(share.resolve("big.bin"), new byte[32 * 1024 * 1024]);
    GrpcClient grpc = GrpcClient.client(vertx);
    peer(vertx, share)
        .compose(p -> grpc.request(SocketAddress.inetSocketAddress(p.restPort(), "127.0.0.1"), FileTransferGrpcClient.Download))
        .compose(call -> call.send(DownloadRequest.newBuilder().setFilename("big.bin").build()))
        .compose(resp -> {
          Promise<String> outcome = Promise.promise();
          long[] got = {0};
          resp.handler(c -> got[0] += c.getData().size());
          resp.exceptionHandler(err -> outcome.tryComplete("reset after " + got[0]));
          resp.endHandler(v -> outcome.tryComplete("completed with " + got[0] + " " + resp.status()));
          resp.pause();
          // Stop reading well past the server's idle timeout, then read again.
          vertx.setTimer(1500, t -> resp.resume());
          return outcome.future();
        })
        .onComplete(ctx.succeeding(outcome -> ctx.verify(() -> {
          assertTrue(outcome.startsWith("reset"), "the server gave up on a client that stopped reading: " + outcome);
          ctx.completeNow();
        })));
  }
}
