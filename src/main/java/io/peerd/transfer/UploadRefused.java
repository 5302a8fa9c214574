package io.peerd.transfer;

/**
 * Why an upload was refused or dropped. Each edge turns the kind into its own status in one
 * exhaustive switch ({@code api.HttpUpload} to HTTP, {@code rpc.FileTransferRpc} to gRPC), so a new
 * kind does not compile until both say what it is on their wire.
 */
public final class UploadRefused extends RuntimeException {

  /** Each kind is one client-visible reason, but {@link #IO}: the peer's own failure. */
  public enum Kind {
    /** This peer takes no uploads. */
    DISABLED,
    /** A bad name, size, hash or overwrite request. */
    BAD_REQUEST,
    /** Above the quota of one upload. */
    TOO_LARGE,
    /** The name is taken and overwriting was not asked for (or is not allowed). */
    EXISTS,
    /** Not enough room on the disk. */
    NO_SPACE,
    /** More or fewer bytes than announced. */
    SIZE_MISMATCH,
    /** The bytes do not hash to the announced SHA-256. */
    HASH_MISMATCH,
    /** As many uploads as this peer runs at once are running: retry later. */
    BUSY,
    /** The client sent nothing for the idle timeout. */
    TIMEOUT,
    /** The client went away: there is nobody to answer. */
    CANCELLED,
    /** The peer failed (a disk error): its details are for the log, not for the client. */
    IO
  }

  private final Kind kind;

  public UploadRefused(Kind kind, String message) {
    super(message, null, false, false);
    this.kind = kind;
  }

  public UploadRefused(Kind kind, String message, Throwable cause) {
    super(message, cause, false, false);
    this.kind = kind;
  }

  public Kind kind() {
    return kind;
  }
}
