package io.peerd.api;

import io.peerd.metrics.Metrics;
import io.peerd.wire.WireJson;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * Every error leaves as {@code {error, detail}} JSON with a status that says whose fault it is. A
 * client's mistake ({@link BadRequest}) is told in words; anything else is the peer's own and is
 * answered {@code 500 {error:"internal", detail:"<id>"}}, logged once with the route, the id and
 * the stack ({@link Metrics#incident}): nothing of the peer's insides reaches the client. Every 503
 * carries {@code Retry-After} (1 s unless its route said otherwise).
 */
final class Errors {

  private Errors() {}

  static void install(Router r, Metrics metrics) {
    r.errorHandler(
        404,
        ctx ->
            json(
                ctx,
                404,
                WireJson.error(
                    "not_found",
                    "no route for " + ctx.request().method() + " " + ctx.request().path())));
    r.errorHandler(
        405,
        ctx ->
            json(
                ctx,
                405,
                WireJson.error(
                    "method_not_allowed",
                    ctx.request().method() + " is not allowed on " + ctx.request().path())));
    r.errorHandler(
        413,
        ctx ->
            json(
                ctx,
                413,
                WireJson.error(
                    "too_large", "request body larger than " + RestApi.MAX_BODY_BYTES + " bytes")));
    // Vert.x's own 400s (a malformed path, a bad escape): what it saw is the client's, its words
    // are not.
    r.errorHandler(
        400,
        ctx ->
            json(
                ctx,
                400,
                WireJson.error(
                    "bad_request",
                    ctx.failure() instanceof BadRequest b ? b.getMessage() : "malformed request")));
    r.errorHandler(500, ctx -> failure(ctx, metrics));
  }

  private static void failure(RoutingContext ctx, Metrics metrics) {
    Throwable t = ctx.failure();
    if (t instanceof BadRequest b) {
      json(ctx, b.status(), WireJson.error(b.error(), b.getMessage()));
    } else {
      json(ctx, 500, internal(ctx, metrics, t));
    }
  }

  /** The answer to a failure of the peer's own: an id, the rest in the log. */
  static JsonObject internal(RoutingContext ctx, Metrics metrics, Throwable t) {
    return WireJson.error(
        "internal",
        metrics.incident(
            ctx.request().method() + " " + area(ctx.request().path()),
            t == null ? new IllegalStateException("failed without a cause") : t));
  }

  /**
   * Where a failure happened, as a metric label: the first segment of the path ({@code /index},
   * {@code /upload}). An error handler no longer knows the route that failed, and a raw path would
   * be a label without bound; only routes that exist get this far.
   */
  static String area(String path) {
    String first = path == null ? "" : path.replaceFirst("^/([^/]*).*$", "$1");
    return first.matches("[a-z]{1,16}") ? "/" + first : "/";
  }

  static void json(RoutingContext ctx, int status, JsonObject body) {
    json(ctx, status, io.peerd.wire.JsonText.encode(body));
  }

  static void json(RoutingContext ctx, int status, io.vertx.core.buffer.Buffer body) {
    if (ctx.response().ended()) {
      return;
    }
    if (status == 503 && !ctx.response().headers().contains(RETRY_AFTER)) {
      // A 503 says "not now"; without when, a client either gives up or retries at once, and the
      // soak counts it as a failure. Routes that know better set their own.
      ctx.response().putHeader(RETRY_AFTER, ONE_SECOND);
    }
    ctx.response().setStatusCode(status).putHeader(CONTENT_TYPE, JSON).end(body);
  }

  private static final CharSequence RETRY_AFTER = io.vertx.core.http.HttpHeaders.RETRY_AFTER;
  private static final CharSequence ONE_SECOND =
      io.vertx.core.http.HttpHeaders.createOptimized("1");

  // Made once: a header name or value as a CharSequence Netty need not encode per response.
  private static final CharSequence CONTENT_TYPE = io.vertx.core.http.HttpHeaders.CONTENT_TYPE;
  private static final CharSequence JSON =
      io.vertx.core.http.HttpHeaders.createOptimized("application/json");
}
