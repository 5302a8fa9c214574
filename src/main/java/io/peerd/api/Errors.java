package io.peerd.api;

import io.peerd.wire.WireJson;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/** Every error leaves as {@code {error, detail}} JSON with a status that says whose fault it is. */
final class Errors {

  private Errors() {}

  static void install(Router r) {
    r.errorHandler(404, ctx -> json(ctx, 404, WireJson.error("not_found",
        "no route for " + ctx.request().method() + " " + ctx.request().path())));
    r.errorHandler(405, ctx -> json(ctx, 405, WireJson.error("method_not_allowed",
        ctx.request().method() + " is not allowed on " + ctx.request().path())));
    r.errorHandler(413, ctx -> json(ctx, 413, WireJson.error("too_large",
        "request body larger than " + RestApi.MAX_BODY_BYTES + " bytes")));
    r.errorHandler(400, ctx -> json(ctx, 400, WireJson.error("bad_request",
        ctx.failure() == null ? "malformed request" : String.valueOf(ctx.failure().getMessage()))));
    r.errorHandler(500, Errors::failure);
  }

  private static void failure(RoutingContext ctx) {
    Throwable t = ctx.failure();
    if (t instanceof BadRequest b) {
      json(ctx, b.status(), WireJson.error(b.error(), b.getMessage()));
    } else {
      json(ctx, 500, WireJson.error("internal", t == null ? "unexpected error"
          : t.getClass().getSimpleName() + ": " + t.getMessage()));
    }
  }

  static void json(RoutingContext ctx, int status, JsonObject body) {
    if (ctx.response().ended()) {
      return;
    }
    ctx.response().setStatusCode(status).putHeader("content-type", "application/json").end(body.toBuffer());
  }
}
