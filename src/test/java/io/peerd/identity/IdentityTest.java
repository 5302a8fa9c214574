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
}
