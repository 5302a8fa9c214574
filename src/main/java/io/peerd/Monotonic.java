package io.peerd;

/**
 * The clock for durations: deadlines, idle and stall limits, backoffs, uptime. It is {@link
 * System#nanoTime}, which an NTP step or an administrator's {@code date -s} never moves; the wall
 * clock ({@link System#currentTimeMillis}) is for what is shown or saved as a date. Measured in the
 * chaos soak's clock jumps: on the wall clock a step forward of an hour made every running transfer
 * look stalled, and a step back of ten minutes held every failed peer's next probe ten minutes off.
 */
public final class Monotonic {

  /**
   * Readings start this far above zero, whatever nanoTime's own origin (arbitrary, and may be
   * negative): a field left at 0 ("never", "no retry before") is then always long past.
   */
  static final long START_MILLIS = 1L << 40;

  private static final long ORIGIN = System.nanoTime();

  private Monotonic() {}

  /**
   * Milliseconds, at least {@link #START_MILLIS}: only differences between readings mean anything.
   */
  public static long millis() {
    return START_MILLIS + (System.nanoTime() - ORIGIN) / 1_000_000L;
  }
}
