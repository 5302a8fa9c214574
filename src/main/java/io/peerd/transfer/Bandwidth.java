package io.peerd.transfer;

import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import java.util.ArrayDeque;

/**
 * A byte-rate limit shared by every stream it is put on: a token bucket of {@code bytesPerSecond}
 * with a burst of a tenth of a second's worth (at least 64 KiB). A stream takes what it moved and
 * is told to wait (its {@code writeQueueFull}) while the bucket is below zero; it is resumed when
 * the bucket refills. Off (never full) at 0. Event-loop confined.
 */
public final class Bandwidth {

  public static final Bandwidth UNLIMITED = new Bandwidth(null, 0);

  private final Vertx vertx;
  private final long bytesPerSecond;
  private final long burst;
  private double tokens;
  private long refilledAt = System.nanoTime();
  private final ArrayDeque<Handler<Void>> waiting = new ArrayDeque<>();
  private long timer = -1;

  public Bandwidth(Vertx vertx, long bytesPerSecond) {
    this.vertx = vertx;
    this.bytesPerSecond = bytesPerSecond;
    this.burst = Math.max(64 * 1024, bytesPerSecond / 10);
    this.tokens = burst;
  }

  public boolean limited() {
    return bytesPerSecond > 0;
  }

  /** Bytes just moved. */
  public void take(long bytes) {
    if (!limited()) {
      return;
    }
    refill();
    tokens -= bytes;
  }

  /** True while the streams on this limit must wait. */
  public boolean exhausted() {
    if (!limited()) {
      return false;
    }
    refill();
    return tokens < 0;
  }

  /** Called once when the bucket is above zero again; at once when it already is. */
  public void whenAvailable(Handler<Void> handler) {
    if (!exhausted()) {
      handler.handle(null);
      return;
    }
    // Bounded by the streams on this limit: each waits with one handler at a time.
    waiting.add(handler);
    if (timer < 0) {
      schedule();
    }
  }

  private void schedule() {
    refill();
    long waitMs = Math.max(1, (long) Math.ceil(-tokens * 1000.0 / bytesPerSecond));
    timer =
        vertx.setTimer(
            waitMs,
            t -> {
              timer = -1;
              // One at a time: a stream resumed now takes its tokens only when its next bytes
              // arrive, so waking every waiter at once would let them all overdraw the bucket.
              if (!exhausted() && !waiting.isEmpty()) {
                waiting.poll().handle(null);
              }
              // The handler may have waited again, and scheduled the next timer itself.
              if (!waiting.isEmpty() && timer < 0) {
                schedule();
              }
            });
  }

  private void refill() {
    long now = System.nanoTime();
    tokens = Math.min(burst, tokens + (now - refilledAt) / 1e9 * bytesPerSecond);
    refilledAt = now;
  }
}
