package io.peerd.transfer;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.file.AsyncFile;
import io.vertx.core.file.OpenOptions;
import java.nio.file.Path;

/**
 * Streams a range of a file into a {@link ChunkSink} through the async file system. Reads pause
 * while the sink's queue is full, so memory stays at a few chunks whatever the file size.
 */
public final class FileStreamer {

  private final AsyncFile file;
  private final Promise<Long> done = Promise.promise();
  private long position;
  private int seq;

  private FileStreamer(AsyncFile file, long offset) {
    this.file = file;
    this.position = offset;
  }

  /**
   * @param length bytes to send from offset; a negative value means "to the end of the file"
   * @return the running transfer; its {@link #result()} completes when the range is sent
   */
  public static Future<FileStreamer> start(Vertx vertx, Path path, long offset, long length,
      int chunkSize, ChunkSink sink) {
    return vertx.fileSystem()
        .open(path.toString(), new OpenOptions().setRead(true).setWrite(false).setCreate(false))
        .map(file -> {
          FileStreamer s = new FileStreamer(file, offset);
          s.run(length, chunkSize, sink);
          return s;
        });
  }

  private void run(long length, int chunkSize, ChunkSink sink) {
    file.setReadBufferSize(chunkSize).setReadPos(position);
    if (length >= 0) {
      file.setReadLength(length);
    }
    file.exceptionHandler(err -> finish(err));
    file.endHandler(v -> finish(null));
    file.handler(buf -> {
      sink.write(new Chunk(buf, ++seq, position));
      position += buf.length();
      if (sink.writeQueueFull()) {
        file.pause();
        sink.drainHandler(v -> file.resume());
      }
    });
    done.future().onComplete(ar -> file.close());
  }

  private void finish(Throwable err) {
    if (err == null) {
      done.tryComplete(position);
    } else {
      done.tryFail(err);
    }
  }

  /** The position after the last byte read, once the range has been sent. */
  public Future<Long> result() {
    return done.future();
  }

  /** The receiver went away: stop reading and release the file. */
  public void cancel() {
    done.tryFail(new IllegalStateException("transfer cancelled"));
  }
}
