package io.peerd.node;

import io.peerd.http.Exchange;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.ext.web.RoutingContext;

/**
 * Requests of one server still running: each counts from its arrival until its exchange is over
 * ({@link Exchange}: answered, failed, or its connection closed). Touched only on the verticle's
 * event loop.
 */
final class InFlight {

  private int running;
  private Promise<Void> idle;

  /** A REST request, as the router's first route sees it. */
  void started(RoutingContext ctx) {
    running++;
    Exchange.onEnd(ctx, this::ended);
  }

  /** A gRPC call, which no router sees. */
  void started(Exchange exchange) {
    running++;
    exchange.onEnd(this::ended);
  }

  // An exchange runs each of its actions once: no request is counted out twice.
  private void ended() {
    running--;
    if (running == 0 && idle != null) {
      idle.tryComplete();
    }
  }

  /** Completes once no request runs (at once when none does). */
  Future<Void> idle() {
    if (running == 0) {
      return Future.succeededFuture();
    }
    if (idle == null || idle.future().isComplete()) {
      idle = Promise.promise(); // an earlier idle spell is over: wait for the next one
    }
    return idle.future();
  }
}
