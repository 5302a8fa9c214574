package io.peerd.node;

import io.peerd.discovery.Announcement;
import io.peerd.discovery.LocalDiscovery;
import io.peerd.discovery.ProbeVerifier;
import io.peerd.metrics.Metrics;
import io.peerd.peers.PeerTable;
import io.peerd.peers.Trust;
import io.peerd.remote.HttpPeerClient;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * LAN discovery wired to one peer: what it announces, how a peer heard on the LAN is checked and
 * enters the table, and its counters in {@code /status} and {@code /metrics}. Lives on the peer's
 * verticle, like the table it writes to.
 */
final class LanPeers {

  /** No announcements: it still hears the others, and may call them. */
  private static final LocalDiscovery.Targets NOWHERE = () -> Future.succeededFuture(List.of());

  private static final LocalDiscovery.Stats NONE =
      new LocalDiscovery.Stats(0, 0, 0, 0, 0, 0, 0, 0, 0, 0);

  /** What a peer gives its LAN discovery. */
  record Parts(
      Vertx vertx,
      LocalDiscovery.Settings settings,
      LocalDiscovery.Targets targets,
      Supplier<Announcement> announcement,
      HttpPeerClient client,
      long checkTimeoutMillis,
      boolean identity,
      PeerTable peers,
      String self,
      String bindHost,
      BiConsumer<String, String> problem,
      Consumer<String> clear) {}

  private final Parts p;
  private final LocalDiscovery discovery;

  LanPeers(Parts parts) {
    this.p = parts;
    this.discovery =
        new LocalDiscovery(
            p.vertx(),
            p.settings(),
            p.announcement(),
            // A once-only check, off the search path: a cold peer's first TLS handshake took over
            // 2 s on a loaded 2-core machine, and a failed check waits for the next announcement.
            new ProbeVerifier(p.client(), Math.max(4000, p.checkTimeoutMillis()), p.identity()),
            new LocalDiscovery.Table() {
              @Override
              public boolean knows(String url) {
                return p.peers().contains(url) || url.equals(p.self());
              }

              @Override
              public boolean add(LocalDiscovery.Verified v) {
                return addVerified(v);
              }
            },
            new LocalDiscovery.Problems() {
              @Override
              public void set(String area, String text) {
                p.problem().accept(area, text);
              }

              @Override
              public void clear(String area) {
                p.clear().accept(area);
              }
            },
            p.targets() != null ? p.targets() : loopbackOnly(p.bindHost()) ? NOWHERE : null);
  }

  /** Registers the counters and starts hearing and announcing. */
  LanPeers start(Metrics metrics) {
    String[][] outcomes = {
      {"heard", "Discovery packets heard"},
      {"invalid", "malformed (wrong magic, truncated, oversize, bad URL)"},
      {"rate_limited", "over their sender's rate"},
      {"own", "our own"},
      {"verify_failed", "heard URLs that failed verification"},
      {"added", "heard URLs verified and added to the table"}
    };
    for (String[] o : outcomes) {
      metrics.counter(
          "peer_discovery_total",
          "LAN discovery: packets heard, invalid, rate-limited, own; URLs verified and added or not",
          discovery,
          d -> count(d.stats(), o[0]),
          "outcome",
          o[0]);
    }
    discovery.start();
    return this;
  }

  LocalDiscovery discovery() {
    return discovery;
  }

  Future<?> close() {
    return discovery.close();
  }

  /**
   * Bound to loopback (the default {@code ip}), no other host could reach this peer: announcing it
   * on the LAN would only make the others try.
   */
  static boolean loopbackOnly(String host) {
    return host.startsWith("127.") || host.equals("::1") || host.equals("localhost");
  }

  private static double count(LocalDiscovery.Stats s, String outcome) {
    return switch (outcome) {
      case "heard" -> s.heard();
      case "invalid" -> s.invalid();
      case "rate_limited" -> s.rateLimited();
      case "own" -> s.own();
      case "verify_failed" -> s.verifyFailed();
      default -> s.added();
    };
  }

  /** A verified LAN peer: in the table as healthy, and bound to the id its secure port proved. */
  private boolean addVerified(LocalDiscovery.Verified v) {
    long now = System.currentTimeMillis();
    PeerTable peers = p.peers();
    Trust trust = v.id() == null ? Trust.NONE : Trust.saved(v.id());
    if (peers.add(v.url(), PeerTable.Source.LAN, now, trust) != PeerTable.AddResult.ADDED) {
      return false;
    }
    if (v.id() != null && !peers.proved(v.url(), v.id(), v.secureUrl(), null)) {
      return false;
    }
    peers.markSuccess(v.url(), v.rttMs(), now);
    return true;
  }

  /** The discovery counters of /status stats (zeros when it is off: {@code lan} null). */
  static JsonObject stats(LanPeers lan) {
    LocalDiscovery d = lan == null ? null : lan.discovery;
    LocalDiscovery.Stats s = d == null ? NONE : d.stats();
    return new JsonObject()
        .put("lan_discovery", d != null)
        .put("lan_port", d == null ? -1 : d.port())
        .put("lan_heard", s.heard())
        .put("lan_invalid", s.invalid())
        .put("lan_rate_limited", s.rateLimited())
        .put("lan_own", s.own())
        .put("lan_added", s.added())
        .put("lan_verify_failed", s.verifyFailed())
        .put("lan_verify_busy", s.verifyBusy())
        .put("lan_sent", s.sent())
        .put("lan_send_failures", s.sendFailures())
        .put("lan_cached", s.cached());
  }
}
