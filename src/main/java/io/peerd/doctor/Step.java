package io.peerd.doctor;

import io.vertx.core.json.JsonObject;

/**
 * One checked step.
 *
 * @param name {@code dns}, {@code tcp}, {@code tls}, {@code http}, {@code grpc}, {@code search} or
 *     {@code range}
 * @param millis how long it took (0 for a skip)
 * @param detail what was found, or why the step was skipped
 * @param hint the usual causes of a failure, null for a step that did not fail
 */
public record Step(String name, Verdict verdict, long millis, String detail, String hint) {

  public boolean failed() {
    return verdict == Verdict.FAIL;
  }

  public JsonObject toJson() {
    return new JsonObject()
        .put("name", name)
        .put("verdict", verdict.wire())
        .put("ms", millis)
        .put("detail", detail)
        .put("hint", hint);
  }
}
