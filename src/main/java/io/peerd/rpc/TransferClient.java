package io.peerd.rpc;

import com.google.protobuf.UnsafeByteOperations;
import io.peerd.rpc.proto.DownloadRequest;
import io.peerd.rpc.proto.FileChunk;
import io.peerd.rpc.proto.FileRequest;
import io.peerd.rpc.proto.FileTransferGrpcClient;
import io.peerd.rpc.proto.UploadChunk;
import io.peerd.rpc.proto.UploadResult;
import io.peerd.transfer.FileTransfers;
import io.peerd.transfer.TransferFailure;
import io.peerd.transfer.TransferFailure.Reason;
import io.peerd.transfer.Upload;
import io.peerd.transfer.UploadReceipt;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.Http2Settings;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.net.SocketAddress;
import io.vertx.core.streams.ReadStream;
import io.vertx.core.streams.WriteStream;
import io.vertx.grpc.client.GrpcClient;
import io.vertx.grpc.client.GrpcClientOptions;
import io.vertx.grpc.client.GrpcClientRequest;
import io.vertx.grpc.client.GrpcClientResponse;
import io.vertx.grpc.client.InvalidStatusException;
import io.vertx.grpc.common.GrpcStatus;

/**
 * The client side of the {@code p2p.FileTransfer} service: the {@link FileTransfers} seam over
 * gRPC. Proto messages are made and read here and nowhere else; callers get bytes, receipts and
 * {@link TransferFailure}s.
 *
 * <p>Every call has a deadline of its kind: 5 s to connect, and a connection that moves no byte for
 * {@link #IDLE_TIMEOUT_S} is closed, which fails the transfer on it (a transfer may last hours; a
 * silent one must not).
 */
public final class TransferClient implements FileTransfers, AutoCloseable {

  /**
   * Peers send chunks of up to 1 MiB ({@code download_chunk_size}); Vert.x's default is smaller.
   */
  static final int MAX_MESSAGE = 4 << 20;

  static final int CONNECT_TIMEOUT_MS = 5000;
  static final int IDLE_TIMEOUT_S = 30;

  /** The seed client's DummyUpload chunk. */
  static final int DUMMY_CHUNK = 64 * 1024;

  private final GrpcClient grpc;

  public TransferClient(Vertx vertx) {
    grpc =
        GrpcClient.client(
            vertx,
            new GrpcClientOptions().setMaxMessageSize(MAX_MESSAGE),
            new HttpClientOptions()
                .setProtocolVersion(HttpVersion.HTTP_2)
                .setHttp2ClearTextUpgrade(false)
                .setConnectTimeout(CONNECT_TIMEOUT_MS)
                .setIdleTimeout(IDLE_TIMEOUT_S)
                // HTTP/2's default 64 KiB windows cap a stream at one window per round trip.
                .setInitialSettings(
                    new Http2Settings().setInitialWindowSize(16 << 20).setMaxFrameSize(1 << 20))
                .setHttp2ConnectionWindowSize(64 << 20));
  }

  @Override
  public Future<Long> download(
      SocketAddress peer, String name, long offset, WriteStream<Buffer> into) {
    DownloadRequest req = DownloadRequest.newBuilder().setFilename(name).setOffset(offset).build();
    return grpc.request(peer, FileTransferGrpcClient.Download)
        .compose(call -> call.send(req).compose(resp -> receive(call, resp, into, offset, true)))
        .recover(TransferClient::failed);
  }

  @Override
  public Future<Long> dummyDownload(SocketAddress peer, String name, WriteStream<Buffer> into) {
    FileRequest req = FileRequest.newBuilder().setFilename(name).build();
    return grpc.request(peer, FileTransferGrpcClient.DummyDownload)
        .compose(call -> call.send(req).compose(resp -> receive(call, resp, into, 0, false)))
        .recover(TransferClient::failed);
  }

  /**
   * Chunks into {@code into}, in order and with backpressure.
   *
   * @param checkOffsets Download chunks say where they start; a gap or an overlap is corruption
   */
  private static Future<Long> receive(
      GrpcClientRequest<?, FileChunk> call,
      GrpcClientResponse<?, FileChunk> resp,
      WriteStream<Buffer> into,
      long offset,
      boolean checkOffsets) {
    Promise<Long> done = Promise.promise();
    long[] got = {0};
    resp.handler(
        chunk -> {
          if (done.future().isComplete()) {
            return; // cut or failed: chunks still in flight go nowhere
          }
          if (checkOffsets && chunk.getOffset() != offset + got[0]) {
            done.tryFail(
                new TransferFailure(
                    Reason.CORRUPT,
                    "DATA_LOSS",
                    "chunk at offset " + chunk.getOffset() + ", expected " + (offset + got[0])));
            call.cancel();
            return;
          }
          Buffer data = Buffer.buffer(chunk.getData().toByteArray());
          got[0] += data.length();
          into.write(data)
              .onFailure(
                  err -> {
                    if (done.tryFail(err)) {
                      call.cancel();
                    }
                  });
          if (into.writeQueueFull()) {
            resp.pause();
            into.drainHandler(v -> resp.resume());
          }
        });
    resp.exceptionHandler(err -> done.tryFail(translate(err)));
    resp.endHandler(
        v -> {
          if (resp.status() != null && resp.status() != GrpcStatus.OK) {
            done.tryFail(failure(resp.status(), resp.statusMessage()));
          } else {
            done.tryComplete(got[0]);
          }
        });
    return done.future();
  }

  @Override
  public Future<UploadReceipt> upload(
      SocketAddress peer, Upload.Request r, ReadStream<Buffer> data, String token) {
    UploadChunk header =
        UploadChunk.newBuilder()
            .setFilename(r.name())
            .setSize(r.size())
            .setSha256(r.sha256() == null ? "" : r.sha256())
            .setOverwrite(r.overwrite())
            .build();
    return grpc.request(peer, FileTransferGrpcClient.Upload)
        .compose(
            call -> {
              if (token != null) {
                call.headers().set("authorization", "Bearer " + token);
              }
              call.write(header);
              Future<GrpcClientResponse<UploadChunk, UploadResult>> response = call.response();
              // The peer answers only at the end, or when it refuses: then stop reading the file.
              response.onSuccess(x -> data.pause());
              data.handler(
                  buf -> {
                    call.write(
                        UploadChunk.newBuilder()
                            .setData(UnsafeByteOperations.unsafeWrap(buf.getBytes()))
                            .build());
                    if (call.writeQueueFull()) {
                      data.pause();
                      call.drainHandler(v -> data.resume());
                    }
                  });
              data.exceptionHandler(err -> call.cancel());
              data.endHandler(v -> call.end());
              return response.compose(TransferClient::answer);
            })
        .map(
            res ->
                new UploadReceipt(
                    res.getFilename(), res.getSize(), res.getSha256(), res.getIndexed()))
        .recover(TransferClient::failed);
  }

  @Override
  public Future<DummyUploadReceipt> dummyUpload(SocketAddress peer, long bytes) {
    return grpc.request(peer, FileTransferGrpcClient.DummyUpload)
        .compose(
            call -> {
              long[] sent = {0, 0};
              byte[] zeros = new byte[DUMMY_CHUNK];
              Runnable[] pump = new Runnable[1];
              // Write until the stream is full, then go on from its drain handler: flat memory.
              pump[0] =
                  () -> {
                    while (sent[0] < bytes && !call.writeQueueFull()) {
                      int n = (int) Math.min(zeros.length, bytes - sent[0]);
                      call.write(
                          FileChunk.newBuilder()
                              .setData(UnsafeByteOperations.unsafeWrap(zeros, 0, n))
                              .setSeq((int) ++sent[1])
                              .build());
                      sent[0] += n;
                    }
                    if (sent[0] < bytes) {
                      call.drainHandler(v -> pump[0].run());
                    } else {
                      call.end();
                    }
                  };
              pump[0].run();
              return call.response().compose(TransferClient::answer);
            })
        .map(s -> new DummyUploadReceipt(s.getReceivedBytes(), s.getChunks()))
        .recover(TransferClient::failed);
  }

  /** The one message of a client-streaming call's answer, or the status it ended with instead. */
  private static <T> Future<T> answer(GrpcClientResponse<?, T> resp) {
    return resp.last()
        .recover(
            err ->
                Future.failedFuture(
                    resp.status() != null && resp.status() != GrpcStatus.OK
                        ? failure(resp.status(), resp.statusMessage())
                        : translate(err)));
  }

  private static <T> Future<T> failed(Throwable err) {
    return Future.failedFuture(translate(err));
  }

  /** The peer's status as a failure this project's code can act on. */
  static TransferFailure failure(GrpcStatus status, String message) {
    Reason reason =
        switch (status) {
          case NOT_FOUND -> Reason.NOT_FOUND;
          case INVALID_ARGUMENT, OUT_OF_RANGE, FAILED_PRECONDITION -> Reason.REFUSED;
          case UNAUTHENTICATED -> Reason.UNAUTHORIZED;
          case PERMISSION_DENIED -> Reason.FORBIDDEN;
          case ALREADY_EXISTS -> Reason.EXISTS;
          case RESOURCE_EXHAUSTED -> Reason.LIMITED;
          case DATA_LOSS -> Reason.CORRUPT;
          case DEADLINE_EXCEEDED -> Reason.STALLED;
          case UNAVAILABLE, CANCELLED, ABORTED -> Reason.UNREACHABLE;
          case UNIMPLEMENTED -> Reason.UNSUPPORTED;
          default -> Reason.FAILED;
        };
    return new TransferFailure(reason, status.name(), message);
  }

  static TransferFailure translate(Throwable t) {
    if (t instanceof TransferFailure f) {
      return f;
    }
    if (t instanceof InvalidStatusException s) {
      return new TransferFailure(
          Reason.FAILED, s.actualStatus().name(), "the peer answered with another status");
    }
    String m = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    if (t instanceof java.net.ConnectException || m.contains("Connection refused")) {
      return new TransferFailure(Reason.UNREACHABLE, "UNAVAILABLE", "cannot connect: " + m);
    }
    return new TransferFailure(Reason.UNREACHABLE, "UNAVAILABLE", m);
  }

  @Override
  public void close() {
    grpc.close();
  }
}
