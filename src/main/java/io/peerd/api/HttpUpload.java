package io.peerd.api;

import io.peerd.http.Exchange;
import io.peerd.transfer.Upload;
import io.peerd.transfer.UploadRefused;
import io.peerd.transfer.Uploads;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.Locale;

/**
 * {@code PUT /upload/{name}}: the HTTP adapter of the peer's one upload life cycle ({@link
 * Uploads}), for the web page and curl. The announcement is the path (the name), the {@code
 * Content-Length} (the size, checked against the quota before a byte is read) and an optional
 * {@code X-Sha256}; the body is the data. The request stays paused until the temporary file is open
 * (a {@code 100-continue} client is told to send only then), so a refused upload reads nothing.
 */
final class HttpUpload {

  static final String PREFIX = "/upload/";
  static final String SHA256_HEADER = "X-Sha256";

  private final Uploads uploads;
  private final LocalFiles local;

  HttpUpload(Uploads uploads, LocalFiles local) {
    this.uploads = uploads;
    this.local = local;
  }

  void handle(RoutingContext ctx) {
    HttpServerRequest req = ctx.request();
    req.pause();
    Upload.Request request = request(ctx);
    Uploads.Session session =
        uploads.open(
            "http",
            Guard.clientOf(req),
            new Uploads.Inlet() {
              @Override
              public void pause() {
                req.pause();
              }

              @Override
              public void resume() {
                req.resume();
              }
            });
    req.handler(session::data);
    req.endHandler(v -> session.end());
    req.exceptionHandler(err -> session.cut());
    // The client went away or the answer failed; after the answer it is a no-op (the session is
    // over by then).
    Exchange.onEnd(ctx, session::cut);
    session.announce(request);
    session
        .ready()
        .onSuccess(
            v -> {
              if ("100-continue".equalsIgnoreCase(req.getHeader(HttpHeaders.EXPECT))) {
                ctx.response().writeContinue();
              }
              req.resume();
            });
    session
        .result()
        .onSuccess(
            r ->
                Errors.json(
                    ctx,
                    201,
                    new JsonObject()
                        .put("name", r.name())
                        .put("size", r.size())
                        .put("sha256", r.sha256())
                        .put("rest_url", local.restUrl(r.name()))
                        .put("indexed", r.indexed())))
        .onFailure(err -> refuse(ctx, (UploadRefused) err));
  }

  /**
   * The announcement: name from the path, size from Content-Length, optional hash and overwrite.
   */
  private static Upload.Request request(RoutingContext ctx) {
    HttpServerRequest req = ctx.request();
    String name = FileServing.decode(req.path().substring(PREFIX.length()));
    if (name == null) {
      throw closing(ctx, new BadRequest("bad_name", "bad percent-encoding in the file name"));
    }
    String length = req.getHeader(HttpHeaders.CONTENT_LENGTH);
    if (length == null) {
      // A size known up front is what lets the quota be checked before any data flows.
      throw closing(
          ctx, new BadRequest(411, "length_required", "an upload needs a Content-Length"));
    }
    String overwrite = req.getParam("overwrite", "false");
    if (!overwrite.equals("true") && !overwrite.equals("false")) {
      throw closing(ctx, new BadRequest("bad_parameter", "overwrite must be true or false"));
    }
    long size;
    try {
      size = Params.number("Content-Length", length, -1, 0, Long.MAX_VALUE, false);
    } catch (BadRequest e) {
      throw closing(ctx, e);
    }
    String sha = req.getHeader(SHA256_HEADER);
    return new Upload.Request(
        name,
        size,
        sha == null || sha.isBlank() ? null : sha.trim().toLowerCase(Locale.ROOT),
        overwrite.equals("true"));
  }

  /**
   * An error answered before the body was read. An HTTP/1 connection cannot carry another request
   * after a body nobody read, so it is closed once the answer is out (which also stops a client
   * from pushing the rest of a refused gigabyte); the answer says so too.
   */
  private static BadRequest closing(RoutingContext ctx, BadRequest error) {
    HttpServerRequest req = ctx.request();
    if (req.version() != HttpVersion.HTTP_2 && !req.isEnded()) {
      req.response().putHeader(HttpHeaders.CONNECTION, "close");
      Exchange.onEnd(ctx, () -> req.connection().close());
    }
    return error;
  }

  private static void refuse(RoutingContext ctx, UploadRefused u) {
    if (u.kind() == UploadRefused.Kind.CANCELLED) {
      return; // nobody left to tell
    }
    if (u.kind() == UploadRefused.Kind.BUSY) {
      ctx.response().putHeader(HttpHeaders.RETRY_AFTER, "1");
    }
    closing(ctx, null);
    ctx.fail(u.kind() == UploadRefused.Kind.IO ? u : status(u));
  }

  /** The upload kinds on HTTP's wire. */
  static BadRequest status(UploadRefused u) {
    return switch (u.kind()) {
      case DISABLED -> new BadRequest(403, "uploads_disabled", u.getMessage());
      case BAD_REQUEST -> new BadRequest(400, "bad_request", u.getMessage());
      case TOO_LARGE -> new BadRequest(413, "too_large", u.getMessage());
      case EXISTS -> new BadRequest(409, "exists", u.getMessage());
      case NO_SPACE -> new BadRequest(507, "no_space", u.getMessage());
      case SIZE_MISMATCH -> new BadRequest(400, "size_mismatch", u.getMessage());
      case HASH_MISMATCH -> new BadRequest(422, "hash_mismatch", u.getMessage());
      case BUSY -> new BadRequest(503, "busy", u.getMessage());
      case TIMEOUT -> new BadRequest(408, "timeout", u.getMessage());
      // Answered by nobody (cancelled) or as an internal error with an id (io): never these words.
      case CANCELLED, IO -> new BadRequest(500, "internal", "unexpected");
    };
  }
}
