package io.peerd.transfer;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.file.AsyncFile;
import io.vertx.core.file.OpenOptions;
import java.nio.file.Path;

/**
 * Streams a range of a file into a {@link ChunkSink} through the async file system. Reads pause
 * while the sink's queue is full or {@link #MAX_IN_FLIGHT} bytes have not left yet, so memory stays
 * at a few read blocks whatever the file size and the receiver's window. Under a {@link Bandwidth}
 * limit, reads also wait while it is spent: a wait of ours, which is no stall of the receiver.
 */
public final class FileStreamer {

  private final AsyncFile file;
  private final Promise<Long> done = Promise.promise();
  private long position;
  private int seq;

  private final Vertx vertx;
  private final long stallTimeoutMillis;
  private final Bandwidth bandwidth;
  private long stallTimer = -1;
  private boolean throttled;
  private long inFlight;
  private boolean paused;

  private FileStreamer(
      Vertx vertx, AsyncFile file, long offset, long stallTimeoutMillis, Bandwidth bandwidth) {
    this.vertx = vertx;
    this.bandwidth = bandwidth;
    this.file = file;
    this.position = offset;
    this.stallTimeoutMillis = stallTimeoutMillis;
  }

  /**
   * @param length bytes to send from offset; a negative value means "to the end of the file"
   * @return the running transfer; its {@link #result()} completes when the range is sent
   */
  public static Future<FileStreamer> start(
      Vertx vertx,
      Path path,
      long offset,
      long length,
      int chunkSize,
      ChunkSink sink,
      long stallTimeoutMillis,
      Bandwidth bandwidth) {
    return vertx
        .fileSystem()
        .open(path.toString(), new OpenOptions().setRead(true).setWrite(false).setCreate(false))
        .map(
            file -> {
              FileStreamer s = new FileStreamer(vertx, file, offset, stallTimeoutMillis, bandwidth);
              s.run(length, chunkSize, sink);
              return s;
            });
  }

  /** The receiver took nothing for the stall timeout: the transfer was given up. */
  public static final class Stalled extends RuntimeException {
    Stalled(long millis) {
      super("the receiver took nothing for " + millis + " ms", null, false, false);
    }
  }

  /**
   * Disk reads are this big, then cut into chunks: every async read is a hop to a file thread and
   * back, and one hop per 64 KiB chunk caps a stream at a few hundred MiB/s.
   */
  static final int READ_SIZE = 1 << 20;

  /**
   * Bytes written but not yet gone to the network, at most. The sink's own queue only fills when
   * the receiver's flow-control window is used up, and a client may open a window of many MiB:
   * without this bound a fast reader and a slow socket would buffer that much per download.
   */
  static final int MAX_IN_FLIGHT = 2 * READ_SIZE;

  static final int LIMITED_READ_SIZE = 64 * 1024;

  private void run(long length, int chunkSize, ChunkSink sink) {
    // Under a limit, small reads: a 1 MiB read would spend a second of a 1 MiB/s limit at once.
    int wanted = bandwidth.limited() ? LIMITED_READ_SIZE : READ_SIZE;
    int readSize = Math.max(chunkSize, wanted / chunkSize * chunkSize);
    file.setReadBufferSize(readSize).setReadPos(position);
    if (length >= 0) {
      file.setReadLength(length);
    }
    file.exceptionHandler(err -> finish(err));
    file.endHandler(v -> finish(null));
    sink.drainHandler(v -> maybeResume(sink));
    file.handler(
        buf -> {
          for (int from = 0; from < buf.length(); from += chunkSize) {
            Buffer piece = buf.slice(from, Math.min(buf.length(), from + chunkSize));
            int size = piece.length();
            inFlight += size;
            sink.write(new Chunk(piece, ++seq, position))
                .onComplete(
                    ar -> {
                      inFlight -= size;
                      maybeResume(sink);
                    });
            position += size;
          }
          bandwidth.take(buf.length());
          if (!throttled && bandwidth.exhausted()) {
            throttled = true;
            file.pause();
            bandwidth.whenAvailable(
                v -> {
                  throttled = false;
                  if (!paused && !done.future().isComplete()) {
                    file.resume();
                  }
                });
          }
          if (!paused && (sink.writeQueueFull() || inFlight >= MAX_IN_FLIGHT)) {
            paused = true;
            file.pause();
            // A receiver that stops reading must not hold the file and the stream forever.
            stallTimer =
                vertx.setTimer(
                    stallTimeoutMillis, t -> done.tryFail(new Stalled(stallTimeoutMillis)));
          }
        });
    done.future()
        .onComplete(
            ar -> {
              vertx.cancelTimer(stallTimer);
              file.close();
            });
  }

  private void maybeResume(ChunkSink sink) {
    if (paused
        && !done.future().isComplete()
        && !sink.writeQueueFull()
        && inFlight <= MAX_IN_FLIGHT / 2) {
      paused = false;
      vertx.cancelTimer(stallTimer);
      if (!throttled) {
        file.resume();
      }
    }
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
