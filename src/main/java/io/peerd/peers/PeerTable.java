package io.peerd.peers;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The bounded set of peers this one knows, with their health. Owned by one verticle and only
 * touched on its event loop, so it needs no locks; every method is O(table size) at worst.
 *
 * <p>Health follows a simple state machine: a success makes a peer healthy and resets its failures;
 * a failure (from a probe or from the search path) makes it unhealthy at once and schedules the
 * next probe with exponential backoff, capped; a peer that has failed for longer than {@code
 * forgetAfter} is dropped unless it is a configured friend.
 */
public final class PeerTable {

  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(PeerTable.class);

  private final String self;
  private final int capacity;
  private final Duration probeInterval;
  private final Duration maxBackoff;
  private final Duration forgetAfter;
  private final Map<String, PeerState> peers = new LinkedHashMap<>();

  /** Bumped on every change worth saving; the store compares it with what it last wrote. */
  private long version;

  public PeerTable(
      String self,
      int capacity,
      Duration probeInterval,
      Duration maxBackoff,
      Duration forgetAfter) {
    this.self = self;
    this.capacity = capacity;
    this.probeInterval = probeInterval;
    this.maxBackoff = maxBackoff;
    this.forgetAfter = forgetAfter;
  }

  /** Result of {@link #add}: whether the URL is in the table now, and why not if it is not. */
  public enum AddResult {
    ADDED,
    KNOWN,
    SELF,
    FULL
  }

  /**
   * Where a peer came from decides how far it is trusted before a probe: friends and peers that
   * registered themselves are tried at once; addresses heard from others (peer exchange, the saved
   * table) are only used for search once a probe has answered.
   */
  public enum Source {
    FRIEND(true, true),
    REGISTERED(false, true),
    EXCHANGE(false, false),
    SAVED(false, false);

    final boolean pinned;
    final boolean trusted;

    Source(boolean pinned, boolean trusted) {
      this.pinned = pinned;
      this.trusted = trusted;
    }
  }

  /**
   * Adds a peer (already validated by {@link PeerUrl}). When the table is full the least useful
   * unpinned peer (unhealthy first, then the longest unseen) makes room; if every peer is pinned,
   * the new one is refused.
   */
  public AddResult add(String url, Source source, long now) {
    return add(new PeerState(url, source.trusted, 0, 0, -1, now, source.pinned, now));
  }

  /**
   * Restores a saved peer with its history, untrusted until probed (it may be long gone) and
   * unpinned (only the current config makes friends).
   */
  public AddResult restore(PeerState saved, long now) {
    return add(
        new PeerState(
            saved.url(),
            false,
            saved.lastSeenMillis(),
            saved.failures(),
            saved.rttMs(),
            now,
            false,
            saved.addedMillis() > 0 ? saved.addedMillis() : now));
  }

  private AddResult add(PeerState fresh) {
    String url = fresh.url();
    boolean pinned = fresh.pinned();
    if (url.equals(self)) {
      return AddResult.SELF;
    }
    PeerState existing = peers.get(url);
    if (existing != null) {
      if (pinned) {
        peers.put(url, existing.pin());
      }
      return AddResult.KNOWN;
    }
    if (peers.size() >= capacity && !evictOne()) {
      return AddResult.FULL;
    }
    peers.put(url, fresh);
    version++;
    return AddResult.ADDED;
  }

  private boolean evictOne() {
    return peers.values().stream()
        .filter(p -> !p.pinned())
        .min(
            Comparator.comparing(PeerState::healthy)
                .thenComparingLong(PeerState::lastSeenMillis)
                .thenComparingLong(PeerState::addedMillis))
        .map(
            victim -> {
              version++;
              return peers.remove(victim.url()) != null;
            })
        .orElse(false);
  }

  /** This peer's own URL: never in the table. */
  public String self() {
    return self;
  }

  public PeerState get(String url) {
    return peers.get(url);
  }

  public boolean contains(String url) {
    return peers.containsKey(url);
  }

  public int size() {
    return peers.size();
  }

  public List<PeerState> all() {
    return List.copyOf(peers.values());
  }

  public List<String> urls() {
    return List.copyOf(peers.keySet());
  }

  public List<String> healthyUrls() {
    List<String> out = new ArrayList<>();
    for (PeerState p : peers.values()) {
      if (p.healthy()) {
        out.add(p.url());
      }
    }
    return out;
  }

  public void markSuccess(String url, long rttMs, long now) {
    version++;
    peers.computeIfPresent(url, (k, p) -> p.succeeded(now, rttMs, now + probeInterval.toMillis()));
  }

  public void markFailure(String url, long now) {
    version++;
    peers.computeIfPresent(url, (k, p) -> p.failed(now + backoff(p.failures() + 1)));
  }

  public long version() {
    return version;
  }

  /** interval * 2^(failures-1), capped: 1x, 2x, 4x ... maxBackoff. */
  long backoff(int failures) {
    long base = probeInterval.toMillis();
    int shift = Math.min(Math.max(failures - 1, 0), 30);
    long b = base << shift;
    return b <= 0 ? maxBackoff.toMillis() : Math.min(b, Math.max(base, maxBackoff.toMillis()));
  }

  /** Peers whose next probe is due. */
  public List<String> dueForProbe(long now) {
    List<String> out = new ArrayList<>();
    for (PeerState p : peers.values()) {
      if (p.nextProbeMillis() <= now) {
        out.add(p.url());
      }
    }
    return out;
  }

  /** Drops unpinned peers that have been failing for longer than forgetAfter; returns them. */
  public List<String> forgetExpired(long now) {
    List<String> gone = new ArrayList<>();
    peers
        .values()
        .removeIf(
            p -> {
              long since = p.lastSeenMillis() > 0 ? p.lastSeenMillis() : p.addedMillis();
              boolean expired = !p.pinned() && !p.healthy() && now - since > forgetAfter.toMillis();
              if (expired) {
                gone.add(p.url());
                version++;
                LOG.info(
                    "{}: peer {} forgotten after {} s unreachable",
                    self,
                    p.url(),
                    (now - since) / 1000);
              }
              return expired;
            });
    return gone;
  }
}
