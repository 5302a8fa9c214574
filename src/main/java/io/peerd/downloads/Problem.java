package io.peerd.downloads;

/** Why a call on the download queue was refused, as data the REST edge turns into a status. */
public final class Problem extends RuntimeException {

  /** Whose fault, and so which status. */
  public enum Kind {
    /** The request is wrong: 400. */
    BAD,
    /** No such download: 404. */
    NOT_FOUND,
    /** Not in this state (pausing a finished download): 409. */
    CONFLICT,
    /** The queue is full: 503. */
    FULL
  }

  private final Kind kind;

  Problem(Kind kind, String detail) {
    super(detail, null, false, false);
    this.kind = kind;
  }

  static Problem bad(String detail) {
    return new Problem(Kind.BAD, detail);
  }

  public Kind kind() {
    return kind;
  }
}
