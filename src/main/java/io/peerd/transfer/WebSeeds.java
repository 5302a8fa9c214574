package io.peerd.transfer;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.WriteStream;

/**
 * The network seam of plain-HTTP sources (web seeds, as aria2c uses them): any server that answers
 * a {@code Range} request for the file's bytes, a peer's {@code /files/{name}} or {@code
 * /content/{root}} among them. They give bytes, never hashes: their pieces are checked against a
 * layer a peer gave. The HTTP implementation is {@code remote.HttpRanges}.
 */
public interface WebSeeds {

  /**
   * {@code [offset, offset + length)} of the file at {@code url}.
   *
   * @param stop when it completes, the request is reset and the future fails
   */
  Future<Long> range(
      String url, long offset, long length, WriteStream<Buffer> into, Future<Void> stop);

  /**
   * {@code [offset, offset + length)} of a peer's {@code base/content/{root}}: a peer's bytes over
   * plain HTTP, which it sends from the file with sendfile, where gRPC frames every chunk in a
   * message. Unlike {@link #range}, which may go to any server, this one goes to a peer of the
   * network: it carries the network's token when there is one.
   */
  Future<Long> content(
      String baseUrl,
      String root,
      long offset,
      long length,
      WriteStream<Buffer> into,
      Future<Void> stop);

  /**
   * A peer's piece layer over HTTP ({@code GET base/content/{root}/pieces?piece_size=N}), with the
   * network's token: the same answer as the gRPC {@code Pieces} rpc, for a peer reached over HTTP
   * (an https peer among them). Unproven: the caller checks it against the root.
   */
  Future<FileTransfers.Layer> pieces(String baseUrl, String root, int pieceSize);

  /**
   * Which pieces a peer that is still downloading this content has verified ({@code GET
   * base/content/{root}/have}), at {@code pieceSize}.
   */
  Future<java.util.BitSet> have(String baseUrl, String root, int pieceSize);
}
