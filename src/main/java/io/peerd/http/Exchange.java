package io.peerd.http;

import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;

/**
 * When one request's exchange is over: its response ended, its connection closed, or it failed; or
 * its handler says so where Vert.x is silent ({@link #over}). Whatever must happen then (the
 * admission bound given back, the secure port's count of what runs, a stream stopped) is registered
 * here, and runs exactly once.
 *
 * <p>Why one place: a Vert.x response holds one end, one close and one exception handler, and a
 * later setter silently replaces the earlier one. vertx-web's {@code addEndHandler} takes all three
 * for its list; a handler that then set the response's close handler itself unhooked that list, and
 * the secure port's count lost every search and file request, so a stop waited out the whole grace
 * (SecurePortStopTest). So nothing sets those handlers but this class: through {@code
 * addEndHandler} inside the router, through {@link #of} outside it (gRPC).
 *
 * <p>Vert.x 5.0.7 is silent in one case (measured: OverloadTest): a {@code sendFile} that fails on
 * a connection the client closed brings no end, close or exception event. The handler calls {@link
 * #over} from the send's future. Polling {@code ended()} is no substitute: it is true as soon as a
 * {@code sendFile} starts.
 *
 * <p>Event-loop confined, as its request is. Its actions are the few its handlers register (one to
 * four), so the list is as bounded as the code that fills it.
 */
public final class Exchange {

  private static final String KEY = "peerd.exchange";

  // Most exchanges have one action: the list is made only for a second.
  private Runnable first;
  private ArrayList<Runnable> more;
  private boolean over;

  private Exchange() {}

  /** Runs {@code action} once when the request's exchange is over; at once if it already is. */
  public static void onEnd(RoutingContext ctx, Runnable action) {
    Exchange e = ctx.get(KEY);
    if (e == null) {
      e = new Exchange();
      ctx.put(KEY, e);
      Exchange made = e;
      // vertx-web calls it once, on the response's end, exception or close, whichever is first.
      ctx.addEndHandler(ar -> made.over());
      if (ctx.response().closed()) {
        e.over(); // closed before anyone listened: those events came and went
      }
    }
    e.onEnd(action);
  }

  /**
   * The exchange is over, where Vert.x sends no event for it (a failed {@code sendFile}); a no-op
   * when it was over already or nothing waits for it.
   */
  public static void over(RoutingContext ctx) {
    Exchange e = ctx.get(KEY);
    if (e != null) {
      e.over();
    }
  }

  /**
   * The exchange of a request that does not go through the router (gRPC), made once, as it arrives,
   * by whoever takes it first. It takes the response's end and close handlers: Vert.x's gRPC server
   * sets only the response's exception handler, and on HTTP/2 the end handler comes on a reset too
   * (before the close handler), so these two see every ending.
   */
  public static Exchange of(HttpServerResponse response) {
    Exchange e = new Exchange();
    response.endHandler(v -> e.over()).closeHandler(v -> e.over());
    if (response.closed()) {
      e.over();
    }
    return e;
  }

  /** Runs {@code action} once when this exchange is over; at once if it already is. */
  public void onEnd(Runnable action) {
    if (over) {
      action.run();
    } else if (first == null) {
      first = action;
    } else {
      if (more == null) {
        more = new ArrayList<>(3);
      }
      more.add(action);
    }
  }

  /** Runs every action registered, once; an action that throws does not keep the others from it. */
  public void over() {
    if (over) {
      return;
    }
    over = true;
    RuntimeException failed = run(first, null);
    first = null;
    if (more != null) {
      for (Runnable action : more) {
        failed = run(action, failed);
      }
      more = null;
    }
    if (failed != null) {
      throw failed;
    }
  }

  private static RuntimeException run(Runnable action, RuntimeException failed) {
    if (action == null) {
      return failed;
    }
    try {
      action.run();
    } catch (RuntimeException e) {
      if (failed == null) {
        return e;
      }
      failed.addSuppressed(e);
    }
    return failed;
  }
}
