package io.peerd.rpc;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.peerd.node.PeerVerticle;
import io.peerd.rpc.proto.FileChunk;
import io.peerd.rpc.proto.FileRequest;
import io.peerd.rpc.proto.FileTransferGrpcClient;
import io.peerd.testkit.Peers;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.SocketAddress;
import io.vertx.core.streams.WriteStream;
import io.vertx.grpc.client.GrpcClient;
import io.vertx.grpc.client.InvalidStatusException;
import io.vertx.grpc.common.GrpcStatus;
import io.vertx.grpc.health.v1.HealthCheckRequest;
import io.vertx.grpc.health.v1.HealthCheckResponse;
import io.vertx.grpc.common.GrpcMessageDecoder;
import io.vertx.grpc.common.GrpcMessageEncoder;
import io.vertx.grpc.common.ServiceMethod;
import io.vertx.grpc.common.ServiceName;
import io.vertx.grpc.reflection.v1.ServerReflectionRequest;
import io.vertx.grpc.reflection.v1.ServerReflectionResponse;
import io.vertx.grpc.reflection.v1.ServiceResponse;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The seed's FileTransfer service over real gRPC, on the REST port and on grpc_port. */
@ExtendWith(VertxExtension.class)
@Tag("peer")
class FileTransferRpcTest {

  static final int UPLOAD_CAP = 1 << 20;

  @TempDir
  Path tmp;
  PeerVerticle peer;
  byte[] big;
  GrpcClient grpc;

  @BeforeEach
  void start(Vertx vertx, VertxTestContext ctx) throws Exception {
    Path share = Peers.folderWith(tmp, "share", Map.of("small.txt", "hello"));
    big = new byte[5 * 1024 * 1024 + 12345];
    new Random(7).nextBytes(big);
    Files.write(share.resolve("big.bin"), big);
    grpc = GrpcClient.client(vertx);
    JsonObject extra = new JsonObject().put("grpc_port", 0).put("dummy_upload_max_bytes", UPLOAD_CAP);
    Peers.start(vertx, Peers.config("g", share, List.of(), extra)).onComplete(ctx.succeeding(p -> {
      peer = p;
      ctx.completeNow();
    }));
  }

  FileTransferGrpcClient client(int port) {
    return FileTransferGrpcClient.create(grpc, SocketAddress.inetSocketAddress(port, "127.0.0.1"));
  }

  /** Collects a DummyDownload; fails with the status when the server answers one. */
  Future<Buffer> download(int port, String name, List<Integer> seqs) {
    return client(port).dummyDownload(FileRequest.newBuilder().setFilename(name).build())
        .compose(stream -> {
          Promise<Buffer> done = Promise.promise();
          Buffer all = Buffer.buffer();
          stream.handler(chunk -> {
            seqs.add(chunk.getSeq());
            all.appendBytes(chunk.getData().toByteArray());
          });
          stream.exceptionHandler(done::tryFail);
          stream.endHandler(v -> done.tryComplete(all));
          return done.future();
        });
  }

  @Test
  void dummyDownloadStreamsTheFileByteForByteOnBothPorts(VertxTestContext ctx) {
    List<Integer> seqs = new java.util.ArrayList<>();
    download(peer.grpcPort(), "big.bin", seqs)
        .compose(viaGrpcPort -> {
          ctx.verify(() -> {
            assertArrayEquals(big, viaGrpcPort.getBytes());
            assertEquals(big.length / 65536 + 1, seqs.size(), "64 KiB chunks");
            for (int i = 0; i < seqs.size(); i++) {
              assertEquals(i + 1, seqs.get(i), "seq increases from 1");
            }
          });
          return download(peer.restPort(), "big.bin", new java.util.ArrayList<>());
        })
        .onComplete(ctx.succeeding(viaRestPort -> ctx.verify(() -> {
          assertArrayEquals(big, viaRestPort.getBytes(), "gRPC is served on the REST port too");
          ctx.completeNow();
        })));
  }

  @Test
  void missingFileIsNotFoundAndEscapesAreInvalidArgument(VertxTestContext ctx) {
    Future<Buffer> missing = download(peer.grpcPort(), "nope.txt", new java.util.ArrayList<>());
    Future<Buffer> escape = download(peer.grpcPort(), "../share/small.txt", new java.util.ArrayList<>());
    Future<Buffer> absolute = download(peer.grpcPort(), "/etc/passwd", new java.util.ArrayList<>());
    Future.join(missing, escape, absolute).onComplete(ar -> ctx.verify(() -> {
      assertEquals(GrpcStatus.NOT_FOUND, status(missing));
      assertEquals(GrpcStatus.INVALID_ARGUMENT, status(escape));
      assertEquals(GrpcStatus.INVALID_ARGUMENT, status(absolute));
      ctx.completeNow();
    }));
  }

  static GrpcStatus status(Future<?> f) {
    assertTrue(f.failed(), "expected a failed call");
    assertTrue(f.cause() instanceof InvalidStatusException, String.valueOf(f.cause()));
    return ((InvalidStatusException) f.cause()).actualStatus();
  }

  @Test
  void dummyUploadCountsBytesAndChunks(VertxTestContext ctx) {
    client(peer.grpcPort()).dummyUpload((WriteStream<FileChunk> w, Throwable err) -> {
      for (int i = 1; i <= 10; i++) {
        w.write(FileChunk.newBuilder().setData(ByteString.copyFrom(new byte[1000])).setSeq(i).build());
      }
      w.end();
    }).onComplete(ctx.succeeding(status -> ctx.verify(() -> {
      assertEquals(10_000, status.getReceivedBytes());
      assertEquals(10, status.getChunks());
      ctx.completeNow();
    })));
  }

  @Test
  void dummyUploadAboveTheCapIsCutWithResourceExhausted(VertxTestContext ctx) {
    // The stream is never ended by the client: the answer must come as soon as the cap is passed.
    client(peer.restPort()).dummyUpload((WriteStream<FileChunk> w, Throwable err) -> {
      byte[] chunk = new byte[64 * 1024];
      for (int i = 1; i <= UPLOAD_CAP / chunk.length + 2; i++) {
        w.write(FileChunk.newBuilder().setData(ByteString.copyFrom(chunk)).setSeq(i).build());
      }
    }).onComplete(ar -> ctx.verify(() -> {
      assertEquals(GrpcStatus.RESOURCE_EXHAUSTED, status(ar.failed() ? Future.failedFuture(ar.cause()) : Future.succeededFuture()));
      ctx.completeNow();
    }));
  }

  @Test
  void grpcHealthServiceAnswersServing(VertxTestContext ctx) {
    ServiceMethod<HealthCheckResponse, HealthCheckRequest> check = ServiceMethod.client(
        ServiceName.create("grpc.health.v1.Health"), "Check", GrpcMessageEncoder.encoder(),
        GrpcMessageDecoder.decoder(HealthCheckResponse.newBuilder()));
    grpc.request(SocketAddress.inetSocketAddress(peer.restPort(), "127.0.0.1"), check)
        .compose(req -> req.end(HealthCheckRequest.getDefaultInstance()).compose(v -> req.response()))
        .compose(resp -> resp.last())
        .onComplete(ctx.succeeding(r -> ctx.verify(() -> {
          assertEquals(HealthCheckResponse.ServingStatus.SERVING, r.getStatus());
          ctx.completeNow();
        })));
  }

  @Test
  void reflectionListsTheSeedService(VertxTestContext ctx) {
    ServiceMethod<ServerReflectionResponse, ServerReflectionRequest> info = ServiceMethod.client(
        ServiceName.create("grpc.reflection.v1.ServerReflection"), "ServerReflectionInfo",
        GrpcMessageEncoder.encoder(), GrpcMessageDecoder.decoder(ServerReflectionResponse.newBuilder()));
    grpc.request(SocketAddress.inetSocketAddress(peer.grpcPort(), "127.0.0.1"), info)
        .compose(req -> req.end(ServerReflectionRequest.newBuilder().setListServices("*").build())
            .compose(v -> req.response()))
        .compose(resp -> resp.last())
        .onComplete(ctx.succeeding(r -> ctx.verify(() -> {
          List<String> names = r.getListServicesResponse().getServiceList().stream()
              .map(ServiceResponse::getName).toList();
          assertTrue(names.contains("p2p.FileTransfer"), names.toString());
          ctx.completeNow();
        })));
  }
}
