package io.peerd.rpc;

import io.peerd.Monotonic;
import io.vertx.core.Vertx;

/**
 * The deadline of one transfer that may rightly last hours: it fails only when nothing moves for a
 * while. Activity is {@link #touch touched}; while this side itself holds the stream back (its disk
 * is slow) the clock does not run; after the last byte is sent, waiting for the answer has a {@link
 * #answerWithin fixed deadline} instead. One periodic check, not a timer per message. Event-loop
 * confined.
 */
final class Watchdog {

  private final Vertx vertx;
  private final long stallMillis;
  private final Runnable onStall;
  private final long timer;
  private long lastActivity = Monotonic.millis();
  private long deadline = Long.MAX_VALUE;
  private boolean held;
  private boolean stopped;

  /**
   * @param onStall told once, on the event loop, when the limit passes
   */
  Watchdog(Vertx vertx, long stallMillis, Runnable onStall) {
    this.vertx = vertx;
    this.stallMillis = stallMillis;
    this.onStall = onStall;
    this.timer = vertx.setPeriodic(Math.max(25, Math.min(stallMillis / 4, 1000)), t -> check());
  }

  void touch() {
    lastActivity = Monotonic.millis();
  }

  /** This side holds the stream back (true) or lets it go again (false). */
  void hold(boolean holding) {
    held = holding;
    touch();
  }

  /** Everything is sent: the answer must come within {@code millis} from now, whatever moves. */
  void answerWithin(long millis) {
    deadline = Monotonic.millis() + millis;
  }

  void stop() {
    if (!stopped) {
      stopped = true;
      vertx.cancelTimer(timer);
    }
  }

  private void check() {
    long now = Monotonic.millis();
    boolean late =
        deadline != Long.MAX_VALUE ? now > deadline : !held && now - lastActivity > stallMillis;
    if (late && !stopped) {
      stop();
      onStall.run();
    }
  }
}
