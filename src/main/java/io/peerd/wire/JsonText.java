package io.peerd.wire;

import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;

/**
 * A JSON writer for the answers the peer sends most: straight into one buffer, with fragments
 * encoded earlier (a file of the index, a constant block) spliced in as bytes. Jackson's generator,
 * behind {@code JsonObject.toBuffer()}, cost more than the rest of a {@code /search} answer's
 * handling together; this writes the same bytes (same key order, same escapes, numbers as Java
 * prints them) without the intermediate maps. Not thread-safe; one per answer.
 */
public final class JsonText {

  private static final byte[] HEX = "0123456789ABCDEF".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] NULL = {'n', 'u', 'l', 'l'};
  private static final byte[] TRUE = {'t', 'r', 'u', 'e'};
  private static final byte[] FALSE = {'f', 'a', 'l', 's', 'e'};

  private byte[] buf;
  private int len;
  // One bit per open object or array, deepest lowest: whether a value was written in it yet.
  private long written;
  private int depth;

  public JsonText(int capacity) {
    buf = new byte[Math.max(16, capacity)];
  }

  public JsonText() {
    this(256);
  }

  public JsonText beginObject() {
    separate();
    put((byte) '{');
    open();
    return this;
  }

  public JsonText endObject() {
    close();
    put((byte) '}');
    return this;
  }

  public JsonText beginArray() {
    separate();
    put((byte) '[');
    open();
    return this;
  }

  public JsonText endArray() {
    close();
    put((byte) ']');
    return this;
  }

  /** The name of the next value in the current object. */
  public JsonText key(String name) {
    separate();
    quoted(name);
    put((byte) ':');
    // The value that follows is not a new element: no comma before it.
    written &= ~1L;
    return this;
  }

  public JsonText value(String s) {
    separate();
    if (s == null) {
      put(NULL);
    } else {
      quoted(s);
    }
    return this;
  }

  public JsonText value(long n) {
    separate();
    if (n >= 0 && n < 10) {
      put((byte) ('0' + n)); // hops, ttls, counts: most numbers of an answer
    } else {
      ascii(Long.toString(n));
    }
    return this;
  }

  /** As {@code JsonObject} writes a double: Java's shortest form ({@code 1.5}, {@code 3.0E-4}). */
  public JsonText value(double d) {
    separate();
    if (Double.isNaN(d) || Double.isInfinite(d)) {
      // Jackson writes them as strings; so must we, or the answer is not JSON.
      quoted(Double.toString(d));
    } else {
      ascii(Double.toString(d));
    }
    return this;
  }

  public JsonText value(boolean b) {
    separate();
    put(b ? TRUE : FALSE);
    return this;
  }

  /** A null, or the number; for the optional numbers of the wire. */
  public JsonText valueOrNull(Long n) {
    return n == null ? nullValue() : value(n.longValue());
  }

  public JsonText nullValue() {
    separate();
    put(NULL);
    return this;
  }

  /**
   * Any value a {@code JsonObject} holds, written as its {@code toBuffer()} would write it: maps
   * and lists nested, the usual scalars directly, anything rarer through Vert.x's own codec.
   */
  public JsonText any(Object v) {
    if (v == null) {
      return nullValue();
    } else if (v instanceof String str) {
      return value(str);
    } else if (v instanceof Integer
        || v instanceof Long
        || v instanceof Short
        || v instanceof Byte) {
      return value(((Number) v).longValue());
    } else if (v instanceof Double d) {
      return value(d.doubleValue());
    } else if (v instanceof Boolean b) {
      return value(b.booleanValue());
    } else if (v instanceof io.vertx.core.json.JsonObject o) {
      return object(o.getMap());
    } else if (v instanceof java.util.Map<?, ?> m) {
      return object(m);
    } else if (v instanceof io.vertx.core.json.JsonArray a) {
      return array(a.getList());
    } else if (v instanceof java.util.List<?> l) {
      return array(l);
    }
    return raw(io.vertx.core.json.Json.CODEC.toBuffer(v, false).getBytes());
  }

  private JsonText object(java.util.Map<?, ?> m) {
    beginObject();
    for (java.util.Map.Entry<?, ?> e : m.entrySet()) {
      key(String.valueOf(e.getKey())).any(e.getValue());
    }
    return endObject();
  }

  private JsonText array(java.util.List<?> l) {
    beginArray();
    for (Object o : l) {
      any(o);
    }
    return endArray();
  }

  /** A JsonObject's bytes, as its {@code toBuffer()} writes them. */
  public static Buffer encode(io.vertx.core.json.JsonObject o) {
    return new JsonText(512).any(o).toBuffer();
  }

  /**
   * Members of an object made earlier by {@link #members(java.util.function.Consumer)}, spliced
   * into the current object as if written here.
   */
  public JsonText members(byte[] encoded) {
    if (encoded.length > 0) {
      separate();
      put(encoded);
    }
    return this;
  }

  /** The members {@code fill} writes into an object, without its braces: for {@link #members}. */
  public static byte[] members(java.util.function.Consumer<JsonText> fill) {
    JsonText w = new JsonText().beginObject();
    fill.accept(w);
    byte[] whole = w.endObject().toBytes();
    return java.util.Arrays.copyOfRange(whole, 1, whole.length - 1);
  }

  /** A value already encoded as JSON (one whole value: an object, an array, a string...). */
  public JsonText raw(byte[] json) {
    separate();
    put(json);
    return this;
  }

  public JsonText field(String name, String v) {
    return key(name).value(v);
  }

  public JsonText field(String name, long v) {
    return key(name).value(v);
  }

  public JsonText field(String name, boolean v) {
    return key(name).value(v);
  }

  public byte[] toBytes() {
    return java.util.Arrays.copyOf(buf, len);
  }

  /** The bytes written, as they are: no copy (this writer must not be used after). */
  public Buffer toBuffer() {
    return io.vertx.core.internal.buffer.BufferInternal.buffer(
        io.netty.buffer.Unpooled.wrappedBuffer(buf, 0, len));
  }

  @Override
  public String toString() {
    return new String(buf, 0, len, StandardCharsets.UTF_8);
  }

  private void open() {
    if (++depth > 63) {
      throw new IllegalStateException("JSON nested deeper than 63");
    }
    written <<= 1;
  }

  private void close() {
    depth--;
    written >>>= 1;
    written |= 1L; // the closed container was a value of its parent
  }

  /** A comma before every element but the first of its container. */
  private void separate() {
    if (depth > 0) {
      if ((written & 1L) != 0) {
        put((byte) ',');
      }
      written |= 1L;
    }
  }

  private void quoted(String s) {
    int n = s.length();
    ensure(n + 2);
    byte[] b = buf;
    int at = len;
    b[at++] = '"';
    int i = 0;
    // Names, URLs and ids are plain ASCII nearly always: straight into the buffer, room made once.
    for (; i < n; i++) {
      char c = s.charAt(i);
      if (c < 0x20 || c >= 0x80 || c == '"' || c == '\\') {
        break;
      }
      b[at++] = (byte) c;
    }
    len = at;
    for (; i < n; i++) {
      char c = s.charAt(i);
      if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\') {
        put((byte) c);
      } else if (c < 0x80) {
        escape(c);
      } else if (Character.isSurrogate(c)) {
        // As Jackson's byte writer does: outside the BMP (and a lone half of a pair, which is
        // not text) as \\u escapes of the UTF-16 units, which every JSON reader joins again.
        unicodeEscape(c);
      } else {
        utf8(c);
      }
    }
    put((byte) '"');
  }

  // Jackson's escapes: the short forms it has, \\u00XX (upper-case hex) for the other controls.
  private void escape(char c) {
    switch (c) {
      case '"' -> put2('\\', '"');
      case '\\' -> put2('\\', '\\');
      case '\n' -> put2('\\', 'n');
      case '\r' -> put2('\\', 'r');
      case '\t' -> put2('\\', 't');
      case '\b' -> put2('\\', 'b');
      case '\f' -> put2('\\', 'f');
      default -> unicodeEscape(c);
    }
  }

  private void unicodeEscape(char c) {
    put2('\\', 'u');
    put(HEX[c >> 12]);
    put(HEX[(c >> 8) & 0xF]);
    put(HEX[(c >> 4) & 0xF]);
    put(HEX[c & 0xF]);
  }

  private void utf8(int cp) {
    if (cp < 0x800) {
      put((byte) (0xC0 | (cp >> 6)));
      put((byte) (0x80 | (cp & 0x3F)));
    } else if (cp < 0x10000) {
      put((byte) (0xE0 | (cp >> 12)));
      put((byte) (0x80 | ((cp >> 6) & 0x3F)));
      put((byte) (0x80 | (cp & 0x3F)));
    } else {
      put((byte) (0xF0 | (cp >> 18)));
      put((byte) (0x80 | ((cp >> 12) & 0x3F)));
      put((byte) (0x80 | ((cp >> 6) & 0x3F)));
      put((byte) (0x80 | (cp & 0x3F)));
    }
  }

  private void ascii(String s) {
    int n = s.length();
    ensure(n);
    for (int i = 0; i < n; i++) {
      buf[len++] = (byte) s.charAt(i);
    }
  }

  private void put2(char a, char b) {
    ensure(2);
    buf[len++] = (byte) a;
    buf[len++] = (byte) b;
  }

  private void put(byte b) {
    ensure(1);
    buf[len++] = b;
  }

  private void put(byte[] bytes) {
    ensure(bytes.length);
    System.arraycopy(bytes, 0, buf, len, bytes.length);
    len += bytes.length;
  }

  private void ensure(int more) {
    if (len + more > buf.length) {
      buf = java.util.Arrays.copyOf(buf, Math.max(buf.length * 2, len + more));
    }
  }
}
