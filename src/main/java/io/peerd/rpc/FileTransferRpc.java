package io.peerd.rpc;

import io.peerd.config.PeerConfig;
import io.peerd.config.PeerConfig.UploadSettings;
import io.peerd.index.FileEntry;
import io.peerd.index.IndexSnapshot;
import io.peerd.index.Names;
import io.peerd.metrics.Metrics;
import io.peerd.rpc.proto.DownloadRequest;
import io.peerd.rpc.proto.FileChunk;
import io.peerd.rpc.proto.FileRequest;
import io.peerd.rpc.proto.FileTransferGrpcService;
import io.peerd.rpc.proto.UploadChunk;
import io.peerd.rpc.proto.UploadResult;
import io.peerd.rpc.proto.UploadStatus;
import io.peerd.transfer.Chunk;
import io.peerd.transfer.ChunkSink;
import io.peerd.transfer.FileStreamer;
import io.peerd.transfer.RateLimiter;
import io.peerd.transfer.Upload;
import io.peerd.transfer.UploadRefused;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.buffer.BufferInternal;
import io.vertx.grpc.common.GrpcStatus;
import io.vertx.grpc.server.GrpcServerRequest;
import io.vertx.grpc.server.GrpcServerResponse;
import io.vertx.grpc.server.Service;
import java.nio.file.Path;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The FileTransfer service: the seed's Dummy rpcs done right (real statuses, backpressure, an
 * upload cap) and the real Download (ranges, resumable) and Upload (verified, atomic). Proto
 * messages are converted to our own types here and nowhere else.
 */
public final class FileTransferRpc {

  /** What the service needs from its peer. */
  public record Parts(Supplier<IndexSnapshot> index, Path sharedRoot, int chunkSize, int downloadChunkSize,
      long dummyUploadMaxBytes, UploadSettings uploads, RateLimiter downloads,
      WorkerExecutor worker, Function<String, Future<?>> onUploaded, long idleTimeoutMillis,
      PeerConfig.Access access) {}

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
    return Service.service(FileTransferGrpcService.SERVICE_NAME, FileTransferGrpcService.SERVICE_DESCRIPTOR)
        .bind(FileTransferGrpcService.DummyDownload, guarded("DummyDownload", false, this::dummyDownload))
        .bind(FileTransferGrpcService.DummyUpload, guarded("DummyUpload", false, this::dummyUpload))
        .bind(FileTransferGrpcService.Download, guarded("Download", false, this::download))
        .bind(FileTransferGrpcService.Upload, guarded("Upload", true, this::upload))
        .build();
  }

  /** The token check of the access rules: Upload changes the peer; a private peer guards all. */
  private <Q, R> Handler<GrpcServerRequest<Q, R>> guarded(String method, boolean changesState,
      Handler<GrpcServerRequest<Q, R>> handler) {
    return request -> {
      if ((changesState || p.access().privatePeer()) && !p.access().allows(request.headers().get("authorization"))) {
        fail(method, request.response(), GrpcStatus.UNAUTHENTICATED,
            "this call needs the metadata authorization: Bearer <api_token>");
        return;
      }
      handler.handle(request);
    };
  }

  /** The seed's download: the whole file, seq from 1, offset not set. */
  private void dummyDownload(GrpcServerRequest<FileRequest, FileChunk> request) {
    request.handler(msg -> stream("DummyDownload", request, msg.getFilename(), 0, 0, false));
  }

  private void download(GrpcServerRequest<DownloadRequest, FileChunk> request) {
    request.handler(msg -> stream("Download", request, msg.getFilename(), msg.getOffset(), msg.getLength(), true));
  }

  private void stream(String method, GrpcServerRequest<?, FileChunk> request, String name, long offset,
      long length, boolean withOffsets) {
    GrpcServerResponse<?, FileChunk> response = request.response();
    long wait = p.downloads().acquire(clientOf(request), System.currentTimeMillis());
    if (wait > 0) {
      fail(method, response, GrpcStatus.RESOURCE_EXHAUSTED, "download rate limit: retry in " + wait + " ms");
      return;
    }
    String problem = Names.problem(name);
    if (problem != null) {
      fail(method, response, GrpcStatus.INVALID_ARGUMENT, "bad filename: " + problem);
      return;
    }
    if (offset < 0 || length < 0) {
      fail(method, response, GrpcStatus.INVALID_ARGUMENT, "offset and length must not be negative");
      return;
    }
    FileEntry entry = p.index().get().get(name);
    if (entry == null) {
      fail(method, response, GrpcStatus.NOT_FOUND, "no shared file named " + name);
      return;
    }
    if (offset > entry.size()) {
      fail(method, response, GrpcStatus.OUT_OF_RANGE, "offset " + offset + " is past the end (" + entry.size() + " bytes)");
      return;
    }
    long len = length == 0 ? entry.size() - offset : Math.min(length, entry.size() - offset);
    FileStreamer.start(vertx, entry.path(), offset, len, withOffsets ? p.downloadChunkSize() : p.chunkSize(),
        sink(response, withOffsets),
            p.idleTimeoutMillis())
        .onFailure(err -> fail(method, response, GrpcStatus.NOT_FOUND, name + " can no longer be read"))
        .onSuccess(streamer -> {
          response.exceptionHandler(err -> streamer.cancel());
          request.errorHandler(error -> streamer.cancel());
          streamer.result().onComplete(ar -> {
            if (ar.succeeded()) {
              metrics.transferred("grpc", "sent", ar.result() - offset);
              succeeded(method);
              response.end();
            } else if (ar.cause() instanceof FileStreamer.Stalled stalled) {
              // The client reads nothing: trailers would not reach it either, so reset the stream.
              metrics.grpcCall(method, GrpcStatus.DEADLINE_EXCEEDED.name());
              response.cancel();
            } else {
              fail(method, response, GrpcStatus.INTERNAL, "read failed: " + ar.cause().getMessage());
            }
          });
        });
  }

  /** Counts what the client sends; nothing touches the disk. Cut as soon as the cap is passed. */
  private void dummyUpload(GrpcServerRequest<FileChunk, UploadStatus> request) {
    String method = "DummyUpload";
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
      if (bytes[0] > p.dummyUploadMaxBytes()) {
        cut[0] = true;
        fail(method, response, GrpcStatus.RESOURCE_EXHAUSTED,
            "upload larger than the " + p.dummyUploadMaxBytes() + " byte cap");
      }
    });
    request.endHandler(v -> {
      if (!cut[0]) {
        succeeded(method);
        response.end(UploadStatus.newBuilder().setReceivedBytes(bytes[0]).setChunks(chunks[0]).build());
      }
    });
  }

  /** Data kept while the first Upload message is checked, before the stream is paused. */
  static final int PENDING_LIMIT = 4 << 20;

  /** A real upload; its states live in this small holder, touched only on the event loop. */
  private static final class UploadCall {
    Upload upload;
    boolean begun;
    boolean over;
    Buffer pending = Buffer.buffer();
    boolean paused;
    boolean endedEarly;
    long idleTimer = -1;
  }

  private void upload(GrpcServerRequest<UploadChunk, UploadResult> request) {
    String method = "Upload";
    GrpcServerResponse<UploadChunk, UploadResult> response = request.response();
    UploadCall call = new UploadCall();
    // A client that opens the stream and then sends nothing must not hold a slot (and a
    // temporary file) forever: every message restarts the idle timer.
    long idle = p.idleTimeoutMillis();
    Runnable[] arm = new Runnable[1];
    arm[0] = () -> {
      vertx.cancelTimer(call.idleTimer);
      call.idleTimer = vertx.setTimer(idle, t -> {
        if (!call.over) {
          call.over = true;
          if (call.upload != null) {
            call.upload.abort();
          }
          fail(method, response, GrpcStatus.DEADLINE_EXCEEDED, (call.begun ? "no data" : "no first Upload message")
              + " within " + idle + " ms");
        }
      });
    };
    arm[0].run();
    request.handler(msg -> {
      if (call.over) {
        return;
      }
      arm[0].run();
      if (!call.begun) {
        call.begun = true;
        Upload.Request r = new Upload.Request(msg.getFilename(), msg.getSize(), msg.getSha256(), msg.getOverwrite());
        call.pending.appendBytes(msg.getData().toByteArray());
        Upload.begin(vertx, p.worker(), p.sharedRoot(), p.uploads(), r).onComplete(ar -> {
          if (ar.failed()) {
            call.over = true;
            failUpload(response, ar.cause());
            return;
          }
          call.upload = ar.result();
          if (call.pending.length() > 0) {
            write(call, request, response, call.pending);
          }
          call.pending = null;
          if (call.endedEarly) {
            finish(call, response);
          } else if (call.paused) {
            request.resume();
          }
        });
        return;
      }
      if (call.upload == null) {
        // Still checking the first message: keep what arrives meanwhile, and only pause when a
        // lot piles up (pausing a request that has already ended upsets Vert.x's gRPC stream).
        call.pending.appendBytes(msg.getData().toByteArray());
        if (call.pending.length() > PENDING_LIMIT && !call.paused) {
          call.paused = true;
          request.pause();
        }
        return;
      }
      write(call, request, response, Buffer.buffer(msg.getData().toByteArray()));
    });
    request.endHandler(v -> {
      if (call.over) {
        return;
      }
      if (call.upload == null) {
        call.endedEarly = true;
        if (!call.begun) {
          call.over = true;
          fail(method, response, GrpcStatus.INVALID_ARGUMENT, "empty upload stream");
        }
        return;
      }
      finish(call, response);
    });
    Handler<Throwable> cut = err -> {
      // The stream was cut (client gone, reset): nothing of it may stay.
      call.over = true;
      vertx.cancelTimer(call.idleTimer);
      if (call.upload != null) {
        call.upload.abort();
      }
    };
    request.exceptionHandler(cut);
    response.exceptionHandler(cut);
    // A client's cancel arrives as a gRPC error (RST_STREAM), not as an exception.
    request.errorHandler(error -> cut.handle(new IllegalStateException("stream " + error)));
  }

  private void write(UploadCall call, GrpcServerRequest<UploadChunk, UploadResult> request,
      GrpcServerResponse<UploadChunk, UploadResult> response, Buffer data) {
    if (call.over) {
      return;
    }
    try {
      call.upload.write(data);
    } catch (UploadRefused e) {
      call.over = true;
      call.upload.abort();
      failUpload(response, e);
      return;
    }
    if (call.upload.writeQueueFull()) {
      request.pause();
      call.upload.drainHandler(v -> request.resume());
    }
  }

  private void finish(UploadCall call, GrpcServerResponse<UploadChunk, UploadResult> response) {
    call.over = true;
    vertx.cancelTimer(call.idleTimer);
    call.upload.finish().onComplete(ar -> {
      if (ar.failed()) {
        failUpload(response, ar.cause());
        return;
      }
      Upload.Result r = ar.result();
      metrics.transferred("grpc", "received", r.size());
      // Answer once the index has it: a search right after a successful upload finds the file.
      p.onUploaded().apply(r.sharedName()).onComplete(indexed -> {
        succeeded("Upload");
        response.end(UploadResult.newBuilder().setFilename(r.sharedName()).setSize(r.size())
            .setSha256(r.sha256()).setIndexed(indexed.succeeded()).build());
      });
    });
  }

  private void failUpload(GrpcServerResponse<?, ?> response, Throwable err) {
    String method = "Upload";
    if (!(err instanceof UploadRefused u)) {
      fail(method, response, GrpcStatus.INTERNAL, "upload failed: " + err.getMessage());
      return;
    }
    GrpcStatus status = switch (u.kind()) {
      case DISABLED -> GrpcStatus.PERMISSION_DENIED;
      case BAD_REQUEST -> GrpcStatus.INVALID_ARGUMENT;
      case TOO_LARGE, NO_SPACE -> GrpcStatus.RESOURCE_EXHAUSTED;
      case EXISTS -> GrpcStatus.ALREADY_EXISTS;
      case SIZE_MISMATCH, HASH_MISMATCH -> GrpcStatus.DATA_LOSS;
      case IO -> GrpcStatus.INTERNAL;
    };
    fail(method, response, status, u.getMessage());
  }

  private static String clientOf(GrpcServerRequest<?, ?> request) {
    var addr = request.connection().remoteAddress();
    return addr == null || addr.host() == null ? "unknown" : addr.host();
  }

  private static ChunkSink sink(GrpcServerResponse<?, FileChunk> response, boolean withOffsets) {
    return new ChunkSink() {
      @Override
      public Future<Void> write(Chunk c) {
        return response.writeMessage(ChunkWire.message(c.data(), c.seq(), c.offset(), withOffsets));
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

  private void fail(String method, GrpcServerResponse<?, ?> response, GrpcStatus status, String message) {
    metrics.grpcCall(method, status.name());
    try {
      response.status(status).statusMessage(message).end();
    } catch (IllegalStateException closed) {
      // The client reset the stream first: there is nobody left to tell.
    }
  }

  private void succeeded(String method) {
    metrics.grpcCall(method, GrpcStatus.OK.name());
  }
}
