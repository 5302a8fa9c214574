package io.peerd.node;

import io.peerd.search.LoopDelay;
import io.vertx.core.Vertx;

/**
 * Measures how late the verticle's event loop runs: a timer asks to run every {@link #PERIOD_MS}
 * and notes how much later it did. That delay is what every request waits before its handler runs,
 * {@code /health} included, so it is the signal to shed on: work in flight alone let the loop fall
 * 100-700 ms behind under 10x load.
 *
 * <p>{@link #behindMillis} is the latest tick's delay, or the stall going on now when that is
 * longer (while a long batch of reads keeps the loop busy, the timer cannot run, and a handler
 * asking then sees how long it has been). The latest, not a minimum over a window: measured with
 * bench/overload.sh, shedding only on a delay that lasted 100 ms let the queue swing to 150-300 ms
 * between two lucky ticks, and kept {@code /health}'s p99 there; the latest delay holds it near the
 * bound. A pause (a collection) sheds only the requests that arrive during it and the next tick,
 * which have waited that long already.
 *
 * <p>The history is a ring of the longest delay per {@link #BUCKET_MS}, {@link #BUCKETS} of them,
 * for {@link #maxSinceMillis}; a mark older than the ring is answered from all of it. Event-loop
 * confined (the timer and its readers).
 */
final class LoopLag implements LoopDelay {

  static final long PERIOD_MS = 5;
  static final long BUCKET_MS = 100;
  static final int BUCKETS = 64;

  private final Vertx vertx;
  private final long[] bucketMax = new long[BUCKETS];
  private final long[] bucketStart = new long[BUCKETS];
  private long lastDelay;
  private long dueNanos;
  private long timer = -1;
  private boolean stopped;

  LoopLag(Vertx vertx) {
    this.vertx = vertx;
  }

  void start() {
    arm();
  }

  void stop() {
    stopped = true;
    vertx.cancelTimer(timer);
  }

  private void arm() {
    dueNanos = System.nanoTime() + PERIOD_MS * 1_000_000;
    timer = vertx.setTimer(PERIOD_MS, t -> tick());
  }

  private void tick() {
    long now = System.nanoTime();
    long delay = Math.max(0, (now - dueNanos) / 1_000_000);
    lastDelay = delay;
    long bucket = now / 1_000_000 / BUCKET_MS;
    int i = (int) Math.floorMod(bucket, (long) BUCKETS);
    if (bucketStart[i] != bucket) {
      bucketStart[i] = bucket;
      bucketMax[i] = 0;
    }
    bucketMax[i] = Math.max(bucketMax[i], delay);
    if (!stopped) {
      arm();
    }
  }

  private long stallMillis(long now) {
    return Math.max(0, (now - dueNanos) / 1_000_000);
  }

  @Override
  public long behindMillis() {
    return Math.max(lastDelay, stallMillis(System.nanoTime()));
  }

  @Override
  public long mark() {
    return System.nanoTime();
  }

  @Override
  public long maxSinceMillis(long mark) {
    long now = System.nanoTime();
    long first = mark / 1_000_000 / BUCKET_MS;
    long last = now / 1_000_000 / BUCKET_MS;
    long max = stallMillis(now);
    for (int i = 0; i < BUCKETS; i++) {
      if (bucketStart[i] >= first && bucketStart[i] <= last) {
        max = Math.max(max, bucketMax[i]);
      }
    }
    return max;
  }
}
