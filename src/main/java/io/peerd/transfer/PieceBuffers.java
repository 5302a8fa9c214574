package io.peerd.transfer;

import java.util.ArrayDeque;

/**
 * A download's piece arrays, reused (libtorrent's disk buffer pool): a piece is gathered in one,
 * checked, written and hashed into the whole digest from it, then its array takes the next piece.
 *
 * <p>Why: a piece lives from its request to its write, a few hundred milliseconds at loopback
 * speed, which is several young collections, so a fresh array per piece was copied to the old
 * generation and died there. JFR of a daemon at -Xmx64m fetching 1 GiB four times from three
 * sources, with piece bytes in flight bounded by the heap ({@link Swarm.Options#defaults(long)}):
 * 132 full collections and rounds of 17.8/11.6/10.5/6.4 s with an array a piece; 3 full collections
 * and 17.4/7.9/6.7/4.2 s with arrays reused, which are promoted once.
 *
 * <p>Only full-size pieces are kept (a file's last piece is shorter), and at most {@code keep} free
 * ones: a piece whose holders are unclear (a request cut mid-piece, a failed write) is simply not
 * given back. An array is given back only when nothing else reads it, or its next piece would be
 * written over bytes still being hashed or written.
 */
final class PieceBuffers {

  private final int pieceSize;
  private final int keep;
  private final ArrayDeque<byte[]> free = new ArrayDeque<>();
  private long made;
  private long reused;

  /**
   * @param keep free arrays kept at most
   */
  PieceBuffers(int pieceSize, int keep) {
    this.pieceSize = pieceSize;
    this.keep = Math.max(0, keep);
  }

  /** An array of exactly {@code length} bytes, its contents whatever they were. */
  synchronized byte[] take(int length) {
    if (length == pieceSize) {
      byte[] b = free.pollLast();
      if (b != null) {
        reused++;
        return b;
      }
    }
    made++;
    return new byte[length];
  }

  /** {@code b} is read by nobody any more. */
  synchronized void give(byte[] b) {
    if (b != null && b.length == pieceSize && free.size() < keep) {
      free.addLast(b);
    }
  }

  synchronized long made() {
    return made;
  }

  synchronized long reused() {
    return reused;
  }
}
