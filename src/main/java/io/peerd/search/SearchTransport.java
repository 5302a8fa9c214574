package io.peerd.search;

import io.vertx.core.Future;

/** The network seam of search: send a query to one neighbour and get its merged answer. */
public interface SearchTransport {

  /**
   * @param timeoutMillis the whole call, connect to last byte; the future fails with a
   *     {@link PeerCallException} when it passes, when the peer refuses, or answers nonsense
   */
  Future<SearchAnswer> forward(String peerUrl, SearchQuery query, long timeoutMillis);
}
