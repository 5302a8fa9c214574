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
    FULL,
    /** The disk of state_dir is full: the row cannot be written: 507, as for an upload. */
    NO_SPACE
  }

  private final Kind kind;

  Problem(Kind kind, String detail) {
    super(detail, null, false, false);
    this.kind = kind;
  }

  static Problem bad(String detail) {
    return new Problem(Kind.BAD, detail);
  }

  /**
   * {@code err} as the refusal it is when the disk is full (SQLite's SQLITE_FULL, or the file
   * system's ENOSPC), else {@code err} itself: a full disk is the host's state, not a fault of the
   * peer's code, and a user can make room and ask again.
   */
  static Throwable diskFull(Throwable err, String what) {
    for (Throwable t = err; t != null; t = t.getCause()) {
      boolean full =
          t instanceof java.sql.SQLException s && (s.getErrorCode() & 0xff) == SQLITE_FULL
              || t instanceof java.io.IOException
                  && String.valueOf(t.getMessage()).contains("No space left on device");
      if (full) {
        return new Problem(Kind.NO_SPACE, what + ": the disk is full (" + t.getMessage() + ")");
      }
    }
    return err;
  }

  /** SQLite's primary result code for "database or disk is full". */
  private static final int SQLITE_FULL = 13;

  public Kind kind() {
    return kind;
  }
}
