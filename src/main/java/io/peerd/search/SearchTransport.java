package io.peerd.search;

import io.vertx.core.Future;

/** The network seam of search: send a query to one neighbour and get its merged answer. */
public interface SearchTransport {

  /**
   * @param timeoutMillis the whole call, connect to last byte; the future fails with a {@link
   *     PeerCallException} when it passes, when the peer refuses, or answers nonsense
   */
  Future<SearchAnswer> forward(String peerUrl, SearchQuery query, long timeoutMillis);

  /**
   * A walker's check with the origin of its search: true while the origin still wants results. The
   * default (a transport that cannot ask) says go on, which costs messages, never results.
   */
  default Future<Boolean> stillWanted(String originUrl, String id, long timeoutMillis) {
    return Future.succeededFuture(true);
  }

  /**
   * A neighbour's name summary, unless its index generation is still {@code knownGeneration}. The
   * default fails: without summaries, summary routing walks.
   */
  default Future<RemoteSummary> summary(String peerUrl, long knownGeneration, long timeoutMillis) {
    return Future.failedFuture(
        new PeerCallException("unsupported", "no summaries over this transport"));
  }

  /**
   * Tells a neighbour that this peer's index (and so its summary) is now at {@code generation}, so
   * that it need not wait for its next refresh. The default fails: the neighbour refreshes on its
   * own schedule.
   */
  default Future<Void> summaryChanged(
      String peerUrl, String self, long generation, long timeoutMillis) {
    return Future.failedFuture(
        new PeerCallException("unsupported", "no summary notices over this transport"));
  }
}
