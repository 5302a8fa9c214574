package io.peerd.node;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.http.HttpServerRequest;

/**
 * Requests of one server still running: each counts from its arrival until its response ends or its
 * connection closes. Touched only on the verticle's event loop.
 */
final class InFlight {

  private int running;
  private Promise<Void> idle;

  void started(HttpServerRequest req) {
    running++;
    boolean[] done = {false};
    Runnable end =
        () -> {
          if (!done[0]) {
            done[0] = true;
            running--;
            if (running == 0 && idle != null) {
              idle.tryComplete();
            }
          }
        };
    req.response().endHandler(v -> end.run());
    req.response().closeHandler(v -> end.run());
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
