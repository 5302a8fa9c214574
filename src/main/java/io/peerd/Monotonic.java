package io.peerd;

/**
 * The clock for durations: deadlines, idle and stall limits, backoffs, uptime. It is {@link
 * System#nanoTime}, which an NTP step or an administrator's {@code date -s} never moves; the wall
 * clock ({@link System#currentTimeMillis}) is for what is shown or saved as a date. Measured in the
 * chaos soak's clock jumps: on the wall clock a step forward of an hour made every running transfer
 * look stalled, and a step back of ten minutes held every failed peer's next probe ten minutes off.
 */
public final class Monotonic {

  private Monotonic() {}

  /** Milliseconds from an arbitrary origin: only differences between two readings mean anything. */
  public static long millis() {
    return System.nanoTime() / 1_000_000L;
  }
}
