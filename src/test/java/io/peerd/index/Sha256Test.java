package io.peerd.index;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.Random;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A file's SHA-256 and Merkle tree read through a buffer sized to the file (freed at once): the
 * same hashes as from the bytes in memory, for sizes around a page and around the 1 MiB read.
 */
@Tag("unit")
class Sha256Test {

  @TempDir Path dir;

  @Test
  void hashesEqualTheBytesAtEverySize() throws Exception {
    Random random = new Random(20);
    int piece = Merkle.defaultPieceSize(3 << 20);
    for (int size :
        new int[] {
          0, 1, 4095, 4096, 4097, 100_000, (1 << 20) - 1, 1 << 20, (1 << 20) + 1, 3 << 20
        }) {
      byte[] bytes = new byte[size];
      random.nextBytes(bytes);
      Path file = Files.write(dir.resolve("f" + size), bytes);
      String expected = HexFormat.of().formatHex(Sha256.digest().digest(bytes));
      Merkle.Builder tree = new Merkle.Builder(piece);
      tree.update(java.nio.ByteBuffer.wrap(bytes));
      Sha256.Both both = Sha256.withTree(file, piece);
      assertEquals(expected, both.sha256(), "withTree, " + size + " bytes");
      assertArrayEquals(tree.finish().root(), both.tree().root(), "root, " + size + " bytes");
      assertEquals(expected, Sha256.of(file), "of, " + size + " bytes");
    }
  }

  @Test
  void theReadBufferFollowsTheFileUpToOneMebibyte() {
    assertEquals(4096, Sha256.readBuffer(0).capacity());
    assertEquals(4096, Sha256.readBuffer(4096).capacity());
    assertEquals(8192, Sha256.readBuffer(4097).capacity());
    assertEquals(Sha256.MAX_READ, Sha256.readBuffer(1 << 20).capacity());
    assertEquals(Sha256.MAX_READ, Sha256.readBuffer(1L << 40).capacity());
  }
}
