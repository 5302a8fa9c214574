package io.peerd.routing;

import java.util.Base64;
import java.util.Locale;

/**
 * A Bloom filter of the character trigrams of a peer's file names, lower-cased: what a neighbour
 * needs to know to skip a peer that cannot match, in a fixed number of bits however many files the
 * peer shares.
 *
 * <p>Why trigrams and not words: search matches any substring of a name ("ell" finds "hello.txt").
 * Every trigram of a query that is a substring of a name is a trigram of that name, so {@link
 * #mayMatch} can say "maybe" wrongly but never "no" wrongly. Queries shorter than three characters
 * cannot be judged and always may match. A fuller filter only gives more false positives, never a
 * missed file.
 */
public final class NameSummary {

  /** Bits of the filter a peer publishes unless configured otherwise (8 KiB). */
  public static final int DEFAULT_BITS = 1 << 16;

  public static final int MIN_BITS = 64;
  public static final int MAX_BITS = 1 << 23;
  static final int HASHES = 3;

  private final long[] words;
  private final int mask;
  private int tokens;

  /**
   * @param bits a power of two between {@link #MIN_BITS} and {@link #MAX_BITS}
   */
  public NameSummary(int bits) {
    checkBits(bits);
    this.words = new long[bits / 64];
    this.mask = bits - 1;
  }

  private NameSummary(long[] words, int tokens) {
    this.words = words;
    this.mask = words.length * 64 - 1;
    this.tokens = tokens;
  }

  public static NameSummary of(Iterable<String> names, int bits) {
    NameSummary s = new NameSummary(bits);
    for (String name : names) {
      s.add(name);
    }
    return s;
  }

  public void add(String name) {
    String n = name.toLowerCase(Locale.ROOT);
    for (int i = 0; i + 3 <= n.length(); i++) {
      long h = trigram(n, i);
      int h1 = (int) h;
      int h2 = (int) (h >>> 32) | 1;
      for (int k = 0; k < HASHES; k++) {
        int bit = (h1 + k * h2) & mask;
        words[bit >>> 6] |= 1L << bit;
      }
      tokens++;
    }
  }

  /** False only when no name added can contain {@code query} (case-insensitive substring). */
  public boolean mayMatch(String query) {
    String q = query.toLowerCase(Locale.ROOT);
    for (int i = 0; i + 3 <= q.length(); i++) {
      long h = trigram(q, i);
      int h1 = (int) h;
      int h2 = (int) (h >>> 32) | 1;
      for (int k = 0; k < HASHES; k++) {
        int bit = (h1 + k * h2) & mask;
        if ((words[bit >>> 6] & (1L << bit)) == 0) {
          return false;
        }
      }
    }
    return true;
  }

  public int bits() {
    return mask + 1;
  }

  /** Trigrams added, repeats included: a hint of how full the filter is. */
  public int tokens() {
    return tokens;
  }

  /** Share of bits set; false positives grow roughly as fill^3. */
  public double fill() {
    long set = 0;
    for (long w : words) {
      set += Long.bitCount(w);
    }
    return (double) set / bits();
  }

  /** The filter's bits, little-endian words, base64: what {@code GET /summary} carries. */
  public String encode() {
    byte[] out = new byte[words.length * 8];
    for (int i = 0; i < words.length; i++) {
      long w = words[i];
      for (int b = 0; b < 8; b++) {
        out[i * 8 + b] = (byte) (w >>> (8 * b));
      }
    }
    return Base64.getEncoder().encodeToString(out);
  }

  /**
   * @throws IllegalArgumentException when the text is not a filter of the given size
   */
  public static NameSummary decode(String base64, int bits, int tokens) {
    checkBits(bits);
    byte[] raw = Base64.getDecoder().decode(base64);
    if (raw.length != bits / 8) {
      throw new IllegalArgumentException(
          "summary is " + raw.length + " bytes, expected " + bits / 8);
    }
    long[] words = new long[bits / 64];
    for (int i = 0; i < words.length; i++) {
      long w = 0;
      for (int b = 7; b >= 0; b--) {
        w = (w << 8) | (raw[i * 8 + b] & 0xFF);
      }
      words[i] = w;
    }
    return new NameSummary(words, Math.max(0, tokens));
  }

  private static void checkBits(int bits) {
    if (bits < MIN_BITS || bits > MAX_BITS || Integer.bitCount(bits) != 1) {
      throw new IllegalArgumentException(
          "summary bits must be a power of two in ["
              + MIN_BITS
              + ", "
              + MAX_BITS
              + "], got "
              + bits);
    }
  }

  /** A well-mixed 64-bit hash of three chars (murmur3's finaliser over the packed chars). */
  private static long trigram(String s, int i) {
    long x = ((long) s.charAt(i) << 32) | ((long) s.charAt(i + 1) << 16) | s.charAt(i + 2);
    x ^= x >>> 33;
    x *= 0xff51afd7ed558ccdL;
    x ^= x >>> 33;
    x *= 0xc4ceb9fe1a85ec53L;
    x ^= x >>> 33;
    return x;
  }
}
