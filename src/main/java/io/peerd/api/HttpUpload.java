package io.peerd.api;

import io.peerd.config.PeerConfig;
import io.peerd.index.FileIndex;
import io.peerd.metrics.Metrics;
import io.peerd.transfer.Upload;
import io.peerd.transfer.UploadRefused;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.Locale;

/**
 * {@code PUT /upload/{name}}: the gRPC {@code Upload}'s rules over plain HTTP, for the web page
 * and curl. It is the same {@link Upload} underneath (validation, quota, hidden temporary file,
 * verification, atomic placement), so both edges refuse and place files identically. The body is
 * streamed into the temporary file with backpressure and never held in memory; its size is the
 * {@code Content-Length}, checked against the quota before a single byte is read.
 */
final class HttpUpload {

  static final String PREFIX = "/upload/";
  /** Uploads in progress at once; each holds a file and a worker slot at its ends. */
  static final int MAX_ACTIVE = 16;
  static final String SHA256_HEADER = "X-Sha256";

  private final Vertx vertx;
  private final PeerConfig config;
  private final WorkerExecutor worker;
  private final FileIndex index;
  private final LocalFiles local;
  private final Metrics metrics;
  private int active;

  HttpUpload(Vertx vertx, PeerConfig config, WorkerExecutor worker, FileIndex index, LocalFiles local,
      Metrics metrics) {
    this.vertx = vertx;
    this.config = config;
    this.worker = worker;
    this.index = index;
    this.local = local;
    this.metrics = metrics;
  }

  /** One upload's state; touched only on the event loop. */
  private static final class Call {
    Upload upload;
    boolean over;
    boolean released;
    long lastData = System.currentTimeMillis();
    long idleTimer = -1;
  }

  void handle(RoutingContext ctx) {
    HttpServerRequest req = ctx.request();
    // Nothing may be read before the temporary file is open (a worker call away).
    req.pause();
    Upload.Request request;
    try {
      request = request(req);
    } catch (BadRequest e) {
      refuse(ctx, e);
      return;
    }
    if (active >= MAX_ACTIVE) {
      ctx.response().putHeader(HttpHeaders.RETRY_AFTER, "1");
      refuse(ctx, new BadRequest(503, "busy", MAX_ACTIVE + " uploads are already running: retry later"));
      return;
    }
    active++;
    Call call = new Call();
    Handler<Throwable> cut = err -> {
      // The client went away or the connection broke: nothing of the upload may stay.
      if (!call.over) {
        call.over = true;
        if (call.upload != null) {
          call.upload.abort();
        }
      }
      release(call);
    };
    req.exceptionHandler(cut);
    ctx.response().exceptionHandler(cut);
    ctx.response().closeHandler(v -> cut.handle(null));
    Upload.begin(vertx, worker, config.sharedDir(), config.uploads(), request).onComplete(ar -> {
      if (ar.failed()) {
        call.over = true;
        release(call);
        refuse(ctx, refusal(ar.cause()));
        return;
      }
      call.upload = ar.result();
      if (call.over) {
        // Cut while the file was being prepared.
        call.upload.abort();
        return;
      }
      receive(ctx, call);
    });
  }

  /** The announcement: name from the path, size from Content-Length, optional hash and overwrite. */
  private Upload.Request request(HttpServerRequest req) {
    String name = FileServing.decode(req.path().substring(PREFIX.length()));
    if (name == null) {
      throw new BadRequest("bad_name", "bad percent-encoding in the file name");
    }
    String length = req.getHeader(HttpHeaders.CONTENT_LENGTH);
    if (length == null) {
      // A size known up front is what lets the quota be checked before any data flows.
      throw new BadRequest(411, "length_required", "an upload needs a Content-Length");
    }
    long size = Params.number("Content-Length", length, -1, 0, Long.MAX_VALUE, false);
    String sha = req.getHeader(SHA256_HEADER);
    String overwrite = req.getParam("overwrite", "false");
    if (!overwrite.equals("true") && !overwrite.equals("false")) {
      throw new BadRequest("bad_parameter", "overwrite must be true or false");
    }
    return new Upload.Request(name, size, sha == null || sha.isBlank() ? null : sha.trim().toLowerCase(Locale.ROOT),
        overwrite.equals("true"));
  }

  private void receive(RoutingContext ctx, Call call) {
    HttpServerRequest req = ctx.request();
    long idle = config.timeouts().streamIdle().toMillis();
    // A client that stops sending half-way must not hold its file and slot until the 60 s
    // connection timeout: the same idle limit as a stalled gRPC upload.
    call.idleTimer = vertx.setPeriodic(Math.max(50, Math.min(idle / 2, 1000)), t -> {
      if (!call.over && System.currentTimeMillis() - call.lastData > idle) {
        call.over = true;
        call.upload.abort();
        release(call);
        refuse(ctx, new BadRequest(408, "timeout", "no upload data for " + idle + " ms"));
      }
    });
    req.handler(data -> {
      if (call.over) {
        return;
      }
      call.lastData = System.currentTimeMillis();
      try {
        call.upload.write(data);
      } catch (UploadRefused e) {
        call.over = true;
        call.upload.abort();
        release(call);
        refuse(ctx, refusal(e));
        return;
      }
      if (call.upload.writeQueueFull()) {
        req.pause();
        call.upload.drainHandler(v -> req.resume());
      }
    });
    req.endHandler(v -> finish(ctx, call));
    if ("100-continue".equalsIgnoreCase(req.getHeader(HttpHeaders.EXPECT))) {
      ctx.response().writeContinue();
    }
    req.resume();
  }

  private void finish(RoutingContext ctx, Call call) {
    if (call.over) {
      return;
    }
    call.over = true;
    call.upload.finish().onComplete(ar -> {
      release(call);
      if (ar.failed()) {
        ctx.fail(refusal(ar.cause()));
        return;
      }
      Upload.Result r = ar.result();
      metrics.transferred("http", "received", r.size());
      // Answer once the index has it: a search right after the upload finds the file. The file
      // is safely in place either way; a failed rescan is said, not hidden (the next one retries).
      index.refresh().onComplete(indexed -> Errors.json(ctx, 201, new JsonObject()
          .put("name", r.sharedName())
          .put("size", r.size())
          .put("sha256", r.sha256())
          .put("rest_url", local.restUrl(r.sharedName()))
          .put("indexed", indexed.succeeded())));
    });
  }

  private void release(Call call) {
    if (!call.released) {
      call.released = true;
      active--;
      vertx.cancelTimer(call.idleTimer);
    }
  }

  /**
   * Answers an error before the body was read. An HTTP/1 connection cannot carry another request
   * after a body nobody read, so it is closed once the answer is out (which also stops a client
   * from pushing the rest of a refused gigabyte).
   */
  private static void refuse(RoutingContext ctx, BadRequest error) {
    HttpServerRequest req = ctx.request();
    if (req.version() != HttpVersion.HTTP_2 && !req.isEnded()) {
      // Said in the answer too, so that a client does not send its next request on this connection.
      ctx.response().putHeader(HttpHeaders.CONNECTION, "close");
      ctx.response().endHandler(v -> req.connection().close());
    }
    ctx.fail(error);
  }

  static BadRequest refusal(Throwable err) {
    if (err instanceof BadRequest b) {
      return b;
    }
    if (!(err instanceof UploadRefused u)) {
      return new BadRequest(500, "upload_failed", "upload failed: " + err.getMessage());
    }
    return switch (u.kind()) {
      case DISABLED -> new BadRequest(403, "uploads_disabled", u.getMessage());
      case BAD_REQUEST -> new BadRequest(400, "bad_request", u.getMessage());
      case TOO_LARGE -> new BadRequest(413, "too_large", u.getMessage());
      case EXISTS -> new BadRequest(409, "exists", u.getMessage());
      case NO_SPACE -> new BadRequest(507, "no_space", u.getMessage());
      case SIZE_MISMATCH -> new BadRequest(400, "size_mismatch", u.getMessage());
      case HASH_MISMATCH -> new BadRequest(422, "hash_mismatch", u.getMessage());
      case IO -> new BadRequest(500, "io", u.getMessage());
    };
  }
}
