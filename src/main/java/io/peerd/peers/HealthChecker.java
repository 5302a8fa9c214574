package io.peerd.peers;

import io.peerd.identity.PeerId;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * One round of health checks: probes the peers whose backoff has expired, concurrently, each with
 * its own timeout, and records the outcome in the table. The verticle calls {@link #round()} from a
 * periodic timer; a round never overlaps the previous one.
 *
 * <p>A probe is also where identities are proved. A peer whose secure URL is known is probed there,
 * and must present the id it is bound to. Otherwise (or when that port is gone) its plain {@code
 * /health} names its secure URL and the id it claims, and the secure port is asked at once to
 * present that id (or the pinned one): the first authenticated contact binds the peer to it.
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
  private final java.util.Map<String, String> said = new java.util.HashMap<>();

  private final java.util.function.Function<
          List<io.peerd.identity.PeerRecord>, Future<List<String>>>
      verify;

  /** Probes whose peers' records are checked on the calling thread (tests, tools). */
  public HealthChecker(PeerTable table, PeerProbe probe, long timeoutMillis, LongSupplier clock) {
    this(table, probe, timeoutMillis, clock, PeerExchange::verifyHere);
  }

  /**
   * @param verify each record's problem, null when it holds ({@link PeerExchange}'s): a peer's own
   *     record is kept to pass on only once its signature is checked, off the event loop
   */
  public HealthChecker(
      PeerTable table,
      PeerProbe probe,
      long timeoutMillis,
      LongSupplier clock,
      java.util.function.Function<List<io.peerd.identity.PeerRecord>, Future<List<String>>>
          verify) {
    this.table = table;
    this.probe = probe;
    this.timeoutMillis = timeoutMillis;
    this.clock = clock;
    this.verify = verify;
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
              said.keySet().retainAll(table.urls());
              return Future.succeededFuture(due.size());
            });
  }

  /**
   * Probes one peer now, whatever its backoff, and records the outcome.
   *
   * @return whether the peer may be used now
   */
  public Future<Boolean> check(String url) {
    return why(url).map(reason -> reason == null);
  }

  /**
   * {@link #check}, saying why the peer may not be used (unreachable, its identity refused or
   * unproved), or null when it may.
   */
  public Future<String> why(String url) {
    PeerState known = table.get(url);
    Trust t = known == null ? Trust.NONE : known.trust();
    boolean identity = table.policy().self() != null;
    Future<Boolean> outcome =
        identity && t.bound() && t.secureUrl() != null
            ? secure(url, t.secureUrl(), t.id(), null)
                .recover(err -> discover(url)) // its secure port moved, or went: ask it again
            : discover(url);
    return outcome
        .map(
            usable -> {
              if (usable) {
                return (String) null;
              }
              String refused = table.link(url).refused();
              return refused == null ? "unauthenticated" : refused;
            })
        .otherwise(
            err -> {
              table.markFailure(url, clock.getAsLong());
              say(url, "unreachable (" + err.getMessage() + ")");
              return err.getMessage() == null ? "error" : err.getMessage();
            });
  }

  /** Asks the plain URL where its secure port is, then proves the id there. */
  private Future<Boolean> discover(String url) {
    return probe
        .health(url, null, timeoutMillis)
        .compose(
            h -> {
              PeerState now = table.get(url);
              Trust t = now == null ? Trust.NONE : now.trust();
              if (table.policy().self() == null || h.secureUrl() == null) {
                return plainAnswer(url, h, t);
              }
              String secureUrl = PeerUrl.tryParse(h.secureUrl());
              if (secureUrl != null && !secureUrl.startsWith("https:")) {
                secureUrl = null; // a "secure" URL without TLS would carry the call in clear
              }
              PeerId expect = t.bound() ? t.id() : h.claimedId();
              if (secureUrl == null || expect == null) {
                return plainAnswer(url, h, t);
              }
              return secure(url, secureUrl, expect, h)
                  .recover(
                      err ->
                          t.bound()
                              ? Future.failedFuture(err)
                              : plainAnswer(url, h, t)); // a firewalled secure port: plain
            });
  }

  private Future<Boolean> plainAnswer(String url, PeerProbe.Health h, Trust t) {
    if (table.policy().self() != null && t.bound()) {
      String why =
          "not authenticated: "
              + url
              + " offers no secure port that presents "
              + t.id().shortForm()
              + "… (a seed or older peer, or identity off)";
      table.refuse(url, why, clock.getAsLong());
      say(url, why);
      return Future.succeededFuture(false);
    }
    table.unauthenticated(url, null);
    table.markSuccess(url, h.rttMs(), clock.getAsLong());
    say(url, "reachable, unauthenticated (rtt " + h.rttMs() + " ms)");
    return Future.succeededFuture(table.link(url).refused() == null);
  }

  /** The secure port must present {@code expect}; anything else is refused, never accepted. */
  private Future<Boolean> secure(
      String url, String secureUrl, PeerId expect, PeerProbe.Health plain) {
    return probe
        .health(secureUrl, expect, timeoutMillis)
        .compose(
            h -> {
              if (!expect.equals(h.presented())) {
                return Future.succeededFuture(
                    refused(url, mismatch(expect, secureUrl, h.presented())));
              }
              // Its own record, over a link that proved its id: kept to pass on once its signature
              // holds.
              var rec = h.record() != null && expect.equals(h.record().id()) ? h.record() : null;
              Future<io.peerd.identity.PeerRecord> checked =
                  rec == null
                      ? Future.succeededFuture(null)
                      : verify
                          .apply(List.of(rec))
                          .map(problems -> problems.get(0) == null ? rec : null)
                          .otherwise((io.peerd.identity.PeerRecord) null);
              return checked.map(
                  good -> {
                    if (!table.proved(url, expect, secureUrl, good)) {
                      // Bound to another id meanwhile: that one stands, this proof is no proof.
                      PeerState now = table.get(url);
                      return refused(
                          url,
                          mismatch(
                              now == null ? expect : now.trust().id(), secureUrl, h.presented()));
                    }
                    table.markSuccess(url, h.rttMs(), clock.getAsLong());
                    say(
                        url,
                        "reachable, authenticated as "
                            + expect.shortForm()
                            + "… (rtt "
                            + h.rttMs()
                            + " ms)");
                    return true;
                  });
            });
  }

  private static String mismatch(PeerId expected, String secureUrl, PeerId presented) {
    return "identity mismatch: expected "
        + expected
        + ", "
        + secureUrl
        + " presented "
        + (presented == null ? "no certificate" : presented.toString());
  }

  private boolean refused(String url, String why) {
    table.refuse(url, why, clock.getAsLong());
    say(url, why);
    return false;
  }

  /** One INFO line per change of what the probes say of a peer. */
  private void say(String url, String what) {
    String kind = what.replaceAll("\\(.*", "");
    if (!kind.equals(said.put(url, kind))) {
      LOG.info("{}: peer {} {}", table.self(), url, what);
    }
  }
}
