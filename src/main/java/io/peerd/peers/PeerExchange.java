package io.peerd.peers;

import io.peerd.identity.PeerRecord;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Function;
import java.util.function.LongSupplier;

/**
 * Peer exchange: now and then ask one random healthy peer for its peer list and take up to {@code
 * maxNew} addresses we did not know. Learned addresses are validated and enter the table untrusted,
 * so a lying neighbour can waste a probe, not a search.
 *
 * <p>The signed records in the answer come first: a record whose signature does not hold is dropped
 * and counted, one older than the record held for its id (a replay) too; a good one binds its URLs
 * to its id, so that whoever answers there must prove it.
 */
public final class PeerExchange {

  private final PeerTable table;
  private final PeerProbe probe;
  private final int maxNew;
  private final long timeoutMillis;
  private final LongSupplier clock;
  private final Random random;
  private final Function<List<PeerRecord>, Future<List<String>>> verify;
  private long badSignatures;
  private long stale;

  /**
   * @param verify each record's {@link PeerRecord#problem()} (null when it holds), in order:
   *     signature checks are CPU work, which the verticle runs off its event loop
   */
  public PeerExchange(
      PeerTable table,
      PeerProbe probe,
      int maxNew,
      long timeoutMillis,
      LongSupplier clock,
      Random random,
      Function<List<PeerRecord>, Future<List<String>>> verify) {
    this.table = table;
    this.probe = probe;
    this.maxNew = maxNew;
    this.timeoutMillis = timeoutMillis;
    this.clock = clock;
    this.random = random;
    this.verify = verify;
  }

  /** Each record's {@link PeerRecord#problem()}, in order: CPU work, for a worker thread. */
  public static List<String> problems(List<PeerRecord> records) {
    List<String> out = new ArrayList<>(records.size());
    records.forEach(r -> out.add(r.problem()));
    return out;
  }

  /**
   * {@link #problems} on the calling thread: for tests and tools without an event loop to spare.
   */
  public static Future<List<String>> verifyHere(List<PeerRecord> records) {
    return Future.succeededFuture(problems(records));
  }

  /** Records dropped for a signature (or certificate) that does not hold. */
  public long badSignatures() {
    return badSignatures;
  }

  /** Records dropped for being older than the one held for their id. */
  public long stale() {
    return stale;
  }

  /**
   * @return how many new peers were learned
   */
  public Future<Integer> round() {
    List<String> healthy = table.healthyUrls();
    if (healthy.isEmpty() || maxNew == 0) {
      return Future.succeededFuture(0);
    }
    return from(healthy.get(random.nextInt(healthy.size())));
  }

  /** One exchange with that peer. */
  public Future<Integer> from(String peer) {
    // Read a few more than we may take: some will be known already, or ourselves.
    return probe
        .peersOf(peer, maxNew * 4, timeoutMillis)
        .compose(list -> verify.apply(list.records()).map(problems -> take(list, problems)))
        .otherwise(
            err -> {
              table.markFailure(peer, clock.getAsLong());
              return 0;
            });
  }

  private int take(PeerProbe.PeerList list, List<String> problems) {
    int added = 0;
    long now = clock.getAsLong();
    for (int i = 0; i < list.records().size(); i++) {
      if (problems.get(i) != null) {
        badSignatures++;
        continue;
      }
      PeerTable.Learned l = added < maxNew ? table.learn(list.records().get(i), now) : null;
      if (l == PeerTable.Learned.ADDED) {
        added++;
      } else if (l == PeerTable.Learned.STALE) {
        stale++;
      }
    }
    for (String raw : list.urls()) {
      String url = PeerUrl.tryParse(raw);
      if (url != null
          && added < maxNew
          && table.add(url, PeerTable.Source.EXCHANGE, now) == PeerTable.AddResult.ADDED) {
        added++;
      }
    }
    return added;
  }
}
