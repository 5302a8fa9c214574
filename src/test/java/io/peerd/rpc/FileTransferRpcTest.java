package io.peerd.rpc;

import static io.peerd.testkit.Await.await;
import static io.peerd.testkit.Await.failure;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.peerd.node.PeerVerticle;
import io.peerd.rpc.proto.FileChunk;
import io.peerd.rpc.proto.FileTransferGrpcClient;
import io.peerd.rpc.proto.UploadStatus;
import io.peerd.testkit.Grpc;
import io.peerd.testkit.OnLoop;
import io.peerd.testkit.Peers;
import io.peerd.testkit.TestFiles;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.core.streams.WriteStream;
import io.vertx.grpc.client.InvalidStatusException;
import io.vertx.grpc.common.GrpcMessageDecoder;
import io.vertx.grpc.common.GrpcMessageEncoder;
import io.vertx.grpc.common.GrpcStatus;
import io.vertx.grpc.common.ServiceMethod;
import io.vertx.grpc.common.ServiceName;
import io.vertx.grpc.health.v1.HealthCheckRequest;
import io.vertx.grpc.health.v1.HealthCheckResponse;
import io.vertx.grpc.reflection.v1.ServerReflectionRequest;
import io.vertx.grpc.reflection.v1.ServerReflectionResponse;
import io.vertx.grpc.reflection.v1.ServiceResponse;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
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

  @TempDir Path tmp;
  PeerVerticle peer;
  byte[] big;
  Grpc grpc;

  @BeforeEach
  void start(Vertx vertx) {
    Path share = Peers.folderWith(tmp, "share", Map.of("small.txt", "hello"));
    big = TestFiles.random(share, "big.bin", 5 * 1024 * 1024 + 12345, 7).bytes();
    grpc = new Grpc(vertx);
    JsonObject extra =
        new JsonObject().put("grpc_port", 0).put("dummy_upload_max_bytes", UPLOAD_CAP);
    peer = Peers.started(vertx, "g", share, List.of(), extra);
  }

  /** The generated client, as the seed's own clients call the Dummy rpcs. */
  FileTransferGrpcClient client(int port) {
    return FileTransferGrpcClient.create(grpc.client(), Grpc.address(port));
  }

  static GrpcStatus status(Throwable failure) {
    InvalidStatusException e =
        assertInstanceOf(InvalidStatusException.class, failure, String.valueOf(failure));
    return e.actualStatus();
  }

  @Test
  void dummyDownloadStreamsTheFileByteForByteOnBothPorts() {
    Grpc.Download viaGrpcPort = grpc.dummyDownload(peer.grpcPort(), "big.bin");
    assertEquals(GrpcStatus.OK, viaGrpcPort.status(), viaGrpcPort.message());
    assertArrayEquals(big, viaGrpcPort.data().getBytes());
    List<Integer> seqs = viaGrpcPort.seqs();
    assertEquals(big.length / 65536 + 1, seqs.size(), "64 KiB chunks");
    for (int i = 0; i < seqs.size(); i++) {
      assertEquals(i + 1, seqs.get(i), "seq increases from 1");
    }

    Grpc.Download viaRestPort = grpc.dummyDownload(peer.restPort(), "big.bin");
    assertEquals(GrpcStatus.OK, viaRestPort.status(), viaRestPort.message());
    assertArrayEquals(big, viaRestPort.data().getBytes(), "gRPC is served on the REST port too");
  }

  @Test
  void missingFileIsNotFoundAndEscapesAreInvalidArgument() {
    assertEquals(GrpcStatus.NOT_FOUND, grpc.dummyDownload(peer.grpcPort(), "nope.txt").status());
    assertEquals(
        GrpcStatus.INVALID_ARGUMENT,
        grpc.dummyDownload(peer.grpcPort(), "../share/small.txt").status());
    assertEquals(
        GrpcStatus.INVALID_ARGUMENT, grpc.dummyDownload(peer.grpcPort(), "/etc/passwd").status());
  }

  @Test
  void dummyUploadCountsBytesAndChunks() {
    UploadStatus status =
        await(
            client(peer.grpcPort())
                .dummyUpload(
                    (WriteStream<FileChunk> w, Throwable err) -> {
                      for (int i = 1; i <= 10; i++) {
                        w.write(
                            FileChunk.newBuilder()
                                .setData(ByteString.copyFrom(new byte[1000]))
                                .setSeq(i)
                                .build());
                      }
                      w.end();
                    }));
    assertEquals(10_000, status.getReceivedBytes());
    assertEquals(10, status.getChunks());
  }

  @Test
  void dummyUploadAboveTheCapIsCutWithResourceExhausted() {
    // The stream is never ended by the client: the answer must come as soon as the cap is passed.
    Throwable cut =
        failure(
            client(peer.restPort())
                .dummyUpload(
                    (WriteStream<FileChunk> w, Throwable err) -> {
                      byte[] chunk = new byte[64 * 1024];
                      for (int i = 1; i <= UPLOAD_CAP / chunk.length + 2; i++) {
                        w.write(
                            FileChunk.newBuilder()
                                .setData(ByteString.copyFrom(chunk))
                                .setSeq(i)
                                .build());
                      }
                    }));
    assertEquals(GrpcStatus.RESOURCE_EXHAUSTED, status(cut));
  }

  @Test
  void grpcHealthServiceAnswersServing(Vertx vertx) {
    ServiceMethod<HealthCheckResponse, HealthCheckRequest> check =
        ServiceMethod.client(
            ServiceName.create("grpc.health.v1.Health"),
            "Check",
            GrpcMessageEncoder.encoder(),
            GrpcMessageDecoder.decoder(HealthCheckResponse.newBuilder()));
    HealthCheckResponse r =
        await(
            OnLoop.run(
                vertx,
                () ->
                    grpc.client()
                        .request(Grpc.address(peer.restPort()), check)
                        .compose(req -> req.send(HealthCheckRequest.getDefaultInstance()))
                        .compose(resp -> resp.last())));
    assertEquals(HealthCheckResponse.ServingStatus.SERVING, r.getStatus());
  }

  @Test
  void reflectionListsTheSeedService(Vertx vertx) {
    ServiceMethod<ServerReflectionResponse, ServerReflectionRequest> info =
        ServiceMethod.client(
            ServiceName.create("grpc.reflection.v1.ServerReflection"),
            "ServerReflectionInfo",
            GrpcMessageEncoder.encoder(),
            GrpcMessageDecoder.decoder(ServerReflectionResponse.newBuilder()));
    ServerReflectionResponse r =
        await(
            OnLoop.run(
                vertx,
                () ->
                    grpc.client()
                        .request(Grpc.address(peer.grpcPort()), info)
                        .compose(
                            req ->
                                req.send(
                                    ServerReflectionRequest.newBuilder()
                                        .setListServices("*")
                                        .build()))
                        .compose(resp -> resp.last())));
    List<String> names =
        r.getListServicesResponse().getServiceList().stream()
            .map(ServiceResponse::getName)
            .toList();
    assertTrue(names.contains("p2p.FileTransfer"), names.toString());
  }
}
