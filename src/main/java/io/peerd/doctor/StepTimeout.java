package io.peerd.doctor;

/** A call of a step that got no answer within its deadline (and was reset). */
final class StepTimeout extends RuntimeException {

  final long millis;

  StepTimeout(String what, long millis) {
    super(what + ": no answer within " + millis + " ms", null, false, false);
    this.millis = millis;
  }
}
