package io.peerd.transfer;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.vertx.core.AsyncResult;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.buffer.BufferInternal;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Streams a range of a file into a {@link ChunkSink}, each read on a worker. Reads pause while the
 * sink's queue is full or {@link #MAX_IN_FLIGHT} bytes have not left yet, so memory stays at a few
 * read blocks whatever the file size and the receiver's window. Under a {@link Bandwidth} limit,
 * reads also wait while it is spent: a wait of ours, which is no stall of the receiver.
 *
 * <p>Reads go into direct blocks ({@link ReadBlocks}) when one is free: the chunks handed to the
 * sink are slices of memory the socket sends from, so no byte of the file is copied on its way
 * (Vert.x's AsyncFile read into a fresh heap array each time, which the JDK filled through a
 * temporary direct buffer and Netty copied to direct memory again for the socket).
 */
public final class FileStreamer {

  private final Promise<Long> done = Promise.promise();
  private final Vertx vertx;
  private final Context context;
  private final FileChannel file;
  private final long end;
  private final long stallTimeoutMillis;
  private final Bandwidth bandwidth;
  private final ReadBlocks blocks = ReadBlocks.SHARED;
  private long position;
  private int seq;
  private long stallTimer = -1;
  private boolean throttled;
  private long inFlight;
  private boolean paused;
  private boolean reading;
  private boolean closed;

  private FileStreamer(
      Vertx vertx,
      FileChannel file,
      long offset,
      long end,
      long stallTimeoutMillis,
      Bandwidth bandwidth) {
    this.vertx = vertx;
    this.context = vertx.getOrCreateContext();
    this.bandwidth = bandwidth;
    this.file = file;
    this.position = offset;
    this.end = end;
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
        .executeBlocking(() -> FileChannel.open(path, StandardOpenOption.READ), false)
        .map(
            file -> {
              long end = length >= 0 ? offset + length : Long.MAX_VALUE;
              FileStreamer s =
                  new FileStreamer(vertx, file, offset, end, stallTimeoutMillis, bandwidth);
              s.run(chunkSize, sink);
              return s;
            });
  }

  /** The receiver took nothing for the stall timeout: the transfer was given up. */
  /** A write to the receiver failed: its stream was reset or closed, and the transfer stops. */
  public static final class Gone extends RuntimeException {
    Gone(Throwable cause) {
      super("the receiver is gone: " + cause.getMessage(), cause, false, false);
    }
  }

  public static final class Stalled extends RuntimeException {
    Stalled(long millis) {
      super("the receiver took nothing for " + millis + " ms", null, false, false);
    }
  }

  /**
   * Disk reads are this big, then cut into chunks: every read is a hop to a worker and back, and
   * one hop per 64 KiB chunk caps a stream at a few hundred MiB/s.
   */
  static final int READ_SIZE = ReadBlocks.BLOCK;

  /**
   * Bytes written but not yet gone to the network, at most. The sink's own queue only fills when
   * the receiver's flow-control window is used up, and a client may open a window of many MiB:
   * without this bound a fast reader and a slow socket would buffer that much per download.
   */
  static final int MAX_IN_FLIGHT = 2 * READ_SIZE;

  static final int LIMITED_READ_SIZE = 64 * 1024;

  private int chunkSize;
  private int readSize;
  private ChunkSink sink;

  private void run(int chunkSize, ChunkSink sink) {
    this.chunkSize = chunkSize;
    this.sink = sink;
    // Under a limit, small reads: a 1 MiB read would spend a second of a 1 MiB/s limit at once.
    int wanted = bandwidth.limited() ? LIMITED_READ_SIZE : READ_SIZE;
    readSize = Math.max(chunkSize, wanted / chunkSize * chunkSize);
    sink.drainHandler(v -> maybeResume());
    done.future()
        .onComplete(
            ar -> {
              vertx.cancelTimer(stallTimer);
              if (!reading) {
                close();
              }
            });
    read();
  }

  /** The next block of the range, read on a worker; its chunks go to the sink on this loop. */
  private void read() {
    if (reading || paused || throttled || done.future().isComplete()) {
      return;
    }
    long left = end - position;
    if (left <= 0) {
      done.tryComplete(position);
      return;
    }
    int n = (int) Math.min(readSize, left);
    ByteBuffer direct = n <= ReadBlocks.BLOCK ? blocks.take() : null;
    ByteBuffer into = direct != null ? direct : ByteBuffer.allocate(n);
    into.limit(n);
    long at = position;
    reading = true;
    // A read can finish before its handler is attached, which then runs at once, inside this
    // call: it is put on the loop instead, so that no caller sees a chunk before start() has
    // returned (FileServing sets its headers then) and reads never recurse.
    boolean[] inside = {true};
    vertx
        .executeBlocking(() -> readFully(into, at), false)
        .onComplete(
            ar -> {
              if (inside[0]) {
                context.runOnContext(v -> afterRead(ar, into, direct));
              } else {
                afterRead(ar, into, direct);
              }
            });
    inside[0] = false;
  }

  private void afterRead(AsyncResult<Integer> ar, ByteBuffer into, ByteBuffer direct) {
    reading = false;
    if (done.future().isComplete() || ar.failed() || ar.result() == 0) {
      if (direct != null) {
        blocks.giveBack(direct);
      }
      if (ar.failed()) {
        done.tryFail(ar.cause());
      } else {
        done.tryComplete(position); // the end, or the file is shorter than it was
      }
      close();
      return;
    }
    into.flip();
    send(into, direct);
    read();
  }

  private int readFully(ByteBuffer into, long at) throws IOException {
    int got = 0;
    while (into.hasRemaining()) {
      int k = file.read(into, at + got);
      if (k < 0) {
        break;
      }
      got += k;
    }
    return got;
  }

  /** A block's bytes as chunks; a direct block goes back once every one of them has been sent. */
  private void send(ByteBuffer bytes, ByteBuffer direct) {
    int length = bytes.remaining();
    ByteBuf all = Unpooled.wrappedBuffer(bytes);
    int parts = (length + chunkSize - 1) / chunkSize;
    int[] pending = {parts};
    boolean[] failed = {false};
    for (int from = 0; from < length; from += chunkSize) {
      int size = Math.min(chunkSize, length - from);
      Buffer piece = BufferInternal.buffer(all.slice(from, size));
      inFlight += size;
      Future<Void> written;
      try {
        written = sink.write(new Chunk(piece, ++seq, position));
      } catch (RuntimeException e) {
        // A stream already reset refuses the write at once: the same as a write that fails.
        written = Future.failedFuture(e);
      }
      written.onComplete(
          ar -> {
            inFlight -= size;
            if (ar.failed()) {
              failed[0] = true;
              // Nobody takes the rest: stop reading instead of reading it into a dead stream.
              done.tryFail(new Gone(ar.cause()));
            }
            if (--pending[0] == 0 && direct != null) {
              if (failed[0]) {
                blocks.abandon(direct);
              } else {
                blocks.giveBack(direct);
              }
            }
            maybeResume();
          });
      position += size;
    }
    bandwidth.take(length);
    if (!throttled && bandwidth.exhausted()) {
      throttled = true;
      bandwidth.whenAvailable(
          v -> {
            throttled = false;
            read();
          });
    }
    if (!paused && (sink.writeQueueFull() || inFlight >= MAX_IN_FLIGHT)) {
      paused = true;
      // A receiver that stops reading must not hold the file and the stream forever.
      stallTimer =
          vertx.setTimer(stallTimeoutMillis, t -> done.tryFail(new Stalled(stallTimeoutMillis)));
    }
  }

  private void maybeResume() {
    if (paused
        && !done.future().isComplete()
        && !sink.writeQueueFull()
        && inFlight <= MAX_IN_FLIGHT / 2) {
      paused = false;
      vertx.cancelTimer(stallTimer);
      read();
    }
  }

  private void close() {
    if (!closed) {
      closed = true;
      vertx.executeBlocking(
          () -> {
            file.close();
            return null;
          },
          false);
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
