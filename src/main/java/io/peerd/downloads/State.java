package io.peerd.downloads;

import java.util.Locale;

/** Where a download stands; the wire spells each in lower case. */
public enum State {
  /** Waiting for a free slot (max_active_downloads). */
  QUEUED,
  /** Looking up its size, root and sources. */
  RESOLVING,
  /** Fetching pieces. */
  ACTIVE,
  /** Stopped by the user; its verified pieces are kept. */
  PAUSED,
  /** Every piece is here: the whole SHA-256 is checked and the file put in place. */
  VERIFYING,
  DONE,
  FAILED;

  public String wire() {
    return name().toLowerCase(Locale.ROOT);
  }

  static State of(String wire) {
    return valueOf(wire.toUpperCase(Locale.ROOT));
  }

  /** Holds one of the max_active_downloads slots. */
  boolean running() {
    return this == RESOLVING || this == ACTIVE || this == VERIFYING;
  }
}
