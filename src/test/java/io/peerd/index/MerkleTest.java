package io.peerd.index;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The Merkle root and piece layers against BitTorrent v2's own (libtorrent 2.0.8, in {@code
 * src/test/resources/bep52/vectors.txt}, made by the script beside it): sizes of 1 byte, one block
 * less one, one block, one block plus one, two blocks, a MiB plus one, 3,000,000 bytes at three
 * piece sizes and 5 MiB at 1 MiB.
 */
@Tag("unit")
class MerkleTest {

  record Vector(int size, int seed, int pieceSize, String root, List<String> layer) {}

  static List<Vector> vectors() throws IOException {
    List<Vector> out = new ArrayList<>();
    try (InputStream in = MerkleTest.class.getResourceAsStream("/bep52/vectors.txt")) {
      for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
        if (line.isBlank() || line.startsWith("#")) {
          continue;
        }
        String[] f = line.trim().split(" ");
        List<String> layer = f.length > 5 ? List.of(f[5].split(",")) : List.of();
        assertEquals(Integer.parseInt(f[4]), layer.size(), line);
        out.add(
            new Vector(
                Integer.parseInt(f[0]),
                Integer.parseInt(f[1]),
                Integer.parseInt(f[2]),
                f[3],
                layer));
      }
    }
    assertEquals(10, out.size(), "every vector read");
    return out;
  }

  /** The same bytes as the script writes. */
  static byte[] content(int size, int seed) {
    byte[] b = new byte[size];
    for (int i = 0; i < size; i++) {
      b[i] = (byte) ((i * 7 + i / 251 + seed) & 0xff);
    }
    return b;
  }

  /** Read in odd-sized pieces, as a file read does not align with blocks. */
  static Merkle.Tree tree(byte[] data) {
    Merkle.Builder b = new Merkle.Builder();
    for (int off = 0; off < data.length; off += 10_007) {
      b.update(ByteBuffer.wrap(data, off, Math.min(10_007, data.length - off)));
    }
    return b.finish();
  }

  static String hex(byte[] b) {
    return HexFormat.of().formatHex(b);
  }

  @Test
  void rootsAndLayersAreBitTorrentV2s() throws IOException {
    for (Vector v : vectors()) {
      Merkle.Tree t = tree(content(v.size(), v.seed()));
      assertEquals(v.root(), hex(t.root()), "root of " + v.size() + " bytes");
      Merkle.Layer layer = t.layer(v.pieceSize());
      // libtorrent leaves the layer out when one piece covers the file: it is the root.
      List<String> expected = v.layer().isEmpty() ? List.of(v.root()) : v.layer();
      assertEquals(expected, layer.hex(), v.size() + " bytes at " + v.pieceSize());
      // The index keeps only the layer it needs, folding leaves as it reads: the same tree.
      Merkle.Builder folding = new Merkle.Builder(v.pieceSize());
      folding.update(ByteBuffer.wrap(content(v.size(), v.seed())));
      Merkle.Tree kept = folding.finish();
      assertEquals(v.root(), hex(kept.root()), "folded at " + v.pieceSize());
      assertEquals(expected, kept.kept().hex(), "folded layer at " + v.pieceSize());
    }
  }

  @Test
  void aLayerProvesItsRootAndAForgedOneDoesNot() throws IOException {
    for (Vector v : vectors()) {
      Merkle.Tree t = tree(content(v.size(), v.seed()));
      Merkle.Layer layer = t.layer(v.pieceSize());
      assertArrayEquals(t.root(), Merkle.rootOf(layer, v.size()), v.size() + " bytes");
      byte[] forged = layer.hashes().clone();
      forged[forged.length - 1] ^= 1;
      assertFalse(
          Arrays.equals(t.root(), Merkle.rootOf(new Merkle.Layer(v.pieceSize(), forged), v.size())),
          "a flipped bit in the last piece hash changes the root");
    }
    byte[] data = content(3_000_000, 5);
    Merkle.Layer layer = tree(data).layer(65536);
    byte[] short1 = Arrays.copyOf(layer.hashes(), layer.hashes().length - 32);
    assertThrows(
        IllegalArgumentException.class,
        () -> Merkle.rootOf(new Merkle.Layer(65536, short1), data.length),
        "a layer with a piece missing is no proof");
  }

  @Test
  void everyPieceHashesToItsLayerEntry() throws IOException {
    for (Vector v : vectors()) {
      byte[] data = content(v.size(), v.seed());
      Merkle.Layer layer = tree(data).layer(v.pieceSize());
      for (int p = 0; p < layer.pieces(); p++) {
        int from = p * v.pieceSize();
        ByteBuffer piece = ByteBuffer.wrap(data, from, Math.min(v.pieceSize(), data.length - from));
        assertArrayEquals(
            layer.hash(p), Merkle.pieceHash(piece, v.pieceSize(), v.size()), "piece " + p);
      }
      if (layer.pieces() > 1) {
        byte[] bad = data.clone();
        bad[0] ^= 1;
        assertFalse(
            Arrays.equals(
                layer.hash(0),
                Merkle.pieceHash(ByteBuffer.wrap(bad, 0, v.pieceSize()), v.pieceSize(), v.size())),
            "one flipped bit fails the piece");
      }
    }
  }

  @Test
  void aLayerWidensToWhatTheTreeGivesAtThatSize() throws IOException {
    byte[] data = content(3_000_000, 5);
    Merkle.Tree t = tree(data);
    Merkle.Layer narrow = t.layer(16384);
    for (int p = 16384; p <= 4 << 20; p <<= 1) {
      assertEquals(t.layer(p).hex(), narrow.widen(p, data.length).hex(), "at " + p);
    }
  }

  @Test
  void anEmptyFileHasNoRootAndPieceSizesAreChecked() {
    assertNull(new Merkle.Builder().finish().root());
    assertThrows(IllegalArgumentException.class, () -> Merkle.checkPieceSize(8192));
    assertThrows(IllegalArgumentException.class, () -> Merkle.checkPieceSize(3 * 16384));
    assertEquals(16384, Merkle.defaultPieceSize(1));
    assertEquals(16384, Merkle.defaultPieceSize(4096L * 16384));
    assertEquals(32768, Merkle.defaultPieceSize(4096L * 16384 + 1));
    assertEquals(256 * 1024, Merkle.defaultPieceSize(1L << 30), "a GiB in 4096 pieces");
    assertEquals(16 << 20, Merkle.defaultPieceSize(1L << 40), "no piece above 16 MiB");
  }
}
