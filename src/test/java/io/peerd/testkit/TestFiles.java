package io.peerd.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Random;

/** Real files with known content for tests: random bytes from a seed, and their SHA-256. */
public final class TestFiles {

  /** A file written by {@link #random}: where it is, what it holds, what it hashes to. */
  public record Written(Path path, byte[] bytes, String sha256) {
    public long size() {
      return bytes.length;
    }
  }

  private TestFiles() {}

  /** {@code size} random bytes from {@code seed} at {@code dir/name} (folders created). */
  public static Written random(Path dir, String name, int size, long seed) {
    byte[] bytes = new byte[size];
    new Random(seed).nextBytes(bytes);
    Path p = dir.resolve(name);
    try {
      Files.createDirectories(p.getParent());
      Files.write(p, bytes);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return new Written(p, bytes, sha256(bytes));
  }

  public static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  public static String sha256(Path file) {
    try {
      return sha256(Files.readAllBytes(file));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
