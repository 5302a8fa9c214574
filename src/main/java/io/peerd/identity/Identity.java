package io.peerd.identity;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * This peer's key pair and self-signed certificate, and the id they give it. Kept in one file,
 * {@code state_dir/identity.pem} (the private key, then the certificate), written once with mode
 * 0600 by temp file and rename, so a crash leaves the old identity or the new one, never half of
 * each. The key is never logged, and {@link #toString()} does not show it.
 *
 * <p>Everything here blocks (files, key generation): the verticle calls it on a worker.
 */
public final class Identity {

  /** The file in state_dir. */
  public static final String FILE = "identity.pem";

  /**
   * Where {@link #rotate} keeps the identity it replaced, for an operator who rotated by mistake.
   */
  public static final String PREVIOUS = "identity.pem.previous";

  private static final Set<PosixFilePermission> OWNER_ONLY =
      PosixFilePermissions.fromString("rw-------");

  private static final Pattern PEM =
      Pattern.compile("-----BEGIN ([A-Z ]+)-----\\s*([A-Za-z0-9+/=\\s]+?)-----END \\1-----");

  private final PrivateKey key;
  private final X509Certificate certificate;
  private final byte[] der;
  private final PeerId id;

  private Identity(PrivateKey key, X509Certificate certificate) {
    this.key = key;
    this.certificate = certificate;
    try {
      this.der = certificate.getEncoded();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot encode the certificate", e);
    }
    this.id = PeerId.of(der);
  }

  /** What went wrong with an identity file, in one line that names the file. */
  public static final class IdentityException extends RuntimeException {
    IdentityException(Path file, String problem, Throwable cause) {
      super(file + ": " + problem, cause);
    }
  }

  /** Reads {@code dir/identity.pem}, or makes a new identity there when there is none. */
  public static Identity loadOrCreate(Path dir) {
    Path file = dir.resolve(FILE);
    if (Files.exists(file)) {
      return load(file);
    }
    Identity fresh = generate();
    try {
      Files.createDirectories(dir);
      // Another process may have made it meanwhile: theirs wins, ours was never used.
      write(file, fresh, false);
      return fresh;
    } catch (FileAlreadyExistsException e) {
      return load(file);
    } catch (IOException e) {
      throw new IdentityException(file, "cannot write the identity: " + e.getMessage(), e);
    }
  }

  /**
   * Replaces the identity in {@code dir} with a new one (the old file is kept as {@link
   * #PREVIOUS}): friends that pinned the old id refuse this peer until they pin the new one.
   */
  public static Identity rotate(Path dir) {
    Path file = dir.resolve(FILE);
    Identity fresh = generate();
    try {
      Files.createDirectories(dir);
      if (Files.exists(file)) {
        Files.copy(file, dir.resolve(PREVIOUS), StandardCopyOption.REPLACE_EXISTING);
        Files.setPosixFilePermissions(dir.resolve(PREVIOUS), OWNER_ONLY);
      }
      write(file, fresh, true);
      return fresh;
    } catch (IOException e) {
      throw new IdentityException(file, "cannot write the identity: " + e.getMessage(), e);
    }
  }

  /** A new key pair and a certificate for it, signed by itself. */
  public static Identity generate() {
    try {
      KeyPair pair = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
      return new Identity(pair.getPrivate(), selfSigned(pair));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot make an Ed25519 identity: " + e.getMessage(), e);
    }
  }

  /**
   * The certificate carries nothing but the key: the id names the peer, not a subject or an issuer,
   * and nobody checks dates against a CA. It is valid for a century so that it never expires under
   * a running network (renewing it would change the id).
   */
  private static X509Certificate selfSigned(KeyPair pair) throws GeneralSecurityException {
    Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    byte[] serial = new byte[16];
    new SecureRandom().nextBytes(serial);
    return certificate(
        SelfSigned.certificate(
            pair,
            new BigInteger(1, serial),
            now.minus(1, ChronoUnit.DAYS),
            now.plus(36500, ChronoUnit.DAYS),
            "peerd"));
  }

  static X509Certificate certificate(byte[] der) throws GeneralSecurityException {
    return (X509Certificate)
        CertificateFactory.getInstance("X.509").generateCertificate(new ByteArrayInputStream(der));
  }

  /**
   * Reads an identity file; anything wrong with it (unreadable, not PEM, a key that does not match
   * the certificate) is an {@link IdentityException} naming the file. Never replaced silently: a
   * new key would be a new id, refused by every friend that pinned this one.
   */
  public static Identity load(Path file) {
    String text;
    try {
      text = Files.readString(file, StandardCharsets.US_ASCII);
    } catch (NoSuchFileException e) {
      throw new IdentityException(file, "no such file", e);
    } catch (AccessDeniedException e) {
      throw new IdentityException(file, "cannot read it (permission denied)", e);
    } catch (IOException e) {
      throw new IdentityException(file, "cannot read it: " + e.getMessage(), e);
    }
    byte[] keyDer = null;
    byte[] certDer = null;
    Matcher m = PEM.matcher(text);
    try {
      while (m.find()) {
        byte[] body = Base64.getMimeDecoder().decode(m.group(2));
        switch (m.group(1)) {
          case "PRIVATE KEY" -> keyDer = body;
          case "CERTIFICATE" -> certDer = body;
          default -> {}
        }
      }
    } catch (IllegalArgumentException e) {
      throw corrupt(file, "bad base64", e);
    }
    if (keyDer == null || certDer == null) {
      throw corrupt(file, "it must hold a PRIVATE KEY and a CERTIFICATE", null);
    }
    Identity identity;
    try {
      PrivateKey key =
          KeyFactory.getInstance("Ed25519").generatePrivate(new PKCS8EncodedKeySpec(keyDer));
      identity = new Identity(key, certificate(certDer));
    } catch (GeneralSecurityException | IllegalStateException e) {
      throw corrupt(file, "not an Ed25519 key and certificate (" + e.getMessage() + ")", e);
    }
    byte[] probe = "peerd identity check".getBytes(StandardCharsets.US_ASCII);
    if (!verify(identity.certificate.getPublicKey(), probe, identity.sign(probe))) {
      throw corrupt(file, "its key does not match its certificate", null);
    }
    tighten(file);
    return identity;
  }

  private static IdentityException corrupt(Path file, String why, Throwable cause) {
    return new IdentityException(
        file,
        "corrupt identity: "
            + why
            + "; restore it from a backup, or run `peer.jar id --rotate` for a new id that friends"
            + " must pin again",
        cause);
  }

  /**
   * A key readable by others is made owner-only again (a copy or a restore may have widened it).
   */
  private static void tighten(Path file) {
    try {
      if (!Files.getPosixFilePermissions(file).equals(OWNER_ONLY)) {
        Files.setPosixFilePermissions(file, OWNER_ONLY);
      }
    } catch (UnsupportedOperationException | IOException e) {
      // Not a POSIX file system: nothing to tighten.
    }
  }

  /** Temp file created 0600 (never readable by others, not even for an instant), then renamed. */
  private static void write(Path file, Identity identity, boolean replace) throws IOException {
    // A name of its own: two processes making an identity at once never share a temp file.
    Path tmp =
        Files.createTempFile(
            file.getParent(),
            file.getFileName() + ".",
            ".tmp",
            PosixFilePermissions.asFileAttribute(OWNER_ONLY));
    try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
      ch.write(java.nio.ByteBuffer.wrap(identity.pem().getBytes(StandardCharsets.US_ASCII)));
      ch.force(true);
    } catch (IOException e) {
      Files.deleteIfExists(tmp);
      throw e;
    }
    if (replace) {
      Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } else {
      // A hard link fails if the name exists: first writer wins, no overwrite race.
      try {
        Files.createLink(file, tmp);
      } finally {
        Files.deleteIfExists(tmp);
      }
    }
    try (FileChannel dir = FileChannel.open(file.getParent(), StandardOpenOption.READ)) {
      dir.force(true);
    } catch (IOException e) {
      // Some file systems cannot sync a directory; the rename is still atomic.
    }
  }

  private String pem() {
    return block("PRIVATE KEY", key.getEncoded()) + block("CERTIFICATE", der);
  }

  private static String block(String type, byte[] der) {
    return "-----BEGIN "
        + type
        + "-----\n"
        + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
        + "\n-----END "
        + type
        + "-----\n";
  }

  public PeerId id() {
    return id;
  }

  public X509Certificate certificate() {
    return certificate;
  }

  /** The certificate's DER bytes (a copy). */
  public byte[] certificateDer() {
    return der.clone();
  }

  PrivateKey privateKey() {
    return key;
  }

  /** An Ed25519 signature of {@code data} with this peer's key. */
  public byte[] sign(byte[] data) {
    try {
      Signature s = Signature.getInstance("Ed25519");
      s.initSign(key);
      s.update(data);
      return s.sign();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot sign", e);
    }
  }

  /** Whether {@code signature} is {@code key}'s Ed25519 signature of {@code data}. */
  public static boolean verify(PublicKey key, byte[] data, byte[] signature) {
    try {
      Signature s = Signature.getInstance("Ed25519");
      s.initVerify(key);
      s.update(data);
      return s.verify(signature);
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      return false;
    }
  }

  @Override
  public String toString() {
    return "Identity[" + id + "]";
  }
}
