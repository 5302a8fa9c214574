package io.peerd.transfer;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.SocketAddress;
import io.vertx.core.streams.ReadStream;
import io.vertx.core.streams.WriteStream;

/**
 * The network seam of moving file bytes between peers: what the download and upload engines ({@link
 * FileDownload}, {@link FileUpload}) need from the wire, and nothing of it. The gRPC implementation
 * is {@code rpc.TransferClient}; a test can put a fake peer here.
 *
 * <p>Every call fails with a {@link TransferFailure}. A received byte goes to {@code into} with
 * backpressure: when {@code into} is full the stream from the peer pauses; when a write to it
 * fails, the call is cancelled and fails with that cause.
 */
public interface FileTransfers {

  /**
   * {@code [offset, end)} of a shared file (gRPC {@code Download}).
   *
   * @return the bytes received
   */
  Future<Long> download(SocketAddress peer, String name, long offset, WriteStream<Buffer> into);

  /** The whole file, as the seed's {@code DummyDownload} sends it; each chunk is one write. */
  Future<Long> dummyDownload(SocketAddress peer, String name, WriteStream<Buffer> into);

  /**
   * A file into the peer's upload folder: the request first, then {@code data} to its end.
   *
   * @param token the peer's api_token, or null
   */
  Future<UploadReceipt> upload(
      SocketAddress peer, Upload.Request request, ReadStream<Buffer> data, String token);

  /** The seed's {@code DummyUpload}: {@code bytes} zero bytes, counted by the peer. */
  Future<DummyUploadReceipt> dummyUpload(SocketAddress peer, long bytes);

  /**
   * {@code [offset, offset + length)} of the content with that Merkle root (gRPC {@code Download}
   * by root): one piece of a swarm download.
   *
   * @param stop when it completes, the transfer is cut (a stalled source, a piece another source
   *     delivered first) and fails
   */
  Future<Long> range(
      SocketAddress peer,
      String root,
      long offset,
      long length,
      WriteStream<Buffer> into,
      Future<Void> stop);

  /**
   * The piece layer of the content with that root, and the size the peer says it has.
   *
   * @param pieceSize 0 for the peer's own default
   */
  Future<Layer> pieces(SocketAddress peer, String root, int pieceSize);

  /** A peer's piece layer, unverified: the caller checks it against the root it trusts. */
  record Layer(long size, io.peerd.index.Merkle.Layer layer) {}

  /** What the peer counted of a DummyUpload. */
  record DummyUploadReceipt(long receivedBytes, int chunks) {}
}
