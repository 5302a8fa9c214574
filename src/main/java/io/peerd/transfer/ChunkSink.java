package io.peerd.transfer;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.streams.WriteStream;
import java.util.function.Function;

/** Where chunks go: the smallest part of a WriteStream that streaming with backpressure needs. */
public interface ChunkSink {

  /**
   * @return completes when the chunk has gone to the network (or failed to)
   */
  Future<Void> write(Chunk chunk);

  /** True when the receiver is behind: stop reading until {@link #drainHandler} fires. */
  boolean writeQueueFull();

  void drainHandler(Handler<Void> handler);

  /**
   * A wire's stream as a sink: {@code send} writes a chunk as that wire frames it (bytes, a
   * message); the stream's own queue is the backpressure.
   */
  static ChunkSink over(WriteStream<?> stream, Function<Chunk, Future<Void>> send) {
    return new ChunkSink() {
      @Override
      public Future<Void> write(Chunk chunk) {
        return send.apply(chunk);
      }

      @Override
      public boolean writeQueueFull() {
        return stream.writeQueueFull();
      }

      @Override
      public void drainHandler(Handler<Void> handler) {
        stream.drainHandler(handler);
      }
    };
  }
}
