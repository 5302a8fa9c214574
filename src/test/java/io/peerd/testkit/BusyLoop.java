package io.peerd.testkit;

import io.vertx.core.Vertx;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Keeps an event loop behind on purpose, as a flood of work would: for a test of what a peer does
 * when its loop runs late. The peer under test runs on a Vert.x of one event loop, so the loop kept
 * busy is its own; the test's client runs on another.
 */
public final class BusyLoop {

  private BusyLoop() {}

  /** Works on the calling thread for {@code millis}, without giving it up. */
  public static void spin(long millis) {
    long end = System.nanoTime() + millis * 1_000_000;
    while (System.nanoTime() < end) {
      Thread.onSpinWait();
    }
  }

  /**
   * Works {@code millis} at a time on {@code one}'s loop, 1 ms apart, until the flag it returns is
   * cleared: a loop that never catches up, about {@code millis} late all along.
   */
  public static AtomicBoolean keepBehind(Vertx one, long millis) {
    AtomicBoolean busy = new AtomicBoolean(true);
    one.runOnContext(v -> again(one, millis, busy));
    return busy;
  }

  private static void again(Vertx one, long millis, AtomicBoolean busy) {
    spin(millis);
    if (busy.get()) {
      one.setTimer(1, t -> again(one, millis, busy));
    }
  }
}
