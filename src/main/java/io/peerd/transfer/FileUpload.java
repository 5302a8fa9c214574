package io.peerd.transfer;

import io.peerd.index.Sha256;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.file.OpenOptions;
import io.vertx.core.net.SocketAddress;
import io.vertx.core.streams.ReadStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Uploads a local file to a peer: its size and SHA-256 are announced first (the peer refuses before
 * any data when it cannot take it, and verifies both before it shares the file), then the file
 * streams with backpressure. The hash is computed off the event loop.
 */
public final class FileUpload {

  /**
   * What to upload, and as what.
   *
   * @param name the name in the peer's upload folder
   * @param token the peer's api_token, or null
   */
  public record Request(Path file, String name, boolean overwrite, String token) {}

  private final Vertx vertx;
  private final FileTransfers net;

  public FileUpload(Vertx vertx, FileTransfers net) {
    this.vertx = vertx;
    this.net = net;
  }

  /**
   * @param progress told of every piece of the file as it is read for sending
   */
  public Future<UploadReceipt> run(SocketAddress peer, Request r, Progress progress) {
    return vertx
        .executeBlocking(
            () ->
                new Upload.Request(
                    r.name(), Files.size(r.file()), Sha256.of(r.file()), r.overwrite()),
            false)
        .compose(
            announced ->
                vertx
                    .fileSystem()
                    .open(r.file().toString(), new OpenOptions().setRead(true))
                    .compose(
                        in -> {
                          in.setReadBufferSize(64 * 1024);
                          progress.start(0);
                          return net.upload(peer, announced, counted(in, progress), r.token())
                              .eventually(in::close);
                        }));
  }

  /** The same stream, telling {@code progress} of each piece on its way. */
  private static ReadStream<Buffer> counted(ReadStream<Buffer> in, Progress progress) {
    return new ReadStream<>() {
      @Override
      public ReadStream<Buffer> exceptionHandler(Handler<Throwable> handler) {
        in.exceptionHandler(handler);
        return this;
      }

      @Override
      public ReadStream<Buffer> handler(Handler<Buffer> handler) {
        in.handler(
            handler == null
                ? null
                : buf -> {
                  progress.moved(buf.length());
                  handler.handle(buf);
                });
        return this;
      }

      @Override
      public ReadStream<Buffer> pause() {
        in.pause();
        return this;
      }

      @Override
      public ReadStream<Buffer> resume() {
        in.resume();
        return this;
      }

      @Override
      public ReadStream<Buffer> fetch(long amount) {
        in.fetch(amount);
        return this;
      }

      @Override
      public ReadStream<Buffer> endHandler(Handler<Void> endHandler) {
        in.endHandler(endHandler);
        return this;
      }
    };
  }
}
