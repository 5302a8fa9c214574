package io.peerd.identity;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.List;

/**
 * A peer's signed word on where it can be reached: the URLs at which id {@code id} answers, as of
 * {@code seq}. Anybody may pass a record on (peer exchange does); nobody but the key's owner can
 * make one, so a URL heard this way is an address of an id, not an identity. The certificate rides
 * along, since the id is its hash and the signature is checked with its key.
 *
 * @param urls the peer's REST URL first, then its secure URL when it has one
 * @param seq larger is newer: the signer's clock in ms when it signed
 * @param certificate the signer's certificate, DER in base64
 * @param signature Ed25519 over {@link #signedBytes}, base64
 */
public record PeerRecord(
    PeerId id, List<String> urls, long seq, String certificate, String signature) {

  /** A record is small: two URLs and a certificate of about 300 bytes. */
  public static final int MAX_URLS = 4;

  public static final int MAX_URL_LENGTH = 512;
  public static final int MAX_CERTIFICATE_CHARS = 4096;

  public PeerRecord {
    urls = List.copyOf(urls);
  }

  /** This peer's record, signed now. */
  public static PeerRecord sign(Identity self, List<String> urls, long seq) {
    String cert = Base64.getEncoder().encodeToString(self.certificateDer());
    byte[] sig = self.sign(signedBytes(self.id(), urls, seq));
    return new PeerRecord(self.id(), urls, seq, cert, Base64.getEncoder().encodeToString(sig));
  }

  /**
   * Why this record cannot be believed, or null when it can: the certificate must hash to the id
   * and its key must have signed exactly these fields.
   */
  public String problem() {
    if (urls.isEmpty() || urls.size() > MAX_URLS) {
      return "between 1 and " + MAX_URLS + " URLs";
    }
    for (String url : urls) {
      if (url == null || url.length() > MAX_URL_LENGTH || url.chars().anyMatch(c -> c < 0x21)) {
        return "a URL is empty, too long, or has spaces or control characters";
      }
    }
    if (certificate == null
        || signature == null
        || certificate.length() > MAX_CERTIFICATE_CHARS
        || signature.length() > 256) {
      return "no certificate or signature";
    }
    byte[] der;
    byte[] sig;
    try {
      der = Base64.getDecoder().decode(certificate);
      sig = Base64.getDecoder().decode(signature);
    } catch (IllegalArgumentException e) {
      return "bad base64";
    }
    if (!PeerId.of(der).equals(id)) {
      return "the certificate is not the id's";
    }
    X509Certificate cert;
    try {
      cert = Identity.certificate(der);
    } catch (GeneralSecurityException e) {
      return "not a certificate";
    }
    return Identity.verify(cert.getPublicKey(), signedBytes(id, urls, seq), sig)
        ? null
        : "bad signature";
  }

  /** The REST URL (the first). */
  public String restUrl() {
    return urls.get(0);
  }

  /** The secure URL, or null when the peer has none. */
  public String secureUrl() {
    return urls.size() > 1 ? urls.get(1) : null;
  }

  /** One line per field, prefixed by a version: no two different records sign the same bytes. */
  static byte[] signedBytes(PeerId id, List<String> urls, long seq) {
    StringBuilder s = new StringBuilder("peerd-record-1\n").append(id).append('\n').append(seq);
    for (String url : urls) {
      s.append('\n').append(url);
    }
    return s.toString().getBytes(StandardCharsets.UTF_8);
  }
}
