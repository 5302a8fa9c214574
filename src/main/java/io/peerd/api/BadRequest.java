package io.peerd.api;

/** A client error found while reading a request; the failure handler turns it into JSON. */
public final class BadRequest extends RuntimeException {

  private final int status;
  private final String error;

  public BadRequest(int status, String error, String detail) {
    super(detail, null, false, false);
    this.status = status;
    this.error = error;
  }

  public BadRequest(String error, String detail) {
    this(400, error, detail);
  }

  public int status() {
    return status;
  }

  public String error() {
    return error;
  }
}
