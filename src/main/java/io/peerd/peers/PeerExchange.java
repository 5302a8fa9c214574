package io.peerd.peers;

import io.vertx.core.Future;
import java.util.List;
import java.util.Random;
import java.util.function.LongSupplier;

/**
 * Peer exchange: now and then ask one random healthy peer for its peer list and take up to {@code
 * maxNew} addresses we did not know. Learned addresses are validated and enter the table untrusted,
 * so a lying neighbour can waste a probe, not a search.
 */
public final class PeerExchange {

  private final PeerTable table;
  private final PeerProbe probe;
  private final int maxNew;
  private final long timeoutMillis;
  private final LongSupplier clock;
  private final Random random;

  public PeerExchange(
      PeerTable table,
      PeerProbe probe,
      int maxNew,
      long timeoutMillis,
      LongSupplier clock,
      Random random) {
    this.table = table;
    this.probe = probe;
    this.maxNew = maxNew;
    this.timeoutMillis = timeoutMillis;
    this.clock = clock;
    this.random = random;
  }

  /**
   * @return how many new peers were learned
   */
  public Future<Integer> round() {
    List<String> healthy = table.healthyUrls();
    if (healthy.isEmpty() || maxNew == 0) {
      return Future.succeededFuture(0);
    }
    String from = healthy.get(random.nextInt(healthy.size()));
    // Read a few more than we may take: some will be known already, or ourselves.
    return probe
        .peersOf(from, maxNew * 4, timeoutMillis)
        .map(
            urls -> {
              int added = 0;
              for (String raw : urls) {
                String url = PeerUrl.tryParse(raw);
                if (url != null
                    && added < maxNew
                    && table.add(url, PeerTable.Source.EXCHANGE, clock.getAsLong())
                        == PeerTable.AddResult.ADDED) {
                  added++;
                }
              }
              return added;
            })
        .otherwise(
            err -> {
              table.markFailure(from, clock.getAsLong());
              return 0;
            });
  }
}
