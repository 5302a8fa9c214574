package io.peerd.api;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Timer;
import io.peerd.metrics.Metrics;
import io.peerd.search.SearchAnswer;
import io.peerd.search.SearchQuery;
import java.util.concurrent.TimeUnit;

/**
 * The search meters, recorded the same way whichever route answered: {@code /search} and the
 * streamed {@code /search/stream} are one search to an operator. Meters are bound once, not looked
 * up per request.
 */
final class SearchMeter {

  private final Timer origin;
  private final Timer forwarded;
  private final Counter partial;
  private final DistributionSummary results;

  SearchMeter(Metrics metrics, String peer) {
    origin = metrics.timer("peer_search_seconds", "Searches answered", "role", "origin");
    forwarded = metrics.timer("peer_search_seconds", "Searches answered", "role", "forwarded");
    partial =
        metrics.counter(
            "peer_search_partial_total",
            "Searches answered partial (a neighbour failed or the deadline cut them)");
    results =
        DistributionSummary.builder("peer_search_results")
            .description("Files in a search answer")
            .tag("peer", peer)
            .register(metrics.registry());
  }

  /**
   * @param startedNanos {@link System#nanoTime()} when the request came in
   */
  void record(SearchQuery query, long startedNanos, SearchAnswer answer) {
    boolean mine = query.from() == null;
    (mine ? origin : forwarded).record(System.nanoTime() - startedNanos, TimeUnit.NANOSECONDS);
    if (mine) {
      if (answer.partial()) {
        partial.increment();
      }
      results.record(answer.results().stream().mapToInt(r -> r.files().size()).sum());
    }
  }
}
