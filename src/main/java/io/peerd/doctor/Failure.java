package io.peerd.doctor;

/** A step's failure whose cause the step itself knows: what it found, and the usual reasons. */
final class Failure extends RuntimeException {

  final String hint;

  Failure(String detail, String hint) {
    super(detail, null, false, false);
    this.hint = hint;
  }
}
