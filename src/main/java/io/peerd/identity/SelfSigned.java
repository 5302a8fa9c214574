package io.peerd.identity;

import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.Signature;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * The DER of a self-signed X.509 v3 certificate for an Ed25519 key (RFC 5280, RFC 8410), encoded
 * here rather than by a library. The JDK signs and parses certificates but has no public builder;
 * the one library that has (BouncyCastle) cost 8 MB of jar, and Netty instantiates its JCE provider
 * on the first TLS handshake once it is on the class path: over a second of a cold peer's first
 * secure call. A certificate that only carries a key is a few fixed fields.
 */
final class SelfSigned {

  /** id-Ed25519 (RFC 8410): the signature algorithm and, in the key's own encoding, its type. */
  private static final byte[] ED25519 = {0x06, 0x03, 0x2b, 0x65, 0x70};

  /** id-at-commonName. */
  private static final byte[] COMMON_NAME = {0x06, 0x03, 0x55, 0x04, 0x03};

  private static final DateTimeFormatter UTC_TIME =
      DateTimeFormatter.ofPattern("yyMMddHHmmss'Z'").withZone(ZoneOffset.UTC);
  private static final DateTimeFormatter GENERALIZED_TIME =
      DateTimeFormatter.ofPattern("yyyyMMddHHmmss'Z'").withZone(ZoneOffset.UTC);

  private SelfSigned() {}

  /**
   * @param serial a positive serial number (at most 20 bytes, RFC 5280 4.1.2.2)
   * @param commonName the subject and issuer, {@code CN=commonName}
   */
  static byte[] certificate(
      KeyPair pair, BigInteger serial, Instant notBefore, Instant notAfter, String commonName)
      throws GeneralSecurityException {
    byte[] algorithm = sequence(ED25519);
    byte[] name =
        sequence(
            tlv(
                0x31, // SET
                sequence(COMMON_NAME, tlv(0x0c, commonName.getBytes(StandardCharsets.UTF_8)))));
    byte[] tbs =
        sequence(
            tlv(0xa0, tlv(0x02, new byte[] {2})), // [0] EXPLICIT version v3
            tlv(0x02, serial.toByteArray()),
            algorithm,
            name,
            sequence(time(notBefore), time(notAfter)),
            name,
            pair.getPublic().getEncoded()); // already a SubjectPublicKeyInfo
    Signature signer = Signature.getInstance("Ed25519");
    signer.initSign(pair.getPrivate());
    signer.update(tbs);
    return sequence(tbs, algorithm, bitString(signer.sign()));
  }

  /** UTCTime through 2049, GeneralizedTime from 2050 on (RFC 5280 4.1.2.5). */
  private static byte[] time(Instant t) {
    int year = t.atZone(ZoneOffset.UTC).getYear();
    return year < 2050
        ? tlv(0x17, UTC_TIME.format(t).getBytes(StandardCharsets.US_ASCII))
        : tlv(0x18, GENERALIZED_TIME.format(t).getBytes(StandardCharsets.US_ASCII));
  }

  private static byte[] bitString(byte[] bits) {
    byte[] body = new byte[bits.length + 1]; // a leading 0: no unused bits
    System.arraycopy(bits, 0, body, 1, bits.length);
    return tlv(0x03, body);
  }

  private static byte[] sequence(byte[]... parts) {
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      body.writeBytes(p);
    }
    return tlv(0x30, body.toByteArray());
  }

  /** Tag, definite length (short form under 128, else long form), value. */
  static byte[] tlv(int tag, byte[] value) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(value.length + 6);
    out.write(tag);
    int n = value.length;
    if (n < 0x80) {
      out.write(n);
    } else {
      int bytes = (32 - Integer.numberOfLeadingZeros(n) + 7) / 8;
      out.write(0x80 | bytes);
      for (int i = bytes - 1; i >= 0; i--) {
        out.write(n >>> (8 * i));
      }
    }
    out.writeBytes(value);
    return out.toByteArray();
  }
}
