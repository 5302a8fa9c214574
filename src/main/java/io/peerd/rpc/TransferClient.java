package io.peerd.rpc;

import com.google.protobuf.UnsafeByteOperations;
import io.netty.buffer.Unpooled;
import io.peerd.identity.Identity;
import io.peerd.identity.PeerId;
import io.peerd.identity.Tls;
import io.peerd.index.Merkle;
import io.peerd.peers.Link;
import io.peerd.rpc.proto.DownloadRequest;
import io.peerd.rpc.proto.FileChunk;
import io.peerd.rpc.proto.FileRequest;
import io.peerd.rpc.proto.FileTransferGrpcClient;
import io.peerd.rpc.proto.PieceLayer;
import io.peerd.rpc.proto.PiecesRequest;
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
import io.vertx.core.internal.buffer.BufferInternal;
import io.vertx.core.net.KeyCertOptions;
import io.vertx.core.net.SocketAddress;
import io.vertx.core.net.TrustOptions;
import io.vertx.core.streams.ReadStream;
import io.vertx.core.streams.WriteStream;
import io.vertx.grpc.client.GrpcClient;
import io.vertx.grpc.client.GrpcClientOptions;
import io.vertx.grpc.client.GrpcClientRequest;
import io.vertx.grpc.client.GrpcClientResponse;
import io.vertx.grpc.client.InvalidStatusException;
import io.vertx.grpc.common.GrpcStatus;
import io.vertx.grpc.common.ServiceMethod;
import java.util.function.Function;

/**
 * The client side of the {@code p2p.FileTransfer} service: the {@link FileTransfers} seam over
 * gRPC. Proto messages are made and read here and nowhere else; callers get bytes, receipts and
 * {@link TransferFailure}s.
 *
 * <p>Deadlines: 5 s to connect; a transfer fails {@link Reason#STALLED} when nothing moves on it
 * for {@link #STALL_MILLIS} (a transfer may last hours, a silent one must not), not counting the
 * time this side holds the stream back for its own disk; and once an upload's last byte is sent,
 * its answer (the peer hashes and indexes the file first) must come within {@link #STALL_MILLIS}
 * plus a second per {@link #HASH_BYTES_PER_SECOND}.
 */
public final class TransferClient implements FileTransfers, AutoCloseable {

  /**
   * Peers send chunks of up to 1 MiB ({@code download_chunk_size}); Vert.x's default is smaller.
   */
  static final int MAX_MESSAGE = 4 << 20;

  static final int CONNECT_TIMEOUT_MS = 5000;
  public static final long STALL_MILLIS = 30_000;

  /** A slow disk's pace for hashing and indexing an uploaded file: the answer's allowance. */
  static final long HASH_BYTES_PER_SECOND = 20L << 20;

  /** The seed client's DummyUpload chunk. */
  static final int DUMMY_CHUNK = 64 * 1024;

  private final Vertx vertx;
  private final GrpcClient grpc;
  private final long stallMillis;

  /** Mutual TLS to peers' secure ports; null without an identity. */
  private final GrpcClient secure;

  private final Function<SocketAddress, Link> links;

  public TransferClient(Vertx vertx) {
    this(vertx, STALL_MILLIS);
  }

  /**
   * @param stallMillis how long nothing may move on a transfer before it fails
   */
  public TransferClient(Vertx vertx, long stallMillis) {
    this(vertx, stallMillis, null, address -> Link.plain(null));
  }

  /**
   * @param identity presented on the secure ports of peers that have one; null: every call plain
   * @param links how the peer at a gRPC address must be reached (the peer table's): over its secure
   *     port, its certificate's id checked before the call is sent, plain, or not at all
   */
  public TransferClient(
      Vertx vertx, long stallMillis, Identity identity, Function<SocketAddress, Link> links) {
    this.vertx = vertx;
    this.stallMillis = stallMillis;
    this.links = links;
    grpc =
        GrpcClient.client(
            vertx, new GrpcClientOptions().setMaxMessageSize(MAX_MESSAGE), http2Options());
    secure =
        identity == null
            ? null
            : GrpcClient.client(
                vertx,
                new GrpcClientOptions().setMaxMessageSize(MAX_MESSAGE),
                http2Options()
                    .setSsl(true)
                    .setUseAlpn(true)
                    .setVerifyHost(false)
                    .setEnabledSecureTransportProtocols(java.util.Set.of("TLSv1.3"))
                    .setKeyCertOptions(KeyCertOptions.wrap(Tls.keyManager(identity)))
                    .setTrustOptions(TrustOptions.wrap(Tls.anyCertificate())));
  }

  private static HttpClientOptions http2Options() {
    return new HttpClientOptions()
        .setProtocolVersion(HttpVersion.HTTP_2)
        .setHttp2ClearTextUpgrade(false)
        .setConnectTimeout(CONNECT_TIMEOUT_MS)
        // HTTP/2's default 64 KiB windows cap a stream at one window per round trip.
        .setInitialSettings(
            new Http2Settings().setInitialWindowSize(16 << 20).setMaxFrameSize(1 << 20))
        .setHttp2ConnectionWindowSize(64 << 20);
  }

  /**
   * A call to the peer at that address, the way its link says: a refused peer fails here, unasked;
   * over a secure link the call is cancelled unsent unless the certificate has the expected id.
   */
  private <Req, Resp> Future<GrpcClientRequest<Req, Resp>> open(
      SocketAddress peer, ServiceMethod<Resp, Req> method) {
    Link link = links.apply(peer);
    if (link.refused() != null) {
      return Future.failedFuture(
          new TransferFailure(Reason.REFUSED, "IDENTITY_REFUSED", link.refused()));
    }
    if (link.expect() == null) {
      return grpc.request(peer, method);
    }
    if (secure == null) {
      return Future.failedFuture(
          new TransferFailure(Reason.REFUSED, "IDENTITY_REFUSED", "no identity to call it with"));
    }
    java.net.URI url = java.net.URI.create(link.url());
    return secure
        .request(SocketAddress.inetSocketAddress(url.getPort(), url.getHost()), method)
        .compose(
            call -> {
              PeerId presented = Tls.presented(call.connection().sslSession());
              if (!link.expect().equals(presented)) {
                call.cancel();
                return Future.failedFuture(
                    new TransferFailure(
                        Reason.REFUSED,
                        "IDENTITY_MISMATCH",
                        Tls.mismatch(link.expect(), presented)));
              }
              return Future.succeededFuture(call);
            });
  }

  @Override
  public Future<Long> download(
      SocketAddress peer, String name, long offset, WriteStream<Buffer> into) {
    DownloadRequest req = DownloadRequest.newBuilder().setFilename(name).setOffset(offset).build();
    return watched(
        (done, dog) ->
            open(peer, FileTransferGrpcClient.Download)
                .onSuccess(call -> receive(call, req, into, offset, true, done, dog))
                .onFailure(done::tryFail));
  }

  @Override
  public Future<Long> dummyDownload(SocketAddress peer, String name, WriteStream<Buffer> into) {
    FileRequest req = FileRequest.newBuilder().setFilename(name).build();
    return watched(
        (done, dog) ->
            open(peer, FileTransferGrpcClient.DummyDownload)
                .onSuccess(call -> receive(call, req, into, 0, false, done, dog))
                .onFailure(done::tryFail));
  }

  @Override
  public Future<Long> range(
      SocketAddress peer,
      String root,
      long offset,
      long length,
      WriteStream<Buffer> into,
      Future<Void> stop) {
    DownloadRequest req =
        DownloadRequest.newBuilder().setRoot(root).setOffset(offset).setLength(length).build();
    return watched(
        (done, dog) -> {
          stop.onComplete(
              v ->
                  done.tryFail(
                      new TransferFailure(Reason.UNREACHABLE, "CANCELLED", "cut by the download")));
          open(peer, FileTransferGrpcClient.Download)
              .onSuccess(call -> receive(call, req, into, offset, true, done, dog))
              .onFailure(done::tryFail);
        });
  }

  @Override
  public Future<Layer> pieces(SocketAddress peer, String root, int pieceSize) {
    PiecesRequest req = PiecesRequest.newBuilder().setRoot(root).setPieceSize(pieceSize).build();
    return this.<PieceLayer>watched(
            (done, dog) ->
                open(peer, FileTransferGrpcClient.Pieces)
                    .onFailure(done::tryFail)
                    .onSuccess(
                        call ->
                            call.send(req)
                                .compose(TransferClient::answer)
                                .onSuccess(done::tryComplete)
                                .onFailure(done::tryFail)))
        .compose(
            answer -> {
              if (answer.getPieceSize() <= 0
                  || answer.getPiecesList().stream().anyMatch(h -> h.size() != 32)) {
                return Future.failedFuture(
                    new TransferFailure(Reason.CORRUPT, "DATA_LOSS", "a malformed piece layer"));
              }
              byte[] hashes = new byte[answer.getPiecesCount() * 32];
              for (int i = 0; i < answer.getPiecesCount(); i++) {
                answer.getPieces(i).copyTo(hashes, i * 32);
              }
              return Future.succeededFuture(
                  new Layer(answer.getSize(), new Merkle.Layer(answer.getPieceSize(), hashes)));
            });
  }

  /**
   * Sends the request, then chunks into {@code into}, in order and with backpressure.
   *
   * @param checkOffsets Download chunks say where they start; a gap or an overlap is corruption
   */
  private static <Q> void receive(
      GrpcClientRequest<Q, FileChunk> call,
      Q request,
      WriteStream<Buffer> into,
      long offset,
      boolean checkOffsets,
      Promise<Long> done,
      Watchdog dog) {
    if (done.future().isComplete()) {
      call.cancel(); // stalled while connecting
      return;
    }
    done.future().onFailure(err -> call.cancel());
    call.send(request)
        .onFailure(done::tryFail)
        .onSuccess(
            resp -> {
              long[] got = {0};
              resp.handler(
                  chunk -> {
                    if (done.future().isComplete()) {
                      return; // cut or failed: chunks still in flight go nowhere
                    }
                    dog.touch();
                    if (checkOffsets && chunk.getOffset() != offset + got[0]) {
                      done.tryFail(
                          new TransferFailure(
                              Reason.CORRUPT,
                              "DATA_LOSS",
                              "chunk at offset "
                                  + chunk.getOffset()
                                  + ", expected "
                                  + (offset + got[0])));
                      return;
                    }
                    // The message's own bytes, wrapped: no copy (this runs for every byte fetched).
                    Buffer data =
                        BufferInternal.buffer(
                            Unpooled.wrappedBuffer(chunk.getData().asReadOnlyByteBuffer()));
                    got[0] += data.length();
                    into.write(data).onFailure(err -> done.tryFail(local("cannot write", err)));
                    if (into.writeQueueFull()) {
                      // Our own disk is behind: that is no stall of the peer's.
                      dog.hold(true);
                      resp.pause();
                      into.drainHandler(
                          v -> {
                            dog.hold(false);
                            resp.resume();
                          });
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
            });
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
    return this.<UploadResult>watched(
            (done, dog) ->
                open(peer, FileTransferGrpcClient.Upload)
                    .onFailure(done::tryFail)
                    .onSuccess(
                        call -> {
                          if (token != null) {
                            call.headers().set("authorization", "Bearer " + token);
                          }
                          if (done.future().isComplete()) {
                            call.cancel(); // stalled while connecting
                            return;
                          }
                          done.future().onFailure(err -> call.cancel());
                          call.write(header);
                          // The peer answers at the end, or when it refuses: stop reading then.
                          call.response().onSuccess(x -> data.pause());
                          data.handler(
                              buf -> {
                                dog.touch();
                                call.write(
                                    UploadChunk.newBuilder()
                                        .setData(UnsafeByteOperations.unsafeWrap(buf.getBytes()))
                                        .build());
                                if (call.writeQueueFull()) {
                                  data.pause();
                                  call.drainHandler(
                                      v -> {
                                        dog.touch();
                                        data.resume();
                                      });
                                }
                              });
                          data.exceptionHandler(err -> done.tryFail(local("cannot read", err)));
                          data.endHandler(
                              v -> {
                                dog.answerWithin(answerAllowance(r.size()));
                                call.end();
                              });
                          call.response()
                              .compose(TransferClient::answer)
                              .onSuccess(done::tryComplete)
                              .onFailure(done::tryFail);
                        }))
        .map(
            res ->
                new UploadReceipt(
                    res.getFilename(), res.getSize(), res.getSha256(), res.getIndexed()));
  }

  @Override
  public Future<DummyUploadReceipt> dummyUpload(SocketAddress peer, long bytes) {
    return this.<io.peerd.rpc.proto.UploadStatus>watched(
            (done, dog) ->
                open(peer, FileTransferGrpcClient.DummyUpload)
                    .onFailure(done::tryFail)
                    .onSuccess(
                        call -> {
                          if (done.future().isComplete()) {
                            call.cancel(); // stalled while connecting
                            return;
                          }
                          done.future().onFailure(err -> call.cancel());
                          long[] sent = {0, 0};
                          byte[] zeros = new byte[DUMMY_CHUNK];
                          Runnable[] pump = new Runnable[1];
                          // Write until the stream is full, then go on from its drain handler.
                          pump[0] =
                              () -> {
                                dog.touch();
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
                                  // The seed only counts: no hashing to wait for.
                                  dog.answerWithin(stallMillis);
                                  call.end();
                                }
                              };
                          pump[0].run();
                          call.response()
                              .compose(TransferClient::answer)
                              .onSuccess(done::tryComplete)
                              .onFailure(done::tryFail);
                        }))
        .map(s -> new DummyUploadReceipt(s.getReceivedBytes(), s.getChunks()));
  }

  /** What a transfer does, given the promise it completes and the watchdog it touches. */
  private interface Transfer<T> {
    void run(Promise<T> done, Watchdog dog);
  }

  /** Runs a transfer under its watchdog; every failure leaves as a {@link TransferFailure}. */
  private <T> Future<T> watched(Transfer<T> transfer) {
    Promise<T> done = Promise.promise();
    Watchdog dog =
        new Watchdog(
            vertx,
            stallMillis,
            () ->
                done.tryFail(
                    new TransferFailure(
                        Reason.STALLED,
                        "DEADLINE_EXCEEDED",
                        "nothing moved for " + stallMillis / 1000 + " s")));
    done.future().onComplete(x -> dog.stop());
    transfer.run(done, dog);
    return done.future().recover(TransferClient::failed);
  }

  /** How long the peer may take to answer an upload of that size once it has every byte. */
  long answerAllowance(long size) {
    return stallMillis + size / HASH_BYTES_PER_SECOND * 1000;
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

  /** A failure on this side (our disk), not the peer's. */
  private static TransferFailure local(String what, Throwable err) {
    return err instanceof TransferFailure f
        ? f
        : new TransferFailure(Reason.FAILED, "LOCAL", what + ": " + err.getMessage());
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
          // A peer of ours says UNAVAILABLE when it runs as many uploads as it takes: retry later.
          case RESOURCE_EXHAUSTED, UNAVAILABLE -> Reason.LIMITED;
          case DATA_LOSS -> Reason.CORRUPT;
          case DEADLINE_EXCEEDED -> Reason.STALLED;
          case CANCELLED, ABORTED -> Reason.UNREACHABLE;
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
    if (secure != null) {
      secure.close();
    }
  }
}
