package io.peerd.api;

import io.peerd.http.Exchange;
import io.peerd.metrics.Metrics;
import io.peerd.search.SearchQuery;
import io.peerd.search.SearchService;
import io.peerd.wire.WireJson;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import java.util.function.Function;

/**
 * {@code GET /search/stream}: the same search as {@code /search}, as Server-Sent Events. One {@code
 * peer} event per peer's answer as it arrives (this peer's own first), then one {@code done} event
 * with the summary, then the response ends. A person sees the fast peers' files at once instead of
 * waiting for the slowest neighbour's timeout.
 */
final class SearchStream {

  /** Streams open at once: each holds a connection for up to a search deadline. */
  static final int MAX_STREAMS = 32;

  private final SearchService search;
  private final Function<RoutingContext, SearchQuery> parse;
  private final SearchMeter meter;
  private final Metrics metrics;
  private final WireJson.Fragments fragments;
  private int open;

  SearchStream(
      SearchService search,
      Function<RoutingContext, SearchQuery> parse,
      SearchMeter meter,
      Metrics metrics,
      WireJson.Fragments fragments) {
    this.search = search;
    this.fragments = fragments;
    this.parse = parse;
    this.meter = meter;
    this.metrics = metrics;
  }

  int open() {
    return open;
  }

  void handle(RoutingContext ctx) {
    // Parsed before any header is written: a bad parameter is still a plain 400 JSON answer.
    SearchQuery query = parse.apply(ctx);
    long started = System.nanoTime();
    if (open >= MAX_STREAMS) {
      ctx.response().putHeader(HttpHeaders.RETRY_AFTER, "1");
      throw new BadRequest(
          503, "busy", MAX_STREAMS + " search streams are already open: retry later");
    }
    open++;
    HttpServerResponse res = ctx.response();
    res.setChunked(true)
        .putHeader(HttpHeaders.CONTENT_TYPE, "text/event-stream; charset=utf-8")
        .putHeader(HttpHeaders.CACHE_CONTROL, "no-cache")
        // Proxies that buffer responses would hold the events until the end.
        .putHeader("X-Accel-Buffering", "no");
    boolean[] state = new boolean[2]; // [0]: client gone, [1]: slot released
    Runnable release =
        () -> {
          if (!state[1]) {
            state[1] = true;
            open--;
          }
        };
    // Closed or failed: nothing more is written. After the last event it changes nothing.
    Exchange.onEnd(
        ctx,
        () -> {
          state[0] = true;
          release.run();
        });
    search
        .search(
            query,
            result -> {
              if (!state[0] && !res.ended()) {
                res.write(event("peer", WireJson.peerResult(result, fragments)));
              }
            })
        .onComplete(
            ar -> {
              if (ar.succeeded()) {
                meter.record(query, started, ar.result());
              }
              if (!state[0] && !res.ended()) {
                res.end(
                    ar.succeeded()
                        ? event("done", WireJson.searchSummary(ar.result()))
                        : event("error", Errors.internal(ctx, metrics, ar.cause()).toBuffer()));
              }
              release.run();
            });
  }

  /** One SSE event. Encoded JSON has no raw line breaks, so one data line carries it whole. */
  static Buffer event(String name, Buffer data) {
    return Buffer.buffer("event: " + name + "\ndata: ").appendBuffer(data).appendString("\n\n");
  }
}
