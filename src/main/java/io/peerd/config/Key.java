package io.peerd.config;

import java.util.List;
import java.util.Locale;

/**
 * One configuration key, declared once in {@link Keys}: its name in the file (dotted for a key
 * inside an object, {@code rate_limit.requests_per_minute}), its type and rule, its default as
 * written in a file, and one line of documentation. Parsing, the {@code PEER_<KEY>} variable, error
 * lines and the README's table all come from here.
 *
 * @param <T> the value's type once read
 */
public final class Key<T> {

  private final String name;
  private final Type<T> type;
  private final Object fileDefault;
  private final String defaultDoc;
  private final String doc;

  /**
   * @param fileDefault the default as a file would write it ({@code 10}, {@code "flood"}), read
   *     through the key's own rule when used; null when there is none or it depends on other keys
   * @param defaultDoc the default for the README when it is not simply {@code fileDefault}
   */
  Key(String name, Type<T> type, Object fileDefault, String defaultDoc, String doc) {
    this.name = name;
    this.type = type;
    this.fileDefault = fileDefault;
    this.defaultDoc = defaultDoc;
    this.doc = doc;
  }

  public String name() {
    return name;
  }

  /** {@code PEER_} and the name in upper case, dots as underscores. */
  public String envVar() {
    return "PEER_" + name.replace('.', '_').toUpperCase(Locale.ROOT);
  }

  Type<T> type() {
    return type;
  }

  List<String> path() {
    return List.of(name.split("\\."));
  }

  Object fileDefault() {
    return fileDefault;
  }

  /** The README's type column. */
  public String docType() {
    return type.docType();
  }

  /** The README's default column. */
  public String docDefault() {
    if (defaultDoc != null) {
      return defaultDoc;
    }
    return fileDefault == null ? "none" : "`" + fileDefault + "`";
  }

  public String doc() {
    return doc;
  }

  @Override
  public String toString() {
    return name;
  }
}
