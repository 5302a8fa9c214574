package io.peerd.node;

import static io.peerd.testkit.Await.await;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.peerd.testkit.BusyLoop;
import io.vertx.core.Context;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * How late a real event loop runs, kept busy on purpose: not at all once a pause is over (though
 * the pause is remembered since a mark), all along while it never catches up, and for as long as it
 * has been stuck in one piece of work.
 */
@ExtendWith(VertxExtension.class)
@Tag("unit")
class LoopLagTest {

  private static <T> T on(Context ctx, Callable<T> call) {
    Promise<T> p = Promise.promise();
    ctx.runOnContext(
        v -> {
          try {
            p.complete(call.call());
          } catch (Exception e) {
            p.fail(e);
          }
        });
    return await(p.future());
  }

  private static void pause(Vertx vertx, long millis) {
    Promise<Void> p = Promise.promise();
    vertx.setTimer(millis, t -> p.complete());
    await(p.future());
  }

  /**
   * Well below a loop that is behind (the pause here is 80 ms): on two cores busy with the rest of
   * mvn verify, an idle loop's tick now and then comes 1-3 ms late (3 ms once, in a full run).
   */
  static void assertQuiet(long behindMillis, String what) {
    assertTrue(behindMillis < 10, what + ": " + behindMillis + " ms behind");
  }

  @Test
  void behindWhileLateNotOnceCaughtUpAndTheWorstRememberedSinceAMark(Vertx vertx) {
    Context ctx = vertx.getOrCreateContext();
    LoopLag lag = on(ctx, () -> new LoopLag(vertx));
    on(
        ctx,
        () -> {
          lag.start();
          return null;
        });
    pause(vertx, 300);
    assertQuiet(on(ctx, lag::behindMillis), "an idle loop is not behind");

    // One pause of 80 ms, then the loop is idle again.
    long mark = on(ctx, lag::mark);
    on(
        ctx,
        () -> {
          BusyLoop.spin(80);
          return null;
        });
    pause(vertx, 50);
    assertQuiet(on(ctx, lag::behindMillis), "the pause is over: nothing to shed");
    long max = on(ctx, () -> lag.maxSinceMillis(mark));
    assertTrue(max >= 70, "but it is remembered as a delay since the mark: " + max);

    // 40 ms of work every few ms, for 600 ms: the loop is always about 40 ms late.
    long[] behind = {0};
    long until = System.nanoTime() + 600_000_000L;
    Promise<Void> done = Promise.promise();
    ctx.runOnContext(v -> keepBusy(vertx, until, behind, lag, done));
    await(done.future());
    assertTrue(behind[0] >= 25, "a loop that never catches up is behind: " + behind[0]);

    pause(vertx, 300);
    assertQuiet(on(ctx, lag::behindMillis), "and not once it has caught up");

    // Stuck for 250 ms in one go: the timer cannot run, the stall itself counts.
    long stuck =
        on(
            ctx,
            () -> {
              BusyLoop.spin(250);
              return lag.behindMillis();
            });
    assertTrue(stuck >= 140, "a loop stuck in one piece of work is behind: " + stuck);
    on(
        ctx,
        () -> {
          lag.stop();
          return null;
        });
  }

  private static void keepBusy(
      Vertx vertx, long until, long[] behind, LoopLag lag, Promise<Void> done) {
    BusyLoop.spin(40);
    behind[0] = Math.max(behind[0], lag.behindMillis());
    if (System.nanoTime() < until) {
      vertx.setTimer(1, t -> keepBusy(vertx, until, behind, lag, done));
    } else {
      done.complete();
    }
  }
}
