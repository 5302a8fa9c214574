package io.peerd.rpc;

import com.google.protobuf.UnsafeByteOperations;
import io.peerd.index.FileEntry;
import io.peerd.index.IndexSnapshot;
import io.peerd.index.Names;
import io.peerd.rpc.proto.FileChunk;
import io.peerd.rpc.proto.FileRequest;
import io.peerd.rpc.proto.FileTransferGrpcService;
import io.peerd.rpc.proto.UploadStatus;
import io.peerd.transfer.Chunk;
import io.peerd.transfer.ChunkSink;
import io.peerd.transfer.FileStreamer;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.grpc.common.GrpcStatus;
import io.vertx.grpc.server.Service;
import io.vertx.grpc.server.GrpcServerRequest;
import io.vertx.grpc.server.GrpcServerResponse;
import java.util.function.Supplier;

/** The seed's FileTransfer service, done right: real statuses, backpressure, an upload cap. */
public final class FileTransferRpc {

  private final Vertx vertx;
  private final Supplier<IndexSnapshot> index;
  private final int chunkSize;
  private final long dummyUploadMaxBytes;

  public FileTransferRpc(Vertx vertx, Supplier<IndexSnapshot> index, int chunkSize,
      long dummyUploadMaxBytes) {
    this.vertx = vertx;
    this.index = index;
    this.chunkSize = chunkSize;
    this.dummyUploadMaxBytes = dummyUploadMaxBytes;
  }

  /** The service with its descriptor, so reflection lists it like any generated service. */
  public Service service() {
    return Service.service(FileTransferGrpcService.SERVICE_NAME, FileTransferGrpcService.SERVICE_DESCRIPTOR)
        .bind(FileTransferGrpcService.DummyDownload, this::dummyDownload)
        .bind(FileTransferGrpcService.DummyUpload, this::dummyUpload)
        .build();
  }

  /** Streams the named shared file in chunks; the seed's answer-OK-with-error-text is gone. */
  private void dummyDownload(GrpcServerRequest<FileRequest, FileChunk> request) {
    GrpcServerResponse<FileRequest, FileChunk> response = request.response();
    request.handler(msg -> {
      String name = msg.getFilename();
      String problem = Names.problem(name);
      if (problem != null) {
        fail(response, GrpcStatus.INVALID_ARGUMENT, "bad filename: " + problem);
        return;
      }
      FileEntry entry = index.get().get(name);
      if (entry == null) {
        fail(response, GrpcStatus.NOT_FOUND, "no shared file named " + name);
        return;
      }
      FileStreamer.start(vertx, entry.path(), 0, -1, chunkSize, sink(response))
          .onFailure(err -> fail(response, GrpcStatus.NOT_FOUND, name + " can no longer be read"))
          .onSuccess(streamer -> {
            response.exceptionHandler(err -> streamer.cancel());
            streamer.result().onComplete(ar -> {
              if (ar.succeeded()) {
                response.end();
              } else {
                fail(response, GrpcStatus.INTERNAL, "read failed: " + ar.cause().getMessage());
              }
            });
          });
    });
  }

  /** Counts what the client sends; nothing touches the disk. Cut as soon as the cap is passed. */
  private void dummyUpload(GrpcServerRequest<FileChunk, UploadStatus> request) {
    GrpcServerResponse<FileChunk, UploadStatus> response = request.response();
    long[] bytes = {0};
    int[] chunks = {0};
    boolean[] cut = {false};
    request.handler(chunk -> {
      if (cut[0]) {
        return;
      }
      if (!chunk.getData().isEmpty()) {
        chunks[0]++;
        bytes[0] += chunk.getData().size();
      }
      if (bytes[0] > dummyUploadMaxBytes) {
        cut[0] = true;
        fail(response, GrpcStatus.RESOURCE_EXHAUSTED,
            "upload larger than the " + dummyUploadMaxBytes + " byte cap");
      }
    });
    request.endHandler(v -> {
      if (!cut[0]) {
        response.end(UploadStatus.newBuilder().setReceivedBytes(bytes[0]).setChunks(chunks[0]).build());
      }
    });
  }

  private static ChunkSink sink(GrpcServerResponse<FileRequest, FileChunk> response) {
    return new ChunkSink() {
      @Override
      public void write(Chunk c) {
        response.write(FileChunk.newBuilder()
            .setData(UnsafeByteOperations.unsafeWrap(c.data().getBytes()))
            .setSeq(c.seq())
            .build());
      }

      @Override
      public boolean writeQueueFull() {
        return response.writeQueueFull();
      }

      @Override
      public void drainHandler(Handler<Void> handler) {
        response.drainHandler(handler);
      }
    };
  }

  static void fail(GrpcServerResponse<?, ?> response, GrpcStatus status, String message) {
    response.status(status).statusMessage(message).end();
  }
}
