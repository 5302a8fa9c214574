package io.peerd.identity;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Locale;

/**
 * A peer's id: the SHA-256 of its certificate, as Syncthing writes a device ID. The 32 bytes in
 * base32 (52 characters) are cut into four groups of 13, each followed by a Luhn mod 32 check
 * character, and shown as eight groups of seven: {@code MFZWI3D-BONSGYC-...}. A person can read it
 * aloud; a mistyped character or two swapped neighbours fail {@link #parse}.
 *
 * @param base32 the 52 base32 characters, upper case, no check characters
 */
public record PeerId(String base32) {

  static final String ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

  /** Eight groups of seven and seven dashes. */
  public static final int TEXT_LENGTH = 63;

  public PeerId {
    if (base32 == null || base32.length() != 52 || !isBase32(base32)) {
      throw new IllegalArgumentException("a peer id is 52 base32 characters");
    }
  }

  /** The id of a certificate, from its DER encoding. */
  public static PeerId of(byte[] certificateDer) {
    return new PeerId(base32(sha256(certificateDer)));
  }

  /** The id from its 32 bytes (a certificate's SHA-256), as a compact wire carries it. */
  public static PeerId ofBytes(byte[] sha256) {
    if (sha256.length != 32) {
      throw new IllegalArgumentException("a peer id is 32 bytes");
    }
    return new PeerId(base32(sha256));
  }

  /** Its 32 bytes: the inverse of {@link #ofBytes}. */
  public byte[] bytes() {
    byte[] out = new byte[32];
    int buffer = 0;
    int bits = 0;
    int n = 0;
    for (int i = 0; i < base32.length() && n < 32; i++) {
      buffer = (buffer << 5) | ALPHABET.indexOf(base32.charAt(i));
      bits += 5;
      if (bits >= 8) {
        out[n++] = (byte) (buffer >> (bits - 8));
        bits -= 8;
      }
    }
    return out;
  }

  /**
   * Reads an id as a person may type it: any case, with or without the dashes (or with spaces), and
   * with its check characters, which must be right.
   *
   * @throws IllegalArgumentException with a reason a person can act on
   */
  public static PeerId parse(String text) {
    if (text == null) {
      throw new IllegalArgumentException("no peer id");
    }
    if (text.length() > 2 * TEXT_LENGTH) {
      throw new IllegalArgumentException("a peer id is 56 characters in 8 groups");
    }
    String s = text.trim().toUpperCase(Locale.ROOT).replace("-", "").replace(" ", "");
    if (s.length() != 56 || !isBase32(s)) {
      throw new IllegalArgumentException(
          "a peer id is 56 characters A-Z and 2-7 in 8 groups of 7 (as `peer.jar id` prints it)");
    }
    StringBuilder plain = new StringBuilder(52);
    for (int g = 0; g < 4; g++) {
      String group = s.substring(g * 14, g * 14 + 13);
      if (s.charAt(g * 14 + 13) != luhn(group)) {
        throw new IllegalArgumentException(
            "peer id check character " + (g + 1) + " of 4 is wrong: a typo?");
      }
      plain.append(group);
    }
    return new PeerId(plain.toString());
  }

  /**
   * @return the id, or null when the text is not a valid one
   */
  public static PeerId tryParse(String text) {
    try {
      return parse(text);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  /** The grouped form with check characters: what people compare and configs pin. */
  @Override
  public String toString() {
    StringBuilder checked = new StringBuilder(56);
    for (int g = 0; g < 4; g++) {
      String group = base32.substring(g * 13, g * 13 + 13);
      checked.append(group).append(luhn(group));
    }
    StringBuilder out = new StringBuilder(TEXT_LENGTH);
    for (int i = 0; i < 56; i += 7) {
      if (i > 0) {
        out.append('-');
      }
      out.append(checked, i, i + 7);
    }
    return out.toString();
  }

  /** The first group, enough to tell peers apart in a log line or a table. */
  public String shortForm() {
    return toString().substring(0, 7);
  }

  /** Luhn mod N over base32 code points, as Syncthing computes it (factor 1 first). */
  static char luhn(String group) {
    int factor = 1;
    int sum = 0;
    for (int i = 0; i < group.length(); i++) {
      int addend = factor * ALPHABET.indexOf(group.charAt(i));
      factor = factor == 2 ? 1 : 2;
      sum += addend / 32 + addend % 32;
    }
    return ALPHABET.charAt((32 - sum % 32) % 32);
  }

  private static boolean isBase32(String s) {
    for (int i = 0; i < s.length(); i++) {
      if (ALPHABET.indexOf(s.charAt(i)) < 0) {
        return false;
      }
    }
    return true;
  }

  static String base32(byte[] bytes) {
    StringBuilder out = new StringBuilder((bytes.length * 8 + 4) / 5);
    int buffer = 0;
    int bits = 0;
    for (byte b : bytes) {
      buffer = (buffer << 8) | (b & 0xff);
      bits += 8;
      while (bits >= 5) {
        out.append(ALPHABET.charAt((buffer >> (bits - 5)) & 31));
        bits -= 5;
      }
    }
    if (bits > 0) {
      out.append(ALPHABET.charAt((buffer << (5 - bits)) & 31));
    }
    return out.toString();
  }

  static byte[] sha256(byte[] data) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(data);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK has no SHA-256", e);
    }
  }
}
