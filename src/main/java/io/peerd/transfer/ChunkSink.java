package io.peerd.transfer;

import io.vertx.core.Future;
import io.vertx.core.Handler;

/** Where chunks go: the smallest part of a WriteStream that streaming with backpressure needs. */
public interface ChunkSink {

  /**
   * @return completes when the chunk has gone to the network (or failed to)
   */
  Future<Void> write(Chunk chunk);

  /** True when the receiver is behind: stop reading until {@link #drainHandler} fires. */
  boolean writeQueueFull();

  void drainHandler(Handler<Void> handler);
}
