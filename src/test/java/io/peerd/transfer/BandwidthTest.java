package io.peerd.transfer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The token bucket behind both rate limits: off at 0, spent by a burst, refilled by time. */
@ExtendWith(VertxExtension.class)
@Tag("unit")
class BandwidthTest {

  @Test
  void zeroIsNoLimitAtAll() {
    Bandwidth off = new Bandwidth(null, 0);
    off.take(Long.MAX_VALUE / 2);
    assertFalse(off.limited());
    assertFalse(off.exhausted());
    boolean[] called = {false};
    off.whenAvailable(v -> called[0] = true);
    assertTrue(called[0], "never waits");
  }

  @Test
  void aSpentBucketWaitsForItsRefill(Vertx vertx, VertxTestContext ctx) {
    vertx.runOnContext(
        x -> {
          // 1 MiB/s: the burst is 104,857 bytes; taking 300 KiB leaves it ~200 KiB short.
          Bandwidth b = new Bandwidth(vertx, 1 << 20);
          assertFalse(b.exhausted());
          b.take(300 * 1024);
          assertTrue(b.exhausted());
          long asked = System.nanoTime();
          b.whenAvailable(
              v ->
                  ctx.verify(
                      () -> {
                        long waitedMs = (System.nanoTime() - asked) / 1_000_000;
                        // ~190 ms of refill at 1 MiB/s; a timer may fire late, never early.
                        assertTrue(waitedMs >= 150, "waited " + waitedMs + " ms");
                        assertFalse(b.exhausted());
                        ctx.completeNow();
                      }));
        });
  }

  @Test
  void waitersAreCalledInTheOrderTheyCame(Vertx vertx, VertxTestContext ctx) {
    vertx.runOnContext(
        x -> {
          Bandwidth b = new Bandwidth(vertx, 10 << 20);
          b.take(2 << 20);
          StringBuilder order = new StringBuilder();
          b.whenAvailable(v -> order.append('a'));
          b.whenAvailable(
              v ->
                  ctx.verify(
                      () -> {
                        order.append('b');
                        assertEquals("ab", order.toString());
                        ctx.completeNow();
                      }));
        });
  }
}
