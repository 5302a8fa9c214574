package io.peerd.transfer;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.WriteStream;
import java.util.function.LongConsumer;

/**
 * Where received bytes go, counted on their way: into a file (or nowhere, to measure the wire
 * alone), telling a progress listener of each piece, and optionally cut after a number of bytes the
 * way a dropped connection cuts them (tests of resumption use that).
 */
public final class Received implements WriteStream<Buffer> {

  private final WriteStream<Buffer> target;
  private final LongConsumer progress;
  private final long stopAfter;
  private long bytes;
  private long writes;

  /**
   * @param target where the bytes go; null discards them
   * @param stopAfter fail the write that reaches this many bytes (-1: never)
   */
  public Received(WriteStream<Buffer> target, LongConsumer progress, long stopAfter) {
    this.target = target;
    this.progress = progress;
    this.stopAfter = stopAfter;
  }

  /** Counts and drops everything. */
  public static Received discard() {
    return new Received(null, n -> {}, -1);
  }

  public long bytes() {
    return bytes;
  }

  /** How many writes (one per message received). */
  public long writes() {
    return writes;
  }

  @Override
  public Future<Void> write(Buffer data) {
    writes++;
    bytes += data.length();
    progress.accept(data.length());
    Future<Void> written = target == null ? Future.succeededFuture() : target.write(data);
    if (stopAfter >= 0 && bytes >= stopAfter) {
      return Future.failedFuture(
          new TransferFailure(
              TransferFailure.Reason.UNREACHABLE,
              "CANCELLED",
              "stopped after " + bytes + " bytes"));
    }
    return written;
  }

  @Override
  public Future<Void> end() {
    return Future.succeededFuture();
  }

  @Override
  public WriteStream<Buffer> exceptionHandler(Handler<Throwable> handler) {
    if (target != null) {
      target.exceptionHandler(handler);
    }
    return this;
  }

  @Override
  public WriteStream<Buffer> setWriteQueueMaxSize(int maxSize) {
    if (target != null) {
      target.setWriteQueueMaxSize(maxSize);
    }
    return this;
  }

  @Override
  public boolean writeQueueFull() {
    return target != null && target.writeQueueFull();
  }

  @Override
  public WriteStream<Buffer> drainHandler(Handler<Void> handler) {
    if (target != null) {
      target.drainHandler(handler);
    }
    return this;
  }
}
