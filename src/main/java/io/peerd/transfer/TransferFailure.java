package io.peerd.transfer;

/**
 * Why a transfer with another peer failed, as data: a reason this code can act on (a seed peer's
 * missing Download is {@link Reason#UNSUPPORTED}: fall back to DummyDownload), the wire's own name
 * for it (a gRPC status name), and the peer's message.
 */
public class TransferFailure extends RuntimeException {

  /** What the caller can do about it. */
  public enum Reason {
    /** The peer does not have it. */
    NOT_FOUND,
    /** The request was wrong (a bad name, an offset past the end): asking again will not help. */
    REFUSED,
    /** It needs a token this client did not give, or gave wrong. */
    UNAUTHORIZED,
    /** The peer does not allow it (uploads off). */
    FORBIDDEN,
    /** The name is taken. */
    EXISTS,
    /** Over a limit (rate, size, disk space): later, or smaller. */
    LIMITED,
    /** Bytes that do not match what was announced. */
    CORRUPT,
    /** Nothing moved for too long. */
    STALLED,
    /** The peer could not be reached, or went away. */
    UNREACHABLE,
    /** The peer does not know the call (a seed peer and Download). */
    UNSUPPORTED,
    /** Anything else, the peer's fault or ours. */
    FAILED
  }

  private final Reason reason;
  private final String code;
  private final String detail;
  private final long retryAfterMillis;

  /**
   * @param code the wire's name for it (e.g. {@code PERMISSION_DENIED}), shown to a person
   */
  public TransferFailure(Reason reason, String code, String message) {
    this(reason, code, message, 0);
  }

  /**
   * @param retryAfterMillis how long the peer asked to be left alone ({@code Retry-After}); 0 when
   *     it did not say
   */
  public TransferFailure(Reason reason, String code, String message, long retryAfterMillis) {
    super(code + (message == null || message.isEmpty() ? "" : ": " + message), null, false, false);
    this.reason = reason;
    this.code = code;
    this.detail = message == null ? "" : message;
    this.retryAfterMillis = Math.max(0, retryAfterMillis);
  }

  /** How long the peer asked to be left alone; 0 when it did not say. */
  public long retryAfterMillis() {
    return retryAfterMillis;
  }

  /** The peer's (or our) words alone, without the code. */
  public String detail() {
    return detail;
  }

  public Reason reason() {
    return reason;
  }

  public String code() {
    return code;
  }
}
