package io.peerd.index;

import io.netty.util.internal.PlatformDependent;
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
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      ByteBuffer buf = readBuffer(ch.size());
      try {
        while (ch.read(buf) >= 0) {
          buf.flip();
          md.update(buf.duplicate());
          tree.update(buf);
          buf.clear();
        }
      } finally {
        PlatformDependent.freeDirectBuffer(buf);
      }
    }
    return new Both(HexFormat.of().formatHex(md.digest()), tree.finish());
  }

  public static String of(Path file) throws IOException {
    MessageDigest md = digest();
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      ByteBuffer buf = readBuffer(ch.size());
      try {
        while (ch.read(buf) >= 0) {
          buf.flip();
          md.update(buf);
          buf.clear();
        }
      } finally {
        PlatformDependent.freeDirectBuffer(buf);
      }
    }
    return HexFormat.of().formatHex(md.digest());
  }

  /** The largest read of a hashing. */
  static final int MAX_READ = 1 << 20;

  /**
   * A direct buffer for one file's reads (the kernel reads into it, no copy through the JDK's
   * temporary buffer): the file's size rounded up to a page, at most {@link #MAX_READ}, and freed
   * by the caller as soon as the file is read. A 1 MiB buffer per file left to the collector held
   * 20 MiB of zeroed native memory after the first index of 20 small files, until the next GC
   * (docs/performance.md, issue 20's memory section).
   */
  static ByteBuffer readBuffer(long fileSize) {
    long pages = Math.max(1, (fileSize + 4095) / 4096);
    return ByteBuffer.allocateDirect((int) Math.min(MAX_READ, pages * 4096));
  }
}
