package io.peerd.search;

/**
 * How far behind this peer's own event loop runs. Everything of one peer shares one loop, so when
 * it falls behind, every timer fires late and every answer is read late: a neighbour's answer that
 * "timed out" while this peer was itself behind may well have been on time. Counting that as the
 * neighbour's failure turns one peer's overload into backoff of all its neighbours, and its
 * searches into local ones (measured with bench/overload.sh: 1,127 such timeouts in one run, and
 * nearly every search partial).
 */
public interface LoopDelay {

  /**
   * How far behind the loop has stayed lately, in ms: the smallest delay over a short window (or
   * the stall going on now, when it is longer than the window). Zero when it caught up at any point
   * of that window.
   */
  long behindMillis();

  /** A point in time to ask {@link #maxSinceMillis} about. */
  long mark();

  /** The longest delay seen since {@code mark}, in ms (at least as long as it was). */
  long maxSinceMillis(long mark);

  /** A loop that is never late: tests and the simulator, whose clocks are their own. */
  LoopDelay NONE =
      new LoopDelay() {
        @Override
        public long behindMillis() {
          return 0;
        }

        @Override
        public long mark() {
          return 0;
        }

        @Override
        public long maxSinceMillis(long mark) {
          return 0;
        }
      };
}
