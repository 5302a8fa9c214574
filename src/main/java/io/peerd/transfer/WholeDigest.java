package io.peerd.transfer;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * A swarm download's whole-file SHA-256, taken while the pieces arrive rather than by reading the
 * finished file again (two seconds a GiB here, at the end, when nothing else is left to do). Pieces
 * arrive out of order: the digest follows the frontier of verified pieces, hashing the frontier
 * piece from memory and the verified ones after it back from the part (the page cache). Its work
 * runs in order on a one-thread worker of its own; the frontier is the event loop's.
 */
final class WholeDigest implements AutoCloseable {

  /** Digest tasks waiting with a piece's bytes at most; past that, they read the part instead. */
  static final int MAX_HELD = 8;

  /** This digest's bound on them: of large pieces, fewer, so that they fit the heap's share. */
  private final int maxHeld;

  private final WorkerExecutor worker;
  private final Path part;
  private final long pieceSize;
  private final long size;
  private final MessageDigest sha;
  private final PieceBuffers buffers;

  /** The read-back buffer, made once: worker thread (its tasks run one at a time, in order). */
  private ByteBuffer readBuffer;

  /** The first piece not yet handed to the digest. Event loop. */
  private int next;

  private int held;

  /** The first failure of a digest step: the digest is then worthless. Worker thread. */
  private volatile Exception broken;

  /**
   * @param heldBytes piece bytes it may hold at most (up to {@link #MAX_HELD} pieces, at least one)
   */
  WholeDigest(
      Vertx vertx, Path part, int pieceSize, long size, PieceBuffers buffers, long heldBytes) {
    this.worker =
        vertx.createSharedWorkerExecutor("peer-digest-" + System.identityHashCode(this), 1);
    this.part = part;
    this.pieceSize = pieceSize;
    this.size = size;
    this.buffers = buffers;
    this.maxHeld = (int) Math.max(1, Math.min(MAX_HELD, heldBytes / pieceSize));
    try {
      this.sha = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Piece {@code piece} was verified and written (its bytes {@code data}); {@code have} is every
   * piece verified so far, those of an earlier run included. Event loop.
   *
   * @return whether it keeps {@code data}: then it gives it back to the buffers once hashed
   */
  boolean verified(int piece, byte[] data, java.util.BitSet have) {
    int verifiedTo = have.nextClearBit(next);
    if (verifiedTo <= next) {
      return false; // beyond the frontier: read back once the frontier reaches it
    }
    int from = next;
    next = verifiedTo;
    byte[] first = piece == from && held < maxHeld ? data : null;
    if (first != null) {
      held++;
    }
    worker
        .<Void>executeBlocking(
            () -> {
              if (broken != null) {
                return null;
              }
              try (FileChannel ch = FileChannel.open(part)) {
                int start = from;
                if (first != null) {
                  sha.update(first);
                  start++;
                }
                readBack(ch, start, verifiedTo);
              } catch (IOException e) {
                broken = e;
              }
              return null;
            },
            true)
        .onComplete(
            x -> {
              if (first != null) {
                held--;
                buffers.give(first);
              }
            });
    return first != null;
  }

  /** The hex digest once every piece up to {@code pieces} is in; reads what is still missing. */
  Future<String> finish(int pieces) {
    int from = next;
    next = pieces;
    return worker.executeBlocking(
        () -> {
          if (broken != null) {
            throw new IOException("cannot read " + part + " back: " + broken.getMessage());
          }
          try (FileChannel ch = FileChannel.open(part)) {
            readBack(ch, from, pieces);
          }
          return HexFormat.of().formatHex(sha.digest());
        },
        true);
  }

  private void readBack(FileChannel ch, int from, int to) throws IOException {
    if (from >= to) {
      return;
    }
    long at = from * pieceSize;
    long end = Math.min(size, to * pieceSize);
    if (readBuffer == null) {
      readBuffer = ByteBuffer.allocate((int) Math.min(1 << 20, Math.max(pieceSize, 1 << 16)));
    }
    ByteBuffer buf = readBuffer;
    while (at < end) {
      buf.clear().limit((int) Math.min(buf.capacity(), end - at));
      int n = ch.read(buf, at);
      if (n <= 0) {
        throw new IOException(part + " ends at " + at + ", before " + end);
      }
      buf.flip();
      sha.update(buf);
      at += n;
    }
  }

  @Override
  public void close() {
    worker.close();
  }
}
