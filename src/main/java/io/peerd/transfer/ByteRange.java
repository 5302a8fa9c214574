package io.peerd.transfer;

/**
 * One byte range of a file, from an HTTP {@code Range} header (RFC 9110, single ranges only).
 *
 * @param start first byte, inclusive
 * @param length bytes to send
 */
public record ByteRange(long start, long length) {

  /** The header asked for bytes the file does not have: answer 416. */
  public static final ByteRange UNSATISFIABLE = new ByteRange(-1, -1);

  public long end() {
    return start + length - 1;
  }

  /**
   * @return the range to send; null when the header is absent, malformed or asks for several ranges
   *     (RFC 9110 lets a server ignore those and send the whole file); {@link #UNSATISFIABLE}
   */
  public static ByteRange parse(String header, long size) {
    if (header == null) {
      return null;
    }
    String h = header.trim();
    if (!h.regionMatches(true, 0, "bytes=", 0, 6) || h.indexOf(',') >= 0) {
      return null;
    }
    String spec = h.substring(6).trim();
    int dash = spec.indexOf('-');
    if (dash < 0) {
      return null;
    }
    try {
      String a = spec.substring(0, dash).trim();
      String b = spec.substring(dash + 1).trim();
      if (a.isEmpty()) {
        // Suffix: the last N bytes.
        long n = Long.parseLong(b);
        if (n <= 0 || size == 0) {
          return UNSATISFIABLE;
        }
        long len = Math.min(n, size);
        return new ByteRange(size - len, len);
      }
      long start = Long.parseLong(a);
      if (start < 0) {
        return null;
      }
      if (start >= size) {
        return UNSATISFIABLE;
      }
      long end = b.isEmpty() ? size - 1 : Math.min(Long.parseLong(b), size - 1);
      if (end < start) {
        return null;
      }
      return new ByteRange(start, end - start + 1);
    } catch (NumberFormatException e) {
      return null;
    }
  }
}
