package io.peerd.transfer;

/** Why an upload was refused or dropped; the rpc edge maps the kind to a gRPC status. */
public final class UploadRefused extends RuntimeException {

  /** Each kind is one client-visible reason. */
  public enum Kind { DISABLED, BAD_REQUEST, TOO_LARGE, EXISTS, NO_SPACE, SIZE_MISMATCH, HASH_MISMATCH, IO }

  private final Kind kind;

  public UploadRefused(Kind kind, String message) {
    super(message, null, false, false);
    this.kind = kind;
  }

  public Kind kind() {
    return kind;
  }
}
