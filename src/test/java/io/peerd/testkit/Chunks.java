package io.peerd.testkit;

import io.vertx.core.Context;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.ReadStream;

/**
 * Bytes in memory as the stream a client reads a file from: 64 KiB pieces on an event loop,
 * honouring pause and resume as a file's stream does.
 */
public final class Chunks implements ReadStream<Buffer> {

  static final int PIECE = 64 * 1024;

  private final Context context;
  private final byte[] data;
  private Handler<Buffer> handler;
  private Handler<Void> endHandler;
  private int position;
  private boolean paused;
  private boolean ended;

  private Chunks(Context context, byte[] data) {
    this.context = context;
    this.data = data;
  }

  public static Chunks of(Vertx vertx, byte[] data) {
    return new Chunks(vertx.getOrCreateContext(), data);
  }

  @Override
  public ReadStream<Buffer> exceptionHandler(Handler<Throwable> handler) {
    return this;
  }

  @Override
  public ReadStream<Buffer> handler(Handler<Buffer> handler) {
    this.handler = handler;
    flow();
    return this;
  }

  @Override
  public ReadStream<Buffer> pause() {
    paused = true;
    return this;
  }

  @Override
  public ReadStream<Buffer> resume() {
    paused = false;
    flow();
    return this;
  }

  @Override
  public ReadStream<Buffer> fetch(long amount) {
    return resume();
  }

  @Override
  public ReadStream<Buffer> endHandler(Handler<Void> endHandler) {
    this.endHandler = endHandler;
    return this;
  }

  private void flow() {
    context.runOnContext(
        v -> {
          while (!paused && handler != null && position < data.length) {
            int n = Math.min(PIECE, data.length - position);
            Buffer piece = Buffer.buffer().appendBytes(data, position, n);
            position += n;
            handler.handle(piece);
          }
          if (position == data.length && !ended && handler != null) {
            ended = true;
            if (endHandler != null) {
              endHandler.handle(null);
            }
          }
        });
  }
}
