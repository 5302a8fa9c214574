package io.peerd.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.peerd.routing.Mode;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The key table is the one definition of the configuration: every key can be set through its {@code
 * PEER_<KEY>} variable with a value of its own type, every wrong value gets one line naming the
 * variable, and the README's table is the table's own rendering.
 *
 * <p>{@link KeyRows} holds the test's data, one row per key; a key added to {@link Keys} without a
 * row there fails {@link #everyKeyHasARow}.
 */
@Tag("unit")
class ConfigKeysTest {

  // Once for the class: making the certificate the TLS keys name takes a keytool run.
  @TempDir static Path tmp;
  static Path share;
  static Map<Key<?>, KeyRows.Row> rows;

  @BeforeAll
  static void rows() throws Exception {
    share = Files.createDirectories(tmp.resolve("share"));
    rows = KeyRows.of(tmp, share);
  }

  @Test
  void everyKeyHasARow() {
    assertEquals(Keys.ALL, List.copyOf(rows.keySet()), "one row per key, in the table's order");
  }

  @Test
  void everyKeyIsSetByItsVariable() {
    PeerConfig c = ConfigParser.parse("t", new JsonObject(), KeyRows.everyVariable(rows));
    for (KeyRows.Row r : rows.values()) {
      assertEquals(r.expected(), r.read().apply(c), r.key().envVar() + "=" + r.good());
      // The same value from the file as the variable gives, read by the same rule.
      assertFalse(
          r.good().equals(defaultText(r.key())), r.key() + ": a value other than the default");
    }
    assertTrue(c.warnings().isEmpty(), c.warnings().toString());
  }

  @Test
  void aVariableWinsOverTheFile() {
    JsonObject file =
        new JsonObject()
            .put("shared_dir", share.toString())
            .put("search_mode", "summary")
            .put("rate_limit", new JsonObject().put("requests_per_minute", 5));
    PeerConfig c =
        ConfigParser.parse(
            "f.json",
            file,
            Map.of("PEER_SEARCH_MODE", "walk", "PEER_RATE_LIMIT_DOWNLOADS_PER_MINUTE", "7"));
    assertEquals(Mode.WALK, c.routing().mode());
    assertEquals(5, c.limits().requestsPerMinute(), "the file's value for what no variable sets");
    assertEquals(7, c.limits().downloadsPerMinute());
  }

  @Test
  void everyWrongVariableIsOneLineNamingIt() {
    JsonObject file = new JsonObject().put("shared_dir", share.toString());
    for (KeyRows.Row r : rows.values()) {
      Map<String, String> env = Map.of(r.key().envVar(), r.bad());
      ConfigException e =
          assertThrows(
              ConfigException.class,
              () -> ConfigParser.parse("f.json", file, env),
              r.key().envVar() + "=" + r.bad() + " must be refused");
      assertTrue(
          e.getMessage().startsWith("environment variable " + r.key().envVar() + ": "),
          e.getMessage());
      assertFalse(e.getMessage().contains("\n"), "one line: " + e.getMessage());
    }
  }

  @Test
  void everyWrongFileValueIsOneLineNamingTheFileAndKey() {
    for (KeyRows.Row r : rows.values()) {
      // The wrong text as the file would write it: a number where it parses as one, else a string.
      Object value = fileValue(r.bad());
      JsonObject file = new JsonObject().put("shared_dir", share.toString());
      put(file, r.key().name(), value);
      ConfigException e =
          assertThrows(
              ConfigException.class,
              () -> ConfigParser.parse("f.json", file, Map.of()),
              r.key() + "=" + value + " must be refused");
      assertTrue(
          e.getMessage().startsWith("f.json: key \"" + r.key().name() + "\""), e.getMessage());
      assertFalse(e.getMessage().contains("\n"), "one line: " + e.getMessage());
    }
  }

  @Test
  void unknownKeysAndVariablesAreWarningsNotErrors() {
    JsonObject file =
        new JsonObject()
            .put("shared_dir", share.toString())
            .put("serach_ttl", 2)
            .put("rate_limit", new JsonObject().put("requests_per_hour", 1));
    PeerConfig c =
        ConfigParser.parse("f.json", file, Map.of("PEER_SERACH_TTL", "2", "HOME", "/root"));
    assertEquals(
        List.of(
            "f.json: unknown key \"serach_ttl\" ignored",
            "f.json: unknown key \"rate_limit.requests_per_hour\" ignored",
            "environment variable PEER_SERACH_TTL names no configuration key; ignored"),
        c.warnings());
  }

  @Test
  void theReadmeTableIsTheKeyTable() throws Exception {
    String readme = Files.readString(Path.of("README.md"));
    String begin =
        "<!-- config-keys: generated from io.peerd.config.Keys; ConfigKeysTest checks it -->\n";
    String end = "<!-- /config-keys -->";
    int from = readme.indexOf(begin);
    int to = readme.indexOf(end);
    assertTrue(from >= 0 && to > from, "the README marks its configuration table");
    String table = readme.substring(from + begin.length(), to);
    assertEquals(
        Keys.markdown(),
        table,
        "README.md's table differs from Keys; paste this in:\n" + Keys.markdown());
  }

  /** The text as a file would write it: a number where it reads as one, else a string. */
  private static Object fileValue(String text) {
    try {
      return Long.parseLong(text);
    } catch (NumberFormatException e) {
      try {
        return Double.parseDouble(text);
      } catch (NumberFormatException e2) {
        return text;
      }
    }
  }

  private static String defaultText(Key<?> k) {
    return k.fileDefault() == null ? null : String.valueOf(k.fileDefault());
  }

  private static void put(JsonObject file, String dotted, Object value) {
    String[] parts = dotted.split("\\.");
    JsonObject at = file;
    for (int i = 0; i < parts.length - 1; i++) {
      JsonObject next = at.getJsonObject(parts[i]);
      if (next == null) {
        next = new JsonObject();
        at.put(parts[i], next);
      }
      at = next;
    }
    at.put(parts[parts.length - 1], value instanceof JsonArray a ? a : value);
  }
}
