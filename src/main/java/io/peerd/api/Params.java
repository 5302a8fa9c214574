package io.peerd.api;

import io.vertx.ext.web.RoutingContext;

/** Query-parameter readers that answer 400 on nonsense instead of guessing. */
public final class Params {

  private Params() {}

  static String string(RoutingContext ctx, String name, String def, int maxLength) {
    String v = ctx.request().getParam(name);
    if (v == null) {
      return def;
    }
    if (v.length() > maxLength) {
      throw new BadRequest("bad_parameter", name + " is longer than " + maxLength + " characters");
    }
    return v;
  }

  /**
   * @param clampMax values above max are clamped (a cap, not an error); below min is an error
   */
  static long number(
      RoutingContext ctx, String name, long def, long min, long max, boolean clampMax) {
    return number(name, ctx.request().getParam(name), def, min, max, clampMax);
  }

  /** The rule itself, without a request: pure, so it is fuzzed directly. */
  public static long number(String name, String v, long def, long min, long max, boolean clampMax) {
    if (v == null || v.isEmpty()) {
      return def;
    }
    long n;
    try {
      n = Long.parseLong(v.trim());
    } catch (NumberFormatException e) {
      if (clampMax && v.trim().matches("\\d{19,}")) {
        return max;
      }
      throw new BadRequest(
          "bad_parameter", name + " must be an integer, got \"" + abbreviate(v) + "\"");
    }
    if (n < min) {
      throw new BadRequest("bad_parameter", name + " must be at least " + min + ", got " + n);
    }
    if (n > max) {
      if (clampMax) {
        return max;
      }
      throw new BadRequest("bad_parameter", name + " must be at most " + max + ", got " + n);
    }
    return n;
  }

  static String abbreviate(String s) {
    return s.length() <= 40 ? s : s.substring(0, 40) + "...";
  }
}
