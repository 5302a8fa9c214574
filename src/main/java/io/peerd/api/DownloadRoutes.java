package io.peerd.api;

import io.peerd.downloads.Downloads;
import io.peerd.downloads.Problem;
import io.peerd.http.Exchange;
import io.vertx.core.Future;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/**
 * {@code /downloads}: the downloads this peer runs itself. Each handler reads the request, asks the
 * queue ({@link Downloads}), and answers JSON; the queue's refusals become 400, 404, 409, 503 or
 * 507 with {@code {error, detail}}.
 */
final class DownloadRoutes {

  /** Comment lines that keep a quiet stream's proxies and browsers from timing it out. */
  static final long KEEP_ALIVE_MS = 15_000;

  private final Downloads queue;

  DownloadRoutes(Downloads queue) {
    this.queue = queue;
  }

  void create(RoutingContext ctx) {
    JsonObject body;
    try {
      body = ctx.body().asJsonObject();
    } catch (DecodeException | ClassCastException e) {
      throw new BadRequest("bad_json", "body must be a JSON object");
    }
    if (body == null) {
      throw new BadRequest("bad_json", "body must be a JSON object");
    }
    answer(
        ctx,
        guarded(() -> queue.add(body))
            .map(
                added -> {
                  if (added.created()) {
                    ctx.response().putHeader(HttpHeaders.LOCATION, "/downloads/" + added.id());
                  }
                  return added;
                }),
        added -> added.created() ? 202 : 200,
        added -> added.download());
  }

  void list(RoutingContext ctx) {
    Errors.json(ctx, 200, queue.list());
  }

  void one(RoutingContext ctx) {
    answer(ctx, guarded(() -> Future.succeededFuture(queue.get(id(ctx)))), v -> 200, v -> v);
  }

  void pause(RoutingContext ctx) {
    answer(ctx, guarded(() -> queue.pause(id(ctx))), v -> 200, v -> v);
  }

  void resume(RoutingContext ctx) {
    answer(ctx, guarded(() -> queue.resume(id(ctx))), v -> 200, v -> v);
  }

  void cancel(RoutingContext ctx) {
    answer(ctx, guarded(() -> queue.cancel(id(ctx))), v -> 200, v -> v);
  }

  /** Server-Sent Events: every download as it is, then one event per change. */
  void stream(RoutingContext ctx) {
    HttpServerResponse res = ctx.response();
    Runnable[] stop = {() -> {}};
    long[] keepAlive = {-1};
    try {
      // Headers go with the first event, so a refusal below is still a plain JSON answer.
      res.setChunked(true)
          .putHeader(HttpHeaders.CONTENT_TYPE, "text/event-stream; charset=utf-8")
          .putHeader(HttpHeaders.CACHE_CONTROL, "no-cache")
          .putHeader("X-Accel-Buffering", "no");
      stop[0] =
          queue.watch(
              change -> {
                // A client that reads too slowly misses progress, never the end: every event is
                // a download's whole view, and the next one brings it up to date.
                if (!res.ended() && !res.closed() && !res.writeQueueFull()) {
                  res.write(
                      SearchStream.event(
                          change.containsKey("removed") ? "removed" : "download",
                          change.toBuffer()));
                }
              });
    } catch (Problem p) {
      res.setChunked(false);
      res.headers().remove(HttpHeaders.CONTENT_TYPE);
      throw refusal(p);
    }
    if (!res.headWritten()) {
      res.write(": downloads\n\n");
    }
    keepAlive[0] =
        ctx.vertx()
            .setPeriodic(
                KEEP_ALIVE_MS,
                t -> {
                  if (!res.ended() && !res.closed()) {
                    res.write(": keep-alive\n\n");
                  }
                });
    // The stream never ends by itself: this is its client going away (or the peer stopping).
    Exchange.onEnd(
        ctx,
        () -> {
          stop[0].run();
          ctx.vertx().cancelTimer(keepAlive[0]);
        });
  }

  private static String id(RoutingContext ctx) {
    String id = ctx.pathParam("id");
    if (id == null || !id.matches("[0-9a-f]{16}")) {
      throw new BadRequest(404, "not_found", "no download " + id);
    }
    return id;
  }

  /** The queue's synchronous refusals, as a failed future like its asynchronous ones. */
  private static <T> Future<T> guarded(java.util.function.Supplier<Future<T>> call) {
    try {
      return call.get();
    } catch (Problem | BadRequest p) {
      return Future.failedFuture(p);
    }
  }

  private static <T> void answer(
      RoutingContext ctx,
      Future<T> f,
      java.util.function.Function<T, Integer> status,
      java.util.function.Function<T, JsonObject> body) {
    f.onSuccess(v -> Errors.json(ctx, status.apply(v), body.apply(v)))
        .onFailure(err -> ctx.fail(err instanceof Problem p ? refusal(p) : err));
  }

  static BadRequest refusal(Problem p) {
    return switch (p.kind()) {
      case BAD -> new BadRequest("bad_request", p.getMessage());
      case NOT_FOUND -> new BadRequest(404, "not_found", p.getMessage());
      case CONFLICT -> new BadRequest(409, "conflict", p.getMessage());
      case FULL -> new BadRequest(503, "full", p.getMessage());
      case NO_SPACE -> new BadRequest(507, "no_space", p.getMessage());
    };
  }
}
