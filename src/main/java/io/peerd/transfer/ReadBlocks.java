package io.peerd.transfer;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;

/**
 * A few direct buffers that file reads for the network go into, reused: the kernel reads the file
 * straight into memory the socket can send from, with no copy through a temporary direct buffer
 * (what the JDK does for a heap read), no fresh zeroed array per read and no garbage. At most
 * {@link #MAX_BLOCKS} exist; when every one is in use a read takes a heap buffer instead, slower
 * but bounded like the rest.
 *
 * <p>A block comes back only once every write of its bytes has completed (the socket has them). A
 * block one of whose writes failed is never reused: the network layer may still hold a part of it
 * queued, so it is left to the garbage collector, and the pool may make a new one in its place.
 */
public final class ReadBlocks {

  /** A block's size: the largest read a streamer makes ({@link FileStreamer#READ_SIZE}). */
  public static final int BLOCK = 1 << 20;

  /** 8 MiB of direct memory at most, for every transfer of the peer together. */
  static final int MAX_BLOCKS = 8;

  /** One pool per JVM: the limit is on the process's direct memory. */
  static final ReadBlocks SHARED = new ReadBlocks(MAX_BLOCKS);

  private final int max;
  private final ArrayDeque<ByteBuffer> free = new ArrayDeque<>();
  private int made;

  ReadBlocks(int max) {
    this.max = max;
  }

  /**
   * @return a cleared direct block, or null when all are in use (read into the heap then)
   */
  synchronized ByteBuffer take() {
    ByteBuffer b = free.poll();
    if (b != null) {
      return b.clear();
    }
    if (made < max) {
      made++;
      return ByteBuffer.allocateDirect(BLOCK);
    }
    return null;
  }

  /** Every write of the block's bytes has completed: it can be read into again. */
  synchronized void giveBack(ByteBuffer block) {
    free.push(block);
  }

  /** The block may still be referenced by a failed write: it is not reused, and not counted. */
  synchronized void abandon(ByteBuffer block) {
    made--;
  }
}
