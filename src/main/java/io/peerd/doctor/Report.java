package io.peerd.doctor;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * What the doctor found at one URL.
 *
 * @param ok no step failed (skipped ones do not count against it)
 */
public record Report(String url, String expectedId, List<Step> steps, boolean ok, long millis) {

  public Report {
    steps = List.copyOf(steps);
  }

  /** The first failed step, or null. */
  public Step firstFailure() {
    return steps.stream().filter(Step::failed).findFirst().orElse(null);
  }

  public JsonObject toJson() {
    JsonArray arr = new JsonArray();
    steps.forEach(s -> arr.add(s.toJson()));
    return new JsonObject()
        .put("url", url)
        .put("expected_id", expectedId)
        .put("ok", ok)
        .put("ms", millis)
        .put("steps", arr);
  }
}
