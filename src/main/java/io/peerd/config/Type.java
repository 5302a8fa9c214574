package io.peerd.config;

import io.peerd.index.Names;
import io.peerd.peers.PeerUrl;
import io.vertx.core.json.JsonArray;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * The type of a configuration key, with its rule: how a value in the JSON file is read, how the
 * text of a {@code PEER_<KEY>} environment variable becomes such a value, and how both are named in
 * the README's table and in the one line an operator sees when a value is wrong.
 *
 * <p>Environment text is first turned into the JSON value it stands for, then read by the same rule
 * as the file: a value wrong in either place is wrong for the same reason, in the same words.
 *
 * @param <T> what the key's value is once read
 */
public final class Type<T> {

  /**
   * A value that breaks the rule; the message says what was expected ("an integer between ...").
   */
  static final class Invalid extends RuntimeException {
    Invalid(String expected) {
      super(expected, null, false, false);
    }
  }

  /** Thrown by a rule that has nothing to add to its type's {@link #expected} text. */
  private static final Invalid BROKEN = new Invalid(null);

  private final String docType;
  private final String expected;
  private final Function<String, Object> fromEnv;
  private final Predicate<Object> absent;
  private final Function<Object, T> rule;

  private Type(
      String docType,
      String expected,
      Function<String, Object> fromEnv,
      Predicate<Object> absent,
      Function<Object, T> rule) {
    this.docType = docType;
    this.expected = expected;
    this.fromEnv = fromEnv;
    this.absent = absent;
    this.rule = rule;
  }

  /** A type whose variable's text is the value itself, less the spaces around it. */
  private static <T> Type<T> of(String docType, String expected, Function<Object, T> rule) {
    return new Type<>(docType, expected, String::trim, raw -> false, rule);
  }

  /** Short, for the README's type column: {@code int 1-64}, {@code seconds}, ... */
  String docType() {
    return docType;
  }

  /** What a good value is, for error lines: "an integer between 1 and 64". */
  String expected() {
    return expected;
  }

  /** Reads a value from the JSON file; {@code raw} is never null. */
  T read(Object raw) {
    try {
      return rule.apply(raw);
    } catch (Invalid e) {
      throw e.getMessage() == null ? new Invalid(expected) : e;
    }
  }

  /** The JSON value an environment variable's text stands for; {@link #read} then applies. */
  Object fromEnv(String text) {
    try {
      return fromEnv.apply(text);
    } catch (Invalid | NumberFormatException e) {
      throw new Invalid(expected);
    }
  }

  /** Whether a value means "not set": the seed writes {@code ""} for "no friend". */
  boolean isAbsent(Object raw) {
    return absent.test(raw);
  }

  /** The same rule, then a conversion of the value. */
  <R> Type<R> map(Function<T, R> f) {
    return new Type<>(docType, expected, fromEnv, absent, raw -> f.apply(rule.apply(raw)));
  }

  /**
   * The same rule and one more; {@code expected} now says what a value must be to pass both. A
   * reason the first rule gave in its own words (a URL without a port) is kept.
   */
  Type<T> check(Predicate<T> ok, String expected) {
    return new Type<>(
        docType,
        expected,
        fromEnv,
        absent,
        raw -> {
          T v = rule.apply(raw);
          if (!ok.test(v)) {
            throw BROKEN;
          }
          return v;
        });
  }

  /** The same rule under another name in the README's type column. */
  Type<T> named(String docType) {
    return new Type<>(docType, expected, fromEnv, absent, rule);
  }

  private Type<T> fromEnv(Function<String, Object> parse) {
    return new Type<>(docType, expected, parse, absent, rule);
  }

  private Type<T> absentWhen(Predicate<Object> isAbsent) {
    return new Type<>(docType, expected, fromEnv, isAbsent, rule);
  }

  // The types of the key table.

  /** A non-empty string. */
  static Type<String> string() {
    return of(
        "string",
        "a non-empty string",
        raw -> {
          if (!(raw instanceof String s) || s.isBlank()) {
            throw BROKEN;
          }
          return s;
        });
  }

  /** A whole number in [min, max]; the file may write 8001 or 8001.0, never "8001". */
  static Type<Long> longInteger(long min, long max) {
    boolean open = max == Long.MAX_VALUE;
    return Type.<Long>of(
            open ? "int >= " + min : "int " + min + "-" + max,
            open ? "an integer of at least " + min : "an integer between " + min + " and " + max,
            raw -> {
              // Past a long's range longValue() wraps around: 2^64 + 8001 must not read as 8001.
              if (!(raw instanceof Number n)
                  || n.doubleValue() != Math.rint(n.doubleValue())
                  || Double.isInfinite(n.doubleValue())
                  || n.doubleValue() >= 0x1p63
                  || n.doubleValue() < -0x1p63) {
                throw BROKEN;
              }
              long v = n.longValue();
              if (v < min || v > max) {
                throw BROKEN;
              }
              return v;
            })
        .fromEnv(text -> Long.parseLong(text.trim()));
  }

  static Type<Integer> integer(int min, int max) {
    return longInteger(min, max).map(Long::intValue);
  }

  static Type<Integer> port() {
    return integer(0, 65535).named("port 0-65535");
  }

  /** A whole number of milliseconds in [min, max]. */
  static Type<Duration> millis(int min, int max) {
    return integer(min, max).map(Duration::ofMillis).named("ms " + min + "-" + max);
  }

  /** The seed's intervals: seconds, possibly fractional, above 0 and at most a day. */
  static Type<Duration> seconds() {
    return Type.<Duration>of(
            "seconds",
            "a number of seconds greater than 0 (at most 86400)",
            raw -> {
              if (!(raw instanceof Number n)
                  || !(n.doubleValue() > 0)
                  || n.doubleValue() > 86_400) {
                throw BROKEN;
              }
              return Duration.ofMillis(Math.max(1, Math.round(n.doubleValue() * 1000)));
            })
        .fromEnv(text -> Double.parseDouble(text.trim()));
  }

  static Type<Boolean> bool() {
    return Type.<Boolean>of(
            "bool",
            "true or false",
            raw -> {
              if (!(raw instanceof Boolean b)) {
                throw BROKEN;
              }
              return b;
            })
        .fromEnv(
            text ->
                switch (text.trim().toLowerCase(java.util.Locale.ROOT)) {
                  case "true" -> Boolean.TRUE;
                  case "false" -> Boolean.FALSE;
                  default -> throw BROKEN;
                });
  }

  /** One of a few words, exactly as written. */
  static Type<String> oneOf(String... values) {
    List<String> allowed = List.of(values);
    return string().check(allowed::contains, "one of " + allowed).named(String.join(", ", allowed));
  }

  /**
   * A peer URL, normalised to {@code scheme://host:port}; {@code ""} means none, as in the seed.
   */
  static Type<String> url() {
    return Type.<String>of(
            "URL",
            "an http(s) URL with host and port",
            raw -> {
              if (!(raw instanceof String s)) {
                throw new Invalid("an http(s) URL string");
              }
              return peerUrl(s, "an http(s) URL with host and port (");
            })
        .absentWhen(raw -> raw instanceof String s && s.isBlank());
  }

  /**
   * A friend: a peer URL, or {@code ID@URL} to pin the id that URL must prove (as {@code peer.jar
   * id} prints it). Normalised to {@code url} or {@code ID@url}; {@link Friend#parse} splits it.
   */
  static Type<String> friend() {
    return Type.<String>of(
            "[ID@]URL",
            "an http(s) URL with host and port, optionally ID@URL",
            raw -> {
              if (!(raw instanceof String s)) {
                throw new Invalid("an http(s) URL string, optionally ID@URL");
              }
              return friend(s, "an http(s) URL, optionally ID@URL (");
            })
        .absentWhen(raw -> raw instanceof String s && s.isBlank());
  }

  /** A list of friends ({@link #friend()}), deduplicated; in the environment, comma-separated. */
  static Type<List<String>> friends() {
    return Type.<List<String>>of(
            "list of [ID@]URLs",
            "a list of http(s) URL strings, each optionally ID@URL",
            raw -> {
              if (!(raw instanceof JsonArray arr)) {
                throw BROKEN;
              }
              LinkedHashSet<String> out = new LinkedHashSet<>();
              for (int i = 0; i < arr.size(); i++) {
                if (!(arr.getValue(i) instanceof String s)) {
                  throw new Invalid(
                      "a list of http(s) URL strings (item " + i + " is not a string)");
                }
                out.add(friend(s, "a list of http(s) URLs (item " + i + ": "));
              }
              return List.copyOf(new ArrayList<>(out));
            })
        .fromEnv(
            text -> {
              JsonArray list = new JsonArray();
              Arrays.stream(text.split(","))
                  .map(String::trim)
                  .filter(p -> !p.isEmpty())
                  .forEach(list::add);
              return list;
            });
  }

  private static String peerUrl(String s, String expected) {
    try {
      return PeerUrl.parse(s);
    } catch (IllegalArgumentException e) {
      throw new Invalid(expected + e.getMessage() + ")");
    }
  }

  private static String friend(String s, String expected) {
    try {
      return Friend.parse(s).toString();
    } catch (IllegalArgumentException e) {
      throw new Invalid(expected + e.getMessage() + ")");
    }
  }

  /** A filesystem path, absolute and normalised; whether it must exist is the key's own rule. */
  static Type<Path> path() {
    return string().map(s -> Path.of(s).toAbsolutePath().normalize()).named("path");
  }

  /** A readable file (PEM certificates and keys). */
  static Type<Path> readableFile() {
    return path().check(Files::isReadable, "a readable PEM file").named("PEM file");
  }

  /** A relative folder inside shared_dir, by the rules of a shared file name, never hidden. */
  static Type<String> relativeFolder() {
    return string()
        .check(
            dir ->
                Names.problem(dir) == null
                    && Arrays.stream(dir.split("/")).noneMatch(Names::isHidden),
            "a relative folder inside shared_dir, not hidden")
        .named("relative path");
  }

  /** A shared secret: long enough not to be guessed, printable, no spaces. */
  static Type<String> token() {
    return string()
        .check(
            t -> t.length() >= 16 && t.chars().allMatch(c -> c > ' ' && c <= '~'),
            "at least 16 printable ASCII characters without spaces")
        .named("string, 16+ printable characters")
        .absentWhen(raw -> "".equals(raw));
  }

  /** A folder, or {@code ""} for "none": an empty Optional. */
  static Type<java.util.Optional<Path>> pathOrOff() {
    Type<Path> path = path();
    return Type.<java.util.Optional<Path>>of(
        "path, \"\" = off",
        path.expected() + " (or \"\" for none)",
        raw -> "".equals(raw) ? java.util.Optional.empty() : java.util.Optional.of(path.read(raw)));
  }

  static Type<Integer> powerOfTwo(int min, int max) {
    return integer(min, max)
        .check(v -> Integer.bitCount(v) == 1, "a power of two between " + min + " and " + max)
        .named("power of two, " + min + "-" + max);
  }
}
