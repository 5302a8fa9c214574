package io.peerd.index;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;

/**
 * A file's Merkle tree exactly as BitTorrent v2 (BEP 52) builds its per-file {@code pieces root}:
 * the leaves are the SHA-256 of each 16 KiB block (the last one possibly short), the tree is
 * binary, and leaves missing beyond the end of the file, up to the next power of two, are 32 zero
 * bytes. An empty file has no root. Pure: no I/O, no clock.
 *
 * <p>A piece layer is the tree's layer whose hashes each cover {@code pieceSize} bytes (a power of
 * two from 16 KiB). The root follows from the layer alone, so a downloader that has a root from a
 * trusted link checks a layer a source sends ({@link #rootOf}) and then every piece against it
 * ({@link #pieceHash}) before it writes a byte. When one piece covers the whole file, the layer is
 * that one hash, the root.
 */
public final class Merkle {

  public static final int BLOCK = 16 * 1024;
  static final int HASH = 32;

  /** Pieces a default layer has at most; beyond it, larger pieces. */
  static final int MAX_DEFAULT_PIECES = 4096;

  /** The largest default piece: a piece is the unit a source is asked for and blamed for. */
  public static final int MAX_DEFAULT_PIECE_SIZE = 16 << 20;

  private Merkle() {}

  /**
   * A file's tree, gathered as its bytes are read once (the index reads its full SHA-256 in the
   * same pass). Leaves are folded into piece hashes as they come, so memory is one hash per piece,
   * not per block: a terabyte at 16 MiB pieces is 2 MiB, where its leaves would be 2 GiB.
   */
  public static final class Builder {
    private final MessageDigest digest = Sha256.digest();
    private final ByteBuffer block = ByteBuffer.allocate(BLOCK);
    private final int pieceSize;
    private final int perPiece;
    private final List<byte[]> group = new ArrayList<>();
    private byte[] pieces = new byte[HASH * 64];
    private int count;
    private long size;

    /** Keeps the layer at 16 KiB: every leaf. */
    public Builder() {
      this(BLOCK);
    }

    /**
     * @param pieceSize the layer kept; a narrower one needs the file again
     */
    public Builder(int pieceSize) {
      checkPieceSize(pieceSize);
      this.pieceSize = pieceSize;
      this.perPiece = pieceSize / BLOCK;
    }

    /** The next bytes of the file, in order; {@code bytes} is read to its limit. */
    public void update(ByteBuffer bytes) {
      size += bytes.remaining();
      while (bytes.hasRemaining()) {
        int n = Math.min(block.remaining(), bytes.remaining());
        ByteBuffer slice = bytes.slice();
        slice.limit(n);
        block.put(slice);
        bytes.position(bytes.position() + n);
        if (!block.hasRemaining()) {
          leaf();
        }
      }
    }

    private void leaf() {
      block.flip();
      digest.update(block);
      block.clear();
      group.add(digest.digest());
      if (group.size() == perPiece) {
        piece();
      }
    }

    /** The group of leaves so far as one piece hash, its missing leaves zero. */
    private void piece() {
      if ((count + 1) * HASH > pieces.length) {
        pieces = Arrays.copyOf(pieces, pieces.length * 2);
      }
      System.arraycopy(up(group, 0, perPiece), 0, pieces, count * HASH, HASH);
      count++;
      group.clear();
    }

    public Tree finish() {
      if (block.position() > 0) {
        leaf();
      }
      if (count == 0 && !group.isEmpty()) {
        // Less than one piece in all: the file's tree is its own leaves', not a padded piece's.
        return new Tree(new Layer(pieceSize, up(group, 0, 0)), size);
      }
      if (!group.isEmpty()) {
        piece();
      }
      return new Tree(new Layer(pieceSize, Arrays.copyOf(pieces, count * HASH)), size);
    }

    /** The hash of one piece of a file of several: the bytes fed so far, padded to the piece. */
    byte[] pieceOfSeveral() {
      if (block.position() > 0) {
        leaf();
      }
      if (!group.isEmpty()) {
        piece();
      }
      return Arrays.copyOf(pieces, HASH);
    }
  }

  /**
   * A file's tree as far as it was kept: its layer at some piece size (the leaves themselves at 16
   * KiB), from which the root and every wider layer follow.
   */
  public record Tree(Layer kept, long size) {

    /** Null for an empty file: BEP 52 gives it no root. */
    public byte[] root() {
      return size == 0 ? null : rootOf(kept, size);
    }

    /** The layer at {@code pieceSize}: a power of two, at least the kept layer's. */
    public Layer layer(int pieceSize) {
      return size == 0 ? new Layer(pieceSize, new byte[0]) : kept.widen(pieceSize, size);
    }
  }

  /**
   * Hashes of equal pieces, concatenated: {@code hashes.length / 32} pieces of {@code pieceSize}.
   */
  public record Layer(int pieceSize, byte[] hashes) {

    public int pieces() {
      return hashes.length / HASH;
    }

    public byte[] hash(int piece) {
      return Arrays.copyOfRange(hashes, piece * HASH, (piece + 1) * HASH);
    }

    public List<String> hex() {
      List<String> out = new ArrayList<>(pieces());
      for (int i = 0; i < pieces(); i++) {
        out.add(HexFormat.of().formatHex(hashes, i * HASH, (i + 1) * HASH));
      }
      return out;
    }

    /**
     * The same tree's layer at a piece size at least this one's, from this layer alone.
     *
     * @param size the file's size
     */
    public Layer widen(int largerPieceSize, long size) {
      checkPieceSize(largerPieceSize);
      if (largerPieceSize < pieceSize) {
        throw new IllegalArgumentException(
            "a layer only widens: " + largerPieceSize + " < " + pieceSize);
      }
      int pieces = Merkle.pieces(size, largerPieceSize);
      if (pieces <= 1) {
        return new Layer(largerPieceSize, rootOf(this, size));
      }
      if (largerPieceSize == pieceSize) {
        return this;
      }
      int per = largerPieceSize / pieceSize;
      int height = height(pieceSize);
      List<byte[]> mine = nodes(this);
      byte[] out = new byte[pieces * HASH];
      for (int p = 0; p < pieces; p++) {
        int from = p * per;
        List<byte[]> group = mine.subList(from, Math.min(mine.size(), from + per));
        System.arraycopy(up(group, height, per), 0, out, p * HASH, HASH);
      }
      return new Layer(largerPieceSize, out);
    }
  }

  /** How many pieces of {@code pieceSize} a file of {@code size} bytes has. */
  public static int pieces(long size, int pieceSize) {
    return (int) ((size + pieceSize - 1) / pieceSize);
  }

  /**
   * The piece size a peer offers unless asked for another: the smallest power of two from 16 KiB
   * that keeps a file to {@link #MAX_DEFAULT_PIECES} pieces, at most 16 MiB.
   */
  public static int defaultPieceSize(long size) {
    int p = BLOCK;
    while (p < MAX_DEFAULT_PIECE_SIZE && pieces(size, p) > MAX_DEFAULT_PIECES) {
      p <<= 1;
    }
    return p;
  }

  /**
   * @throws IllegalArgumentException when it is not a power of two from 16 KiB to 1 GiB
   */
  public static void checkPieceSize(int pieceSize) {
    if (pieceSize < BLOCK || pieceSize > (1 << 30) || Integer.bitCount(pieceSize) != 1) {
      throw new IllegalArgumentException(
          "piece size must be a power of two from 16384 to 2^30, got " + pieceSize);
    }
  }

  /**
   * The root a layer proves, given the file's size: what a downloader compares with the root it
   * trusts before it takes a single piece hash from a source.
   *
   * @throws IllegalArgumentException when the layer has not the number of pieces that size needs
   */
  public static byte[] rootOf(Layer layer, long size) {
    int pieces = pieces(size, layer.pieceSize());
    if (layer.pieces() != pieces || layer.hashes().length % HASH != 0) {
      throw new IllegalArgumentException(
          "a layer of "
              + layer.pieces()
              + " pieces for "
              + pieces
              + " pieces of "
              + layer.pieceSize());
    }
    if (pieces <= 1) {
      return layer.hashes().clone();
    }
    return up(nodes(layer), height(layer.pieceSize()), 0);
  }

  /**
   * What a piece's bytes hash to in the file's layer at {@code pieceSize}: the root of its subtree,
   * its leaves past the end of the file zero. A file of one piece is its whole tree: its root.
   *
   * @param size the whole file's size
   */
  public static byte[] pieceHash(ByteBuffer data, int pieceSize, long size) {
    if (pieces(size, pieceSize) <= 1) {
      Builder whole = new Builder();
      whole.update(data);
      return whole.finish().root();
    }
    Builder one = new Builder(pieceSize);
    one.update(data);
    return one.pieceOfSeveral();
  }

  private static int height(int pieceSize) {
    return Integer.numberOfTrailingZeros(pieceSize / BLOCK);
  }

  /**
   * Hashes a layer up to one node.
   *
   * @param height the layer's height above the leaves (its padding is that height's zero tree)
   * @param width how many nodes the layer is padded to (a power of two); 0: the next power of two
   */
  static byte[] up(List<byte[]> nodes, int height, int width) {
    if (nodes.size() == 1 && width <= 1) {
      return nodes.get(0).clone();
    }
    int n = width > 0 ? width : Integer.highestOneBit(nodes.size() - 1) << 1;
    List<byte[]> level = new ArrayList<>(nodes);
    byte[] pad = zeroTree(height);
    while (level.size() < n) {
      level.add(pad);
    }
    MessageDigest md = Sha256.digest();
    while (level.size() > 1) {
      List<byte[]> next = new ArrayList<>(level.size() / 2);
      for (int i = 0; i < level.size(); i += 2) {
        md.update(level.get(i));
        md.update(level.get(i + 1));
        next.add(md.digest());
      }
      level = next;
    }
    return level.get(0);
  }

  /** The hash of a subtree of {@code height} levels whose leaves are all zero. */
  static byte[] zeroTree(int height) {
    byte[] h = new byte[HASH];
    MessageDigest md = Sha256.digest();
    for (int i = 0; i < height; i++) {
      md.update(h);
      md.update(h);
      h = md.digest();
    }
    return h;
  }

  private static List<byte[]> nodes(Layer layer) {
    List<byte[]> out = new ArrayList<>(layer.pieces());
    for (int i = 0; i < layer.pieces(); i++) {
      out.add(layer.hash(i));
    }
    return out;
  }
}
