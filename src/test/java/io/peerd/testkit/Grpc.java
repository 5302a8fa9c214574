package io.peerd.testkit;

import static io.peerd.testkit.Await.await;

import com.google.protobuf.ByteString;
import io.peerd.rpc.proto.DownloadRequest;
import io.peerd.rpc.proto.FileChunk;
import io.peerd.rpc.proto.FileRequest;
import io.peerd.rpc.proto.FileTransferGrpcClient;
import io.peerd.rpc.proto.UploadChunk;
import io.peerd.rpc.proto.UploadResult;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.SocketAddress;
import io.vertx.grpc.client.GrpcClient;
import io.vertx.grpc.client.GrpcClientRequest;
import io.vertx.grpc.common.GrpcStatus;
import io.vertx.grpc.common.ServiceMethod;
import java.util.ArrayList;
import java.util.List;

/**
 * A test's gRPC client for the FileTransfer service of a peer on loopback: a download read whole
 * and an upload sent whole, each with the status the server ended it with. A status is an answer to
 * assert, not a failed future; only a broken stream (a reset) fails the future. The blocking
 * methods wait on the test thread ({@link Await}); the {@code *Async} ones return the future. Every
 * call runs on an event loop ({@link OnLoop}), whatever thread asks for it.
 */
public final class Grpc {

  /** Upload data goes in messages of this size, as a real client sends it. */
  public static final int UPLOAD_CHUNK = 64 * 1024;

  /** A Download or DummyDownload read to its end: the bytes, where each chunk began, the status. */
  public record Download(
      GrpcStatus status, String message, Buffer data, List<Long> offsets, List<Integer> seqs) {}

  /** An Upload's final status, and its result when that status is OK (null otherwise). */
  public record Upload(GrpcStatus status, String message, UploadResult result) {}

  private final Vertx vertx;
  private final GrpcClient client;

  public Grpc(Vertx vertx) {
    this.vertx = vertx;
    this.client = GrpcClient.client(vertx);
  }

  public GrpcClient client() {
    return client;
  }

  public static SocketAddress address(int port) {
    return SocketAddress.inetSocketAddress(port, "127.0.0.1");
  }

  public Future<Download> downloadAsync(int port, String name, long offset, long length) {
    DownloadRequest req =
        DownloadRequest.newBuilder().setFilename(name).setOffset(offset).setLength(length).build();
    return collect(port, FileTransferGrpcClient.Download, req);
  }

  public Download download(int port, String name, long offset, long length) {
    return await(downloadAsync(port, name, offset, length));
  }

  /** The seed's DummyDownload: the whole file, seq from 1. */
  public Download dummyDownload(int port, String name) {
    FileRequest req = FileRequest.newBuilder().setFilename(name).build();
    return await(collect(port, FileTransferGrpcClient.DummyDownload, req));
  }

  /** A server-streaming call of chunks read whole, with its final status. */
  public <Q> Future<Download> collect(int port, ServiceMethod<FileChunk, Q> method, Q request) {
    return OnLoop.run(vertx, () -> collectHere(port, method, request));
  }

  private <Q> Future<Download> collectHere(
      int port, ServiceMethod<FileChunk, Q> method, Q request) {
    return client
        .request(address(port), method)
        .compose(call -> call.send(request))
        .compose(
            resp -> {
              // Stream handlers run on the event loop; the test thread only sees the finished
              // record.
              Promise<Download> done = Promise.promise();
              Buffer all = Buffer.buffer();
              List<Long> offsets = new ArrayList<>();
              List<Integer> seqs = new ArrayList<>();
              resp.handler(
                  c -> {
                    offsets.add(c.getOffset());
                    seqs.add(c.getSeq());
                    all.appendBytes(c.getData().toByteArray());
                  });
              resp.exceptionHandler(done::tryFail);
              resp.endHandler(
                  v ->
                      done.tryComplete(
                          new Download(resp.status(), resp.statusMessage(), all, offsets, seqs)));
              return done.future();
            });
  }

  /** An Upload: the header, then {@code data} in {@link #UPLOAD_CHUNK} messages, then the end. */
  public Upload upload(int port, UploadChunk header, byte[] data) {
    return await(uploadAsync(port, header, data, true));
  }

  /**
   * The header and {@code data} (null: none), then nothing: the stream is left open, as a client
   * that stalls leaves it. The answer must come from the server alone (a refusal, a timeout).
   */
  public Upload uploadUnfinished(int port, UploadChunk header, byte[] data) {
    return await(uploadAsync(port, header, data, false));
  }

  public Future<Upload> uploadAsync(int port, UploadChunk header, byte[] data, boolean end) {
    return OnLoop.run(vertx, () -> uploadHere(port, header, data, end));
  }

  private Future<Upload> uploadHere(int port, UploadChunk header, byte[] data, boolean end) {
    return startUploadHere(port, header, data)
        .compose(
            call -> {
              if (end) {
                call.end();
              }
              return call.response();
            })
        .compose(
            resp ->
                resp.last()
                    .transform(
                        ar ->
                            Future.succeededFuture(
                                new Upload(
                                    resp.status(),
                                    resp.statusMessage(),
                                    ar.succeeded() ? ar.result() : null))));
  }

  /** The header and {@code data} (null: none) sent, the call left open: for a test that cuts it. */
  public Future<GrpcClientRequest<UploadChunk, UploadResult>> startUpload(
      int port, UploadChunk header, byte[] data) {
    return OnLoop.run(vertx, () -> startUploadHere(port, header, data));
  }

  private Future<GrpcClientRequest<UploadChunk, UploadResult>> startUploadHere(
      int port, UploadChunk header, byte[] data) {
    return client
        .request(address(port), FileTransferGrpcClient.Upload)
        .map(
            call -> {
              call.write(header);
              if (data != null) {
                for (int off = 0; off < data.length; off += UPLOAD_CHUNK) {
                  call.write(
                      UploadChunk.newBuilder()
                          .setData(
                              ByteString.copyFrom(
                                  data, off, Math.min(UPLOAD_CHUNK, data.length - off)))
                          .build());
                }
              }
              return call;
            });
  }

  /** The first Upload message: what the client announces before its data. */
  public static UploadChunk header(String name, long size, String sha256) {
    return UploadChunk.newBuilder().setFilename(name).setSize(size).setSha256(sha256).build();
  }

  /** A unary call's answer: its status and message, and its result when the status is OK. */
  public record Unary<T>(GrpcStatus status, String message, T result) {}

  public <Q, R> Unary<R> unary(int port, ServiceMethod<R, Q> method, Q request) {
    return await(
        OnLoop.run(
            vertx,
            () ->
                client
                    .request(address(port), method)
                    .compose(call -> call.send(request))
                    .compose(
                        resp ->
                            resp.last()
                                .transform(
                                    ar ->
                                        Future.succeededFuture(
                                            new Unary<>(
                                                resp.status(),
                                                resp.statusMessage(),
                                                ar.succeeded() ? ar.result() : null))))));
  }
}
