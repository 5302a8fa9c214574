package io.peerd.peers;

import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * One round of health checks: probes the peers whose backoff has expired, concurrently, each with
 * its own timeout, and records the outcome in the table. The verticle calls {@link #round()} from a
 * periodic timer; a round never overlaps the previous one.
 */
public final class HealthChecker {

  private static final org.slf4j.Logger LOG =
      org.slf4j.LoggerFactory.getLogger(HealthChecker.class);

  private final PeerTable table;
  private final PeerProbe probe;
  private final long timeoutMillis;
  private final LongSupplier clock;
  private boolean running;

  /**
   * What the log last said of each peer (reachable or not). Probes decide it, not searches: a
   * neighbour that fails some searches would otherwise flip the line on every one. Holds only peers
   * in the table.
   */
  private final java.util.Map<String, Boolean> said = new java.util.HashMap<>();

  public HealthChecker(PeerTable table, PeerProbe probe, long timeoutMillis, LongSupplier clock) {
    this.table = table;
    this.probe = probe;
    this.timeoutMillis = timeoutMillis;
    this.clock = clock;
  }

  /**
   * @return the number of peers probed (0 when a round is still running)
   */
  public Future<Integer> round() {
    if (running) {
      return Future.succeededFuture(0);
    }
    running = true;
    List<String> due = table.dueForProbe(clock.getAsLong());
    List<Future<?>> probes = new ArrayList<>(due.size());
    for (String url : due) {
      probes.add(check(url));
    }
    return Future.join(probes)
        .transform(
            ignored -> {
              running = false;
              table.forgetExpired(clock.getAsLong());
              return Future.succeededFuture(due.size());
            });
  }

  /** Probes one peer now, whatever its backoff, and records the outcome. */
  public Future<Boolean> check(String url) {
    return probe
        .health(url, timeoutMillis)
        .map(
            rtt -> {
              table.markSuccess(url, rtt, clock.getAsLong());
              say(url, true, "rtt " + rtt + " ms");
              return true;
            })
        .otherwise(
            err -> {
              table.markFailure(url, clock.getAsLong());
              say(url, false, err.getMessage());
              return false;
            });
  }

  /** One INFO line per peer gained or lost, as the probes see it. */
  private void say(String url, boolean reachable, String detail) {
    if (!Boolean.valueOf(reachable).equals(said.put(url, reachable))) {
      LOG.info(
          "{}: peer {} {} ({})",
          table.self(),
          url,
          reachable ? "reachable" : "unreachable",
          detail);
    }
  }
}
