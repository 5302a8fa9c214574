package io.peerd.transfer;

import io.peerd.index.FileEntry;
import io.peerd.index.Merkle;
import io.peerd.index.Names;
import java.nio.file.Path;
import java.util.BitSet;

/**
 * Content this peer is still downloading: its verified pieces may be served to others while the
 * rest arrives, and nothing else. Asked on the peer's event loop.
 */
public interface PartialContent {

  PartialContent NONE = root -> null;

  /** The download of that root under way here, or null. */
  Partial find(String root);

  /**
   * A snapshot of one download's verified pieces.
   *
   * @param file the part, where each verified piece sits at its offset
   * @param sha256 the whole file's SHA-256 as its sources gave it; null when none did
   * @param layer the piece layer, already checked against the root
   */
  record Partial(
      String root,
      String name,
      long size,
      String sha256,
      Path file,
      Merkle.Layer layer,
      BitSet have) {

    public int pieceSize() {
      return layer.pieceSize();
    }

    /** Whether every byte of {@code [offset, offset + length)} lies in a verified piece. */
    public boolean covers(long offset, long length) {
      if (length <= 0 || offset < 0 || offset + length > size) {
        return false;
      }
      int first = (int) (offset / pieceSize());
      int last = (int) ((offset + length - 1) / pieceSize());
      return have.nextClearBit(first) > last;
    }

    /** As an index entry, so the code that serves shared files serves it (by range only). */
    public FileEntry asEntry() {
      return new FileEntry(
          name,
          file,
          size,
          0,
          sha256 != null ? sha256 : root,
          Names.extension(name),
          "other",
          root,
          layer,
          null);
    }
  }
}
