package io.peerd.doctor;

import java.util.Locale;

/** A step's outcome. A skip is not a failure: it says why the step did not apply or did not run. */
public enum Verdict {
  PASS,
  FAIL,
  SKIP;

  /** The wire form: {@code pass}, {@code fail}, {@code skip}. */
  public String wire() {
    return name().toLowerCase(Locale.ROOT);
  }
}
