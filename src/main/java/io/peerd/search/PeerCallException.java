package io.peerd.search;

/** Why a call to another peer failed, in the words of {@link Unreachable#reason()}. */
public final class PeerCallException extends RuntimeException {

  private final String reason;
  private final long retryAfterMillis;

  public PeerCallException(String reason, String detail) {
    this(reason, detail, -1);
  }

  /**
   * @param retryAfterMillis what the peer asked us to wait ({@code Retry-After} of a 503 or 429),
   *     -1 when it said nothing
   */
  public PeerCallException(String reason, String detail, long retryAfterMillis) {
    super(detail == null ? reason : reason + ": " + detail, null, false, false);
    this.reason = reason;
    this.retryAfterMillis = retryAfterMillis;
  }

  public String reason() {
    return reason;
  }

  /** The peer's own {@code Retry-After}, in ms, or -1. */
  public long retryAfterMillis() {
    return retryAfterMillis;
  }
}
