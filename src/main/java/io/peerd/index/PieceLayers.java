package io.peerd.index;

import io.vertx.core.Future;
import io.vertx.core.WorkerExecutor;
import java.util.HexFormat;

/**
 * A shared file's piece layer at any piece size: the one the index keeps, a wider one computed from
 * it, or a narrower one from the file itself (read and hashed again, off the event loop, and
 * checked against the root the index has, so a file changed since the scan is not described).
 */
public final class PieceLayers {

  /** A layer larger than this is refused: 32 MiB of hashes in one answer is enough for anyone. */
  public static final int MAX_PIECES = 1 << 20;

  private PieceLayers() {}

  /**
   * @param pieceSize 0 for the index's own layer
   * @return fails with {@link IllegalArgumentException} for a bad piece size, {@link
   *     IllegalStateException} when the file changed since it was indexed
   */
  public static Future<Merkle.Layer> of(FileEntry e, int pieceSize, WorkerExecutor worker) {
    if (pieceSize == 0) {
      return Future.succeededFuture(e.layer());
    }
    try {
      Merkle.checkPieceSize(pieceSize);
      if (Merkle.pieces(e.size(), pieceSize) > MAX_PIECES) {
        throw new IllegalArgumentException(
            "piece size " + pieceSize + " makes more than " + MAX_PIECES + " pieces of this file");
      }
    } catch (IllegalArgumentException bad) {
      return Future.failedFuture(bad);
    }
    if (pieceSize >= e.layer().pieceSize()) {
      return Future.succeededFuture(e.layer().widen(pieceSize, e.size()));
    }
    return worker.executeBlocking(
        () -> {
          Merkle.Tree tree = Sha256.withTree(e.path(), pieceSize).tree();
          if (!HexFormat.of().formatHex(tree.root()).equals(e.root())) {
            throw new IllegalStateException(e.name() + " changed since it was indexed");
          }
          return tree.kept();
        },
        false);
  }
}
