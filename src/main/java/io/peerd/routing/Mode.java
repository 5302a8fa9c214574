package io.peerd.routing;

import java.util.Locale;

/** The routing strategies a search can ask for, by their wire names. */
public enum Mode {
  /** Every peer forwards to up to fanout neighbours: finds the most, costs the most. */
  FLOOD,
  /** k random walkers from the origin, one neighbour per hop, stopping on a hit. */
  WALK,
  /** Neighbours whose name summary may match first, random walk when none may. */
  SUMMARY;

  public String wire() {
    return name().toLowerCase(Locale.ROOT);
  }

  /**
   * @throws IllegalArgumentException naming the accepted values
   */
  public static Mode parse(String s) {
    for (Mode m : values()) {
      if (m.wire().equals(s)) {
        return m;
      }
    }
    throw new IllegalArgumentException("must be one of flood, walk, summary (got '" + s + "')");
  }

  public Strategy strategy() {
    return switch (this) {
      case FLOOD -> Strategy.FLOOD;
      case WALK -> Strategy.WALK;
      case SUMMARY -> Strategy.SUMMARY;
    };
  }
}
