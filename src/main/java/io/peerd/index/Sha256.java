package io.peerd.index;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** SHA-256 of a file, lowercase hex. Blocking: call it on a worker, never on an event loop. */
public final class Sha256 {

  private Sha256() {}

  public static MessageDigest digest() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JVM has no SHA-256", e);
    }
  }

  /** A file's SHA-256 and Merkle tree, from one read of it. */
  public record Both(String sha256, Merkle.Tree tree) {}

  /**
   * Both hashes of a file from a single read: the index's cost of a root is the leaves' hashing,
   * not a second pass over the disk.
   *
   * @param pieceSize the layer of the tree to keep ({@link Merkle.Builder})
   */
  public static Both withTree(Path file, int pieceSize) throws IOException {
    MessageDigest md = digest();
    Merkle.Builder tree = new Merkle.Builder(pieceSize);
    ByteBuffer buf = ByteBuffer.allocateDirect(1 << 20);
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      while (ch.read(buf) >= 0) {
        buf.flip();
        md.update(buf.duplicate());
        tree.update(buf);
        buf.clear();
      }
    }
    return new Both(HexFormat.of().formatHex(md.digest()), tree.finish());
  }

  public static String of(Path file) throws IOException {
    MessageDigest md = digest();
    ByteBuffer buf = ByteBuffer.allocateDirect(1 << 20);
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      while (ch.read(buf) >= 0) {
        buf.flip();
        md.update(buf);
        buf.clear();
      }
    }
    return HexFormat.of().formatHex(md.digest());
  }
}
