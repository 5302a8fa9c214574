package io.peerd.rpc;

import com.google.protobuf.UnsafeByteOperations;
import io.peerd.Monotonic;
import io.peerd.config.PeerConfig;
import io.peerd.http.Exchange;
import io.peerd.index.FileEntry;
import io.peerd.index.IndexSnapshot;
import io.peerd.index.Names;
import io.peerd.index.PieceLayers;
import io.peerd.metrics.Metrics;
import io.peerd.rpc.proto.DownloadRequest;
import io.peerd.rpc.proto.FileChunk;
import io.peerd.rpc.proto.FileRequest;
import io.peerd.rpc.proto.FileTransferGrpcService;
import io.peerd.rpc.proto.PieceLayer;
import io.peerd.rpc.proto.PiecesRequest;
import io.peerd.rpc.proto.UploadChunk;
import io.peerd.rpc.proto.UploadResult;
import io.peerd.rpc.proto.UploadStatus;
import io.peerd.transfer.Bandwidth;
import io.peerd.transfer.Chunk;
import io.peerd.transfer.ChunkSink;
import io.peerd.transfer.FileStreamer;
import io.peerd.transfer.PartialContent;
import io.peerd.transfer.RateLimiter;
import io.peerd.transfer.Upload;
import io.peerd.transfer.UploadRefused;
import io.peerd.transfer.Uploads;
import io.peerd.wire.Magnet;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.grpc.common.GrpcStatus;
import io.vertx.grpc.server.GrpcServerRequest;
import io.vertx.grpc.server.GrpcServerResponse;
import io.vertx.grpc.server.Service;
import io.vertx.grpc.server.StatusException;
import java.util.List;
import java.util.function.Supplier;

/**
 * The FileTransfer service: the seed's Dummy rpcs done right (real statuses, backpressure, an
 * upload cap), the real Download (ranges, resumable) and the gRPC adapter of the peer's one upload
 * life cycle ({@link Uploads}). Proto messages are converted to our own types here and nowhere
 * else; every failure leaves through {@link #fail}, as a status.
 */
public final class FileTransferRpc {

  /**
   * What the service needs from its peer.
   *
   * @param idleTimeoutMillis a Download whose client takes nothing for this long is reset
   */
  public record Parts(
      Supplier<IndexSnapshot> index,
      PeerConfig.Transfers sizes,
      RateLimiter downloads,
      Uploads uploads,
      long idleTimeoutMillis,
      PeerConfig.Access access,
      WorkerExecutor worker,
      Bandwidth served,
      PartialContent partials) {}

  private final Vertx vertx;
  private final Parts p;
  private final Metrics metrics;

  public FileTransferRpc(Vertx vertx, Parts parts, Metrics metrics) {
    this.vertx = vertx;
    this.p = parts;
    this.metrics = metrics;
  }

  /** The service with its descriptor, so reflection lists it like any generated service. */
  public Service service() {
    return Service.service(
            FileTransferGrpcService.SERVICE_NAME, FileTransferGrpcService.SERVICE_DESCRIPTOR)
        .bind(
            FileTransferGrpcService.DummyDownload,
            guarded("DummyDownload", false, this::dummyDownload))
        .bind(FileTransferGrpcService.DummyUpload, guarded("DummyUpload", false, this::dummyUpload))
        .bind(FileTransferGrpcService.Download, guarded("Download", false, this::download))
        .bind(FileTransferGrpcService.Upload, guarded("Upload", true, this::upload))
        .bind(FileTransferGrpcService.Pieces, guarded("Pieces", false, this::pieces))
        .build();
  }

  /** The token check of the access rules: Upload changes the peer; a private peer guards all. */
  private <Q, R> Handler<GrpcServerRequest<Q, R>> guarded(
      String method, boolean changesState, Handler<GrpcServerRequest<Q, R>> handler) {
    return request -> {
      StatusException refused = refused(changesState, request.headers().get("authorization"));
      if (refused != null) {
        fail(method, request.response(), refused);
        return;
      }
      handler.handle(request);
    };
  }

  /** Null when a call with that authorization may go on; else the status that refuses it. */
  StatusException refused(boolean changesState, String authorization) {
    if ((changesState || p.access().privatePeer()) && !p.access().allows(authorization)) {
      return new StatusException(
          GrpcStatus.UNAUTHENTICATED,
          "this call needs the metadata authorization: Bearer <api_token>");
    }
    return null;
  }

  /**
   * What the peer's ports hand gRPC requests to: Download and DummyDownload straight on their
   * HTTP/2 stream ({@link RawDownloads}), every other call to Vert.x's gRPC server.
   */
  public Handler<HttpServerRequest> front(Handler<HttpServerRequest> grpc) {
    return front(grpc, null);
  }

  /**
   * {@link #front(Handler)}, with {@code arriving} given each call's {@link Exchange} as it comes
   * (the secure port counts what runs on it for its stop).
   */
  public Handler<HttpServerRequest> front(
      Handler<HttpServerRequest> grpc, Handler<Exchange> arriving) {
    return new RawDownloads(this, grpc, arriving);
  }

  /** The seed's download: the whole file, seq from 1, offset not set. */
  private void dummyDownload(GrpcServerRequest<FileRequest, FileChunk> request) {
    request.handler(msg -> stream("DummyDownload", request, msg.getFilename(), "", 0, 0, false));
  }

  private void download(GrpcServerRequest<DownloadRequest, FileChunk> request) {
    request.handler(
        msg ->
            stream(
                "Download",
                request,
                msg.getRoot().isEmpty() ? msg.getFilename() : null,
                msg.getRoot(),
                msg.getOffset(),
                msg.getLength(),
                true));
  }

  /** The piece layer of a shared file, by its root. */
  private void pieces(GrpcServerRequest<PiecesRequest, PieceLayer> request) {
    request.handler(
        msg -> {
          FileEntry e;
          try {
            e = byRoot(msg.getRoot());
          } catch (StatusException refused) {
            fail("Pieces", request.response(), refused);
            return;
          }
          PieceLayers.of(e, msg.getPieceSize(), p.worker())
              .onSuccess(
                  layer -> {
                    PieceLayer.Builder answer =
                        PieceLayer.newBuilder()
                            .setRoot(e.root())
                            .setSize(e.size())
                            .setPieceSize(layer.pieceSize());
                    for (int i = 0; i < layer.pieces(); i++) {
                      answer.addPieces(UnsafeByteOperations.unsafeWrap(layer.hash(i)));
                    }
                    metrics.grpcCall("Pieces", GrpcStatus.OK.name());
                    request.response().end(answer.build());
                  })
              .onFailure(
                  err ->
                      fail(
                          "Pieces",
                          request.response(),
                          err instanceof IllegalArgumentException
                              ? new StatusException(GrpcStatus.INVALID_ARGUMENT, err.getMessage())
                              : err instanceof IllegalStateException
                                  ? new StatusException(GrpcStatus.UNAVAILABLE, err.getMessage())
                                  : err));
        });
  }

  private void stream(
      String method,
      GrpcServerRequest<?, FileChunk> request,
      String name,
      String root,
      long offset,
      long length,
      boolean withOffsets) {
    GrpcServerResponse<?, FileChunk> response = request.response();
    Answer answer =
        new Answer() {
          @Override
          public Future<Void> write(Chunk c) {
            return response.writeMessage(
                ChunkWire.message(c.data(), c.seq(), c.offset(), withOffsets));
          }

          @Override
          public boolean writeQueueFull() {
            return response.writeQueueFull();
          }

          @Override
          public void drainHandler(Handler<Void> handler) {
            response.drainHandler(handler);
          }

          @Override
          public void end() {
            response.end();
          }

          @Override
          public void fail(StatusException status) {
            try {
              response.fail(status);
            } catch (IllegalStateException closed) {
              // The client reset the stream first: there is nobody left to tell.
            }
          }

          @Override
          public void cancel() {
            response.cancel();
          }

          @Override
          public void onReset(Runnable reset) {
            response.exceptionHandler(err -> reset.run());
            request.errorHandler(error -> reset.run());
          }
        };
    stream(method, clientOf(request), answer, name, root, offset, length, withOffsets);
  }

  /**
   * What a Download writes to, whichever way it came in: through Vert.x's gRPC server, or straight
   * onto its HTTP/2 stream ({@link RawDownloads}). Every check and status is the same either way.
   */
  interface Answer extends ChunkSink {
    /** Trailers with status OK. */
    void end();

    /** The status, as trailers (or trailers only when nothing was sent yet). */
    void fail(StatusException status);

    /** Resets the stream: the client reads nothing, so trailers would not reach it either. */
    void cancel();

    /** The client reset the stream, or the connection went away. */
    void onReset(Runnable reset);
  }

  void stream(
      String method,
      String client,
      Answer answer,
      String name,
      String root,
      long offset,
      long length,
      boolean withOffsets) {
    FileEntry entry;
    try {
      entry = servable(client, name, root, offset, length);
    } catch (StatusException refused) {
      fail(method, answer, refused);
      return;
    }
    long len = length == 0 ? entry.size() - offset : Math.min(length, entry.size() - offset);
    int chunk = withOffsets ? p.sizes().downloadChunkSize() : p.sizes().chunkSize();
    FileStreamer.start(
            vertx, entry.path(), offset, len, chunk, answer, p.idleTimeoutMillis(), p.served())
        .onFailure(
            err ->
                fail(
                    method,
                    answer,
                    new StatusException(
                        GrpcStatus.NOT_FOUND, entry.name() + " can no longer be read")))
        .onSuccess(
            streamer -> {
              // A client that resets the stream (it got the bytes elsewhere, or gave up) is no
              // failure of ours: the transfer stops, and nothing is logged as an error.
              boolean[] reset = {false};
              answer.onReset(
                  () -> {
                    reset[0] = true;
                    streamer.cancel();
                  });
              streamer
                  .result()
                  .onComplete(
                      ar -> {
                        if (ar.succeeded()) {
                          metrics.transferred("grpc", "sent", ar.result() - offset);
                          metrics.grpcCall(method, GrpcStatus.OK.name());
                          answer.end();
                        } else if (ar.cause() instanceof FileStreamer.Stalled) {
                          // The client reads nothing: trailers would not reach it either, so reset
                          // the stream.
                          metrics.grpcCall(method, GrpcStatus.DEADLINE_EXCEEDED.name());
                          answer.cancel();
                        } else if (reset[0] || ar.cause() instanceof FileStreamer.Gone) {
                          metrics.grpcCall(method, GrpcStatus.CANCELLED.name());
                        } else {
                          fail(method, answer, ar.cause());
                        }
                      });
            });
  }

  /**
   * The file a Download may send, by name or by root, or the status that says why not.
   *
   * @param name null when the download names a root
   */
  private FileEntry servable(String client, String name, String root, long offset, long length)
      throws StatusException {
    long wait = p.downloads().acquire(client, Monotonic.millis());
    if (wait > 0) {
      throw new StatusException(
          GrpcStatus.RESOURCE_EXHAUSTED, "download rate limit: retry in " + wait + " ms");
    }
    if (offset < 0 || length < 0) {
      throw new StatusException(
          GrpcStatus.INVALID_ARGUMENT, "offset and length must not be negative");
    }
    FileEntry entry = name == null ? byRoot(root) : byName(name);
    if (offset > entry.size()) {
      throw new StatusException(
          GrpcStatus.OUT_OF_RANGE,
          "offset " + offset + " is past the end (" + entry.size() + " bytes)");
    }
    if (name == null && p.index().get().withRoot(root).isEmpty()) {
      // Still downloading here: only what lies in its verified pieces.
      PartialContent.Partial partial = p.partials().find(root);
      long len = length == 0 ? entry.size() - offset : Math.min(length, entry.size() - offset);
      if (partial == null || !partial.covers(offset, len)) {
        throw new StatusException(
            GrpcStatus.OUT_OF_RANGE,
            "this peer has verified only some pieces of it yet: ask inside those of"
                + " /content/"
                + root
                + "/have");
      }
    }
    return entry;
  }

  private FileEntry byName(String name) throws StatusException {
    String problem = Names.problem(name);
    if (problem != null) {
      throw new StatusException(GrpcStatus.INVALID_ARGUMENT, "bad filename: " + problem);
    }
    FileEntry entry = p.index().get().get(name);
    if (entry == null) {
      throw new StatusException(GrpcStatus.NOT_FOUND, "no shared file named " + name);
    }
    return entry;
  }

  private FileEntry byRoot(String root) throws StatusException {
    if (!Magnet.isRoot(root)) {
      throw new StatusException(
          GrpcStatus.INVALID_ARGUMENT, "a root is 64 lowercase hex characters");
    }
    List<FileEntry> all = p.index().get().withRoot(root);
    if (all.isEmpty()) {
      PartialContent.Partial partial = p.partials().find(root);
      if (partial != null) {
        return partial.asEntry();
      }
      throw new StatusException(GrpcStatus.NOT_FOUND, "no shared file has root " + root);
    }
    return all.get(0);
  }

  /** Counts what the client sends; nothing touches the disk. Cut as soon as the cap is passed. */
  private void dummyUpload(GrpcServerRequest<FileChunk, UploadStatus> request) {
    String method = "DummyUpload";
    GrpcServerResponse<FileChunk, UploadStatus> response = request.response();
    long cap = p.sizes().dummyUploadMaxBytes();
    long[] bytes = {0};
    int[] chunks = {0};
    boolean[] cut = {false};
    request.handler(
        chunk -> {
          if (cut[0]) {
            return;
          }
          if (!chunk.getData().isEmpty()) {
            chunks[0]++;
            bytes[0] += chunk.getData().size();
          }
          if (bytes[0] > cap) {
            cut[0] = true;
            fail(
                method,
                response,
                new StatusException(
                    GrpcStatus.RESOURCE_EXHAUSTED, "upload larger than the " + cap + " byte cap"));
          }
        });
    request.endHandler(
        v -> {
          if (!cut[0]) {
            metrics.grpcCall(method, GrpcStatus.OK.name());
            response.end(
                UploadStatus.newBuilder().setReceivedBytes(bytes[0]).setChunks(chunks[0]).build());
          }
        });
  }

  /** The first message is the announcement (and may carry data); the next ones carry data. */
  private void upload(GrpcServerRequest<UploadChunk, UploadResult> request) {
    GrpcServerResponse<UploadChunk, UploadResult> response = request.response();
    Uploads.Session session =
        p.uploads()
            .open(
                "grpc",
                clientOf(request),
                new Uploads.Inlet() {
                  @Override
                  public void pause() {
                    request.pause();
                  }

                  @Override
                  public void resume() {
                    request.resume();
                  }
                });
    request.handler(
        msg -> {
          if (!session.announced()) {
            session.announce(
                new Upload.Request(
                    msg.getFilename(), msg.getSize(), msg.getSha256(), msg.getOverwrite()));
          }
          session.data(Buffer.buffer(msg.getData().toByteArray()));
        });
    request.endHandler(v -> session.end());
    request.exceptionHandler(err -> session.cut());
    response.exceptionHandler(err -> session.cut());
    // A client's cancel arrives as a gRPC error (RST_STREAM), not as an exception.
    request.errorHandler(error -> session.cut());
    session
        .result()
        .onSuccess(
            r -> {
              metrics.grpcCall("Upload", GrpcStatus.OK.name());
              response.end(
                  UploadResult.newBuilder()
                      .setFilename(r.name())
                      .setSize(r.size())
                      .setSha256(r.sha256())
                      .setIndexed(r.indexed())
                      .build());
            })
        .onFailure(err -> fail("Upload", response, err));
  }

  /** The upload kinds on gRPC's wire. */
  static GrpcStatus status(UploadRefused.Kind kind) {
    return switch (kind) {
      case DISABLED -> GrpcStatus.PERMISSION_DENIED;
      case BAD_REQUEST -> GrpcStatus.INVALID_ARGUMENT;
      case TOO_LARGE, NO_SPACE -> GrpcStatus.RESOURCE_EXHAUSTED;
      case EXISTS -> GrpcStatus.ALREADY_EXISTS;
      case SIZE_MISMATCH, HASH_MISMATCH -> GrpcStatus.DATA_LOSS;
      case BUSY -> GrpcStatus.UNAVAILABLE;
      case TIMEOUT -> GrpcStatus.DEADLINE_EXCEEDED;
      case CANCELLED -> GrpcStatus.CANCELLED;
      case IO -> GrpcStatus.INTERNAL;
    };
  }

  private static String clientOf(GrpcServerRequest<?, ?> request) {
    var addr = request.connection().remoteAddress();
    return addr == null || addr.host() == null ? "unknown" : addr.host();
  }

  /**
   * Every failure of this service ends here: a {@link StatusException} as it says, an upload's
   * refusal by its kind, anything else as {@code INTERNAL} with the id of its log line and no more
   * (the peer's insides are not the client's business). Counted by method and status.
   */
  private void fail(String method, GrpcServerResponse<?, ?> response, Throwable err) {
    StatusException status = statusOf(method, err);
    if (status.status() == GrpcStatus.CANCELLED) {
      return; // the client went away: there is nobody to tell
    }
    try {
      response.fail(status);
    } catch (IllegalStateException closed) {
      // The client reset the stream first: there is nobody left to tell.
    }
  }

  void fail(String method, Answer answer, Throwable err) {
    StatusException status = statusOf(method, err);
    if (status.status() != GrpcStatus.CANCELLED) {
      answer.fail(status);
    }
  }

  private StatusException statusOf(String method, Throwable err) {
    StatusException status;
    if (err instanceof StatusException s) {
      status = s;
    } else if (err instanceof UploadRefused u && u.kind() != UploadRefused.Kind.IO) {
      status = new StatusException(status(u.kind()), u.getMessage());
    } else {
      status =
          new StatusException(
              GrpcStatus.INTERNAL, "internal error " + metrics.incident(method, err));
    }
    metrics.grpcCall(method, status.status().name());
    return status;
  }
}
