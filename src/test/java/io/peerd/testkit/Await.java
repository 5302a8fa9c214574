package io.peerd.testkit;

import io.vertx.core.Future;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Straight-line async tests: wait for a future on the test thread (never an event loop), with a
 * bound, so a scenario reads top to bottom instead of as nested callbacks. A failed future throws
 * its own failure, so the test reports the real cause.
 */
public final class Await {

  /** Wide enough for a loaded 2-core machine; the scenarios themselves take milliseconds. */
  public static final Duration BOUND = Duration.ofSeconds(30);

  private Await() {}

  public static <T> T await(Future<T> future) {
    return await(future, BOUND);
  }

  public static <T> T await(Future<T> future, Duration bound) {
    try {
      return future.await(bound.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      throw new AssertionError("no result within " + bound.toSeconds() + " s", e);
    }
  }

  /**
   * Polls {@code condition} every 50 ms on the test thread until it holds.
   *
   * @return the milliseconds it took
   * @throws AssertionError naming {@code what} when it does not hold within {@code bound}
   */
  public static long until(
      String what, Duration bound, java.util.function.BooleanSupplier condition) {
    long start = System.nanoTime();
    while (!condition.getAsBoolean()) {
      long ms = (System.nanoTime() - start) / 1_000_000;
      if (ms > bound.toMillis()) {
        throw new AssertionError(what + ": not within " + bound.toMillis() + " ms");
      }
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted", e);
      }
    }
    return (System.nanoTime() - start) / 1_000_000;
  }

  /** The failure of a future that must fail; an AssertionError when it succeeds instead. */
  public static Throwable failure(Future<?> future) {
    try {
      Object v = await(future);
      throw new AssertionError("expected a failure, got " + v);
    } catch (AssertionError e) {
      throw e;
    } catch (Throwable t) {
      return t;
    }
  }
}
