package io.peerd.search;

/** Why a call to another peer failed, in the words of {@link Unreachable#reason()}. */
public final class PeerCallException extends RuntimeException {

  private final String reason;

  public PeerCallException(String reason, String detail) {
    super(detail == null ? reason : reason + ": " + detail, null, false, false);
    this.reason = reason;
  }

  public String reason() {
    return reason;
  }
}
