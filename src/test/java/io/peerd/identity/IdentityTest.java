package io.peerd.identity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@Tag("unit")
class IdentityTest {

  @TempDir Path dir;

  @Test
  void madeOnceWithModeSixHundredThenReused() throws Exception {
    Identity first = Identity.loadOrCreate(dir);
    Path file = dir.resolve(Identity.FILE);
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
    String text = Files.readString(file);
    assertTrue(text.contains("BEGIN PRIVATE KEY") && text.contains("BEGIN CERTIFICATE"));
    try (var left = Files.list(dir)) {
      assertEquals(List.of(Identity.FILE), left.map(f -> f.getFileName().toString()).toList());
    }
    Identity again = Identity.loadOrCreate(dir);
    assertEquals(first.id(), again.id());
    assertEquals(
        "Ed25519", first.certificate().getPublicKey().getAlgorithm().replace("EdDSA", "Ed25519"));
    assertEquals(first.id(), PeerId.of(first.certificate().getEncoded()));
    // The key never shows in what a log line would print.
    assertFalse(first.toString().contains("PRIVATE"));
    assertTrue(first.toString().contains(first.id().toString()));
  }

  @Test
  void aWidenedModeIsTightenedOnLoad() throws Exception {
    Identity.loadOrCreate(dir);
    Path file = dir.resolve(Identity.FILE);
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
    Identity.loadOrCreate(dir);
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
  }

  @Test
  void aCorruptFileIsOneLineNamingIt() throws Exception {
    Path file = dir.resolve(Identity.FILE);
    Files.writeString(file, "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n");
    Identity.IdentityException e =
        assertThrows(Identity.IdentityException.class, () -> Identity.loadOrCreate(dir));
    assertTrue(e.getMessage().startsWith(file.toString() + ": corrupt identity"), e.getMessage());
    assertFalse(e.getMessage().contains("\n"));
    // Nothing was replaced: the operator decides.
    assertTrue(Files.readString(file).contains("AAAA"));

    Files.writeString(file, "garbage", StandardCharsets.US_ASCII);
    assertThrows(Identity.IdentityException.class, () -> Identity.loadOrCreate(dir));
  }

  @Test
  void aKeyFromAnotherIdentityIsRefused() throws Exception {
    Path a = Files.createDirectories(dir.resolve("a"));
    Path b = Files.createDirectories(dir.resolve("b"));
    Identity.loadOrCreate(a);
    Identity.loadOrCreate(b);
    String keyOfA = Files.readString(a.resolve(Identity.FILE)).split("-----BEGIN CERTIFICATE")[0];
    String certOfB =
        "-----BEGIN CERTIFICATE"
            + Files.readString(b.resolve(Identity.FILE)).split("-----BEGIN CERTIFICATE")[1];
    Files.writeString(a.resolve(Identity.FILE), keyOfA + certOfB);
    Identity.IdentityException e =
        assertThrows(Identity.IdentityException.class, () -> Identity.loadOrCreate(a));
    assertTrue(e.getMessage().contains("does not match its certificate"), e.getMessage());
  }

  @Test
  void rotationMakesANewIdAndKeepsTheOldFile() throws Exception {
    Identity old = Identity.loadOrCreate(dir);
    Identity fresh = Identity.rotate(dir);
    assertNotEquals(old.id(), fresh.id());
    assertEquals(fresh.id(), Identity.loadOrCreate(dir).id());
    assertEquals(old.id(), Identity.load(dir.resolve(Identity.PREVIOUS)).id());
    assertEquals(
        "rw-------",
        PosixFilePermissions.toString(
            Files.getPosixFilePermissions(dir.resolve(Identity.PREVIOUS))));
  }

  @Test
  void signaturesVerifyOnlyForTheSignedBytes() {
    Identity id = Identity.generate();
    byte[] data = "hello".getBytes(StandardCharsets.UTF_8);
    byte[] sig = id.sign(data);
    assertTrue(Identity.verify(id.certificate().getPublicKey(), data, sig));
    assertFalse(
        Identity.verify(
            id.certificate().getPublicKey(), "hellp".getBytes(StandardCharsets.UTF_8), sig));
    assertFalse(Identity.verify(Identity.generate().certificate().getPublicKey(), data, sig));
  }

  /**
   * The certificate is encoded by peerd (SelfSigned), so its fields are checked one by one as the
   * JDK parses them: a v3 certificate signed by its own key, subject and issuer {@code CN=peerd},
   * dates on both sides of 2050 (UTCTime, then GeneralizedTime).
   */
  @Test
  void theCertificateIsAValidSelfSignedV3Certificate() throws Exception {
    Identity id = Identity.generate();
    java.security.cert.X509Certificate cert = id.certificate();
    assertEquals(3, cert.getVersion());
    cert.checkValidity();
    cert.verify(cert.getPublicKey()); // self-signed: its own key verifies it
    assertEquals("CN=peerd", cert.getSubjectX500Principal().getName());
    assertEquals(cert.getSubjectX500Principal(), cert.getIssuerX500Principal());
    assertTrue(List.of("Ed25519", "EdDSA").contains(cert.getSigAlgName()), cert.getSigAlgName());
    assertEquals("1.3.101.112", cert.getSigAlgOID());
    assertTrue(cert.getSerialNumber().signum() > 0);
    assertTrue(cert.getNotBefore().toInstant().isBefore(java.time.Instant.now()));
    assertTrue(
        cert.getNotAfter().toInstant().atZone(java.time.ZoneOffset.UTC).getYear() >= 2120,
        "valid for a century: " + cert.getNotAfter());
    // Two identities never share a serial number or a key.
    Identity other = Identity.generate();
    assertNotEquals(cert.getSerialNumber(), other.certificate().getSerialNumber());
    assertNotEquals(id.id(), other.id());
  }

  @Test
  void longValuesGetLongFormLengths() {
    assertEquals(List.of(0x04, 0x01, 0x07), bytes(SelfSigned.tlv(0x04, new byte[] {7})));
    byte[] big = SelfSigned.tlv(0x04, new byte[300]);
    assertEquals(List.of(0x04, 0x82, 0x01, 0x2c), bytes(java.util.Arrays.copyOf(big, 4)));
    assertEquals(304, big.length);
    assertEquals(
        List.of(0x04, 0x81, 0x80),
        bytes(java.util.Arrays.copyOf(SelfSigned.tlv(0x04, new byte[128]), 3)));
  }

  /**
   * An identity file written by an earlier peerd (its certificate built by BouncyCastle 1.83) loads
   * with the same id: an upgrade never changes who a peer is.
   */
  @Test
  void anIdentityMadeByAnEarlierVersionKeepsItsId() throws Exception {
    try (var in =
        IdentityTest.class.getResourceAsStream("/identity/made-by-bouncycastle-1.83.pem")) {
      Files.write(dir.resolve(Identity.FILE), in.readAllBytes());
    }
    Files.setPosixFilePermissions(
        dir.resolve(Identity.FILE), PosixFilePermissions.fromString("rw-------"));
    Identity old = Identity.loadOrCreate(dir);
    assertEquals(
        PeerId.parse("LLNHCWT-4OBGLTK-FBUJI6D-6C5TK3P-EV2N6OG-HGQZ5MI-XRLN5KG-HZVA3AB"), old.id());
    byte[] data = "still the same key".getBytes(StandardCharsets.UTF_8);
    assertTrue(Identity.verify(old.certificate().getPublicKey(), data, old.sign(data)));
  }

  private static List<Integer> bytes(byte[] b) {
    List<Integer> out = new java.util.ArrayList<>();
    for (byte x : b) {
      out.add(x & 0xff);
    }
    return out;
  }
}
