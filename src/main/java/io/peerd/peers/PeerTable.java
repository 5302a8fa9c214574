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
  private final Policy policy;

  /**
   * The ids of bound peers that were forgotten or evicted, by URL, at most {@code capacity}: a URL
   * that comes back must prove the same id, or a new certificate would be taken on first contact.
   */
  private final Map<String, io.peerd.identity.PeerId> remembered;

  /**
   * Whom this peer believes.
   *
   * @param self this peer's id, null when it has none ({@code identity: false})
   * @param allowUnauthenticated whether peers that proved no id may be used
   */
  public record Policy(io.peerd.identity.PeerId self, boolean allowUnauthenticated) {
    public static final Policy OPEN = new Policy(null, true);
  }

  /** Bumped on every change worth saving; the store compares it with what it last wrote. */
  private long version;

  public PeerTable(
      String self,
      int capacity,
      Duration probeInterval,
      Duration maxBackoff,
      Duration forgetAfter) {
    this(self, capacity, probeInterval, maxBackoff, forgetAfter, Policy.OPEN);
  }

  public PeerTable(
      String self,
      int capacity,
      Duration probeInterval,
      Duration maxBackoff,
      Duration forgetAfter,
      Policy policy) {
    this.policy = policy;
    this.self = self;
    this.remembered =
        new LinkedHashMap<>(16, 0.75f, false) {
          @Override
          protected boolean removeEldestEntry(Map.Entry<String, io.peerd.identity.PeerId> e) {
            return size() > Math.max(1, capacity);
          }
        };
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
    SAVED(false, false),
    /** Heard on the LAN and verified before it was added (see {@code discovery}). */
    LAN(false, false);

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
    return add(url, source, now, Trust.NONE);
  }

  /** Adds a peer whose identity is already known in part (a pinned friend, a signed record). */
  public AddResult add(String url, Source source, long now, Trust trust) {
    io.peerd.identity.PeerId known = remembered.get(url);
    if (known != null && !trust.bound()) {
      trust = new Trust(known, false, null, false, null, trust.record());
    }
    AddResult r = add(new PeerState(url, source.trusted, 0, 0, -1, now, source.pinned, now, trust));
    PeerState existing = peers.get(url);
    if (r == AddResult.KNOWN && trust.configured() && !trust.equals(existing.trust())) {
      // The config's pin outranks whatever was learned or saved.
      peers.put(url, existing.with(trust));
      version++;
    }
    return r;
  }

  /**
   * Restores a saved peer with its history, untrusted until probed (it may be long gone) and
   * unpinned (only the current config makes friends).
   */
  public AddResult restore(PeerState saved, long now) {
    PeerState existing = peers.get(saved.url());
    if (existing != null && !existing.trust().bound() && saved.trust().bound()) {
      // A friend unpinned in the config: the id it proved before the restart is still its id.
      peers.put(saved.url(), existing.with(saved.trust()));
      version++;
      return AddResult.KNOWN;
    }
    return add(
        new PeerState(
            saved.url(),
            false,
            saved.lastSeenMillis(),
            saved.failures(),
            saved.rttMs(),
            now,
            false,
            saved.addedMillis() > 0 ? saved.addedMillis() : now,
            saved.trust()));
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
              remember(victim);
              return peers.remove(victim.url()) != null;
            })
        .orElse(false);
  }

  private void remember(PeerState p) {
    if (p.trust().bound()) {
      remembered.put(p.url(), p.trust().id());
    }
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

  /** Healthy peers that may be used: an identity refused or unproved keeps a peer out. */
  public List<String> healthyUrls() {
    List<String> out = new ArrayList<>();
    for (PeerState p : peers.values()) {
      if (p.healthy() && link(p).refused() == null) {
        out.add(p.url());
      }
    }
    return out;
  }

  /** {@code healthyUrls().size()}, without the list. */
  public int healthyCount() {
    int n = 0;
    for (PeerState p : peers.values()) {
      if (p.healthy() && link(p).refused() == null) {
        n++;
      }
    }
    return n;
  }

  public Policy policy() {
    return policy;
  }

  /**
   * How a call to that peer must go: over its secure URL checking its id when it has one, plain
   * when it is an unauthenticated peer and those are allowed, not at all otherwise. A URL not in
   * the table is a plain call (the origin of a search, a source found by search) when allowed.
   */
  public Link link(String url) {
    PeerState p = peers.get(url);
    if (url.equals(self)) {
      // This peer's own REST port (a download's lookup goes through its own search).
      return Link.plain(url);
    }
    if (p == null) {
      return policy.allowUnauthenticated()
          ? Link.plain(url)
          : Link.refuse(
              url, "not a peer that proved its id (allow_unauthenticated_peers is false)");
    }
    return link(p);
  }

  /**
   * {@link #link(String)} for a gRPC address: the peer whose REST or secure URL is at that host and
   * port (gRPC is served on both). An address of no known peer is a plain call when allowed.
   */
  public Link linkAt(String host, int port) {
    String at = "://" + host + ":" + port;
    if (self.endsWith(at)) {
      return Link.plain(self);
    }
    for (PeerState p : peers.values()) {
      String secure = p.trust().secureUrl();
      if (p.url().endsWith(at) || (secure != null && secure.endsWith(at))) {
        return link(p);
      }
    }
    return policy.allowUnauthenticated()
        ? Link.plain(null)
        : Link.refuse(null, "not a peer that proved its id (allow_unauthenticated_peers is false)");
  }

  private Link link(PeerState p) {
    Trust t = p.trust();
    if (t.problem() != null && !t.authenticated()) {
      return Link.refuse(p.url(), t.problem());
    }
    if (policy.self() != null && t.bound() && t.secureUrl() != null) {
      return Link.secure(t.secureUrl(), t.id());
    }
    if (policy.self() != null && t.bound()) {
      return Link.refuse(p.url(), "not authenticated yet: its secure port has not answered");
    }
    if (!policy.allowUnauthenticated()) {
      return Link.refuse(p.url(), "unauthenticated (allow_unauthenticated_peers is false)");
    }
    return Link.plain(p.url());
  }

  /**
   * Its secure port presented the expected id: the peer is authenticated (and bound to it).
   *
   * @return false, changing nothing, when the peer got bound to another id meanwhile (two probes,
   *     or a probe and a config pin, raced): that id stands
   */
  public boolean proved(
      String url, io.peerd.identity.PeerId id, String secureUrl, io.peerd.identity.PeerRecord rec) {
    PeerState p = peers.get(url);
    if (p == null || (p.trust().id() != null && !p.trust().id().equals(id))) {
      return false;
    }
    update(url, s -> s.with(s.trust().proved(id, secureUrl, rec)));
    return true;
  }

  /** Its identity was refused: unused, and probed again only after the usual backoff. */
  public void refuse(String url, String why, long now) {
    update(url, p -> p.with(p.trust().refused(why)).failed(now + backoff(p.failures() + 1)));
  }

  /** It answered, but without a secure port: a plain, unauthenticated peer. */
  public void unauthenticated(String url, String why) {
    update(url, p -> p.with(p.trust().unauthenticated(why)));
  }

  private void update(String url, java.util.function.UnaryOperator<PeerState> change) {
    PeerState before = peers.get(url);
    if (before != null) {
      PeerState after = change.apply(before);
      if (!after.equals(before)) {
        peers.put(url, after);
        version++;
      }
    }
  }

  /** What a verified record did to the table. */
  public enum Learned {
    /** A new peer, bound to the record's id. */
    ADDED,
    /** A newer record of a peer already known under that id. */
    UPDATED,
    /** The same record again. */
    KNOWN,
    /** Older than the one held: a replay, dropped. */
    STALE,
    /** Its URL is known under another id: dropped, the id already bound wins. */
    CONFLICT,
    /** Ours, or no room. */
    IGNORED
  }

  /** Takes a record whose signature has been checked. */
  public Learned learn(io.peerd.identity.PeerRecord rec, long now) {
    String url = PeerUrl.tryParse(rec.restUrl());
    String secure = rec.secureUrl() == null ? null : PeerUrl.tryParse(rec.secureUrl());
    if (url == null
        || (rec.secureUrl() != null && (secure == null || !secure.startsWith("https:")))) {
      return Learned.CONFLICT;
    }
    if (url.equals(self) || rec.id().equals(policy.self())) {
      return Learned.IGNORED;
    }
    PeerState p = peers.get(url);
    if (p == null) {
      return add(url, Source.EXCHANGE, now, Trust.hint(rec)) == AddResult.ADDED
          ? Learned.ADDED
          : Learned.IGNORED;
    }
    Trust t = p.trust();
    // The id the URL is bound to, or (unbound) the one of the first record heard for it.
    io.peerd.identity.PeerId owner =
        t.id() != null ? t.id() : t.record() != null ? t.record().id() : null;
    if (owner != null && !rec.id().equals(owner)) {
      return Learned.CONFLICT;
    }
    long held = t.record() == null ? Long.MIN_VALUE : t.record().seq();
    if (rec.seq() < held) {
      return Learned.STALE;
    }
    if (rec.seq() == held) {
      return Learned.KNOWN;
    }
    update(url, s -> s.with(t.withRecord(rec)));
    return Learned.UPDATED;
  }

  /** Records of the peers that proved their id, for peer exchange (at most max). */
  public List<io.peerd.identity.PeerRecord> records(int max) {
    List<io.peerd.identity.PeerRecord> out = new ArrayList<>();
    for (PeerState p : peers.values()) {
      if (out.size() < max && p.trust().authenticated() && p.trust().record() != null) {
        out.add(p.trust().record());
      }
    }
    return out;
  }

  /**
   * The id that URL is bound to (pinned, proved, signed for), or null: what duplicate suppression
   * keys a search's origin on, so one peer under two addresses is one origin.
   */
  public io.peerd.identity.PeerId idOf(String url) {
    if (url.equals(self)) {
      return policy.self();
    }
    PeerState p = peers.get(url);
    return p == null ? null : p.trust().id();
  }

  /** That URL's identity was refused (a mismatch, or a pinned id never proved). */
  public boolean refusedIdentity(String url) {
    PeerState p = peers.get(url);
    return p != null && p.trust().problem() != null && !p.trust().authenticated();
  }

  /** The entry that proved this id, or null. */
  public PeerState byId(io.peerd.identity.PeerId id) {
    for (PeerState p : peers.values()) {
      if (id.equals(p.authenticatedId())) {
        return p;
      }
    }
    return null;
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

  /**
   * Peers whose next probe is due. The times are on the wall clock, since {@code /peers} shows them
   * as dates; a next probe further off than the longest backoff can only follow a step back of that
   * clock (NTP, {@code date -s}), and is due now rather than after the step's length.
   */
  public List<String> dueForProbe(long now) {
    List<String> out = new ArrayList<>();
    long longest = Math.max(probeInterval.toMillis(), maxBackoff.toMillis());
    for (PeerState p : peers.values()) {
      if (p.nextProbeMillis() <= now || p.nextProbeMillis() - now > longest) {
        out.add(p.url());
      }
    }
    return out;
  }

  /**
   * Failed probes in a row a peer needs before it is forgotten: as many as fit in half of
   * forgetAfter at the longest backoff. The probes run on the monotonic timers, where the dates
   * compared with forgetAfter are wall times: a step forward of the wall clock longer than
   * forgetAfter would otherwise forget at once a peer that had failed once, a moment ago.
   */
  int failuresToForget() {
    long longest = Math.max(probeInterval.toMillis(), maxBackoff.toMillis());
    return (int) Math.max(1, Math.min(1_000, forgetAfter.toMillis() / (2 * Math.max(1, longest))));
  }

  /**
   * Drops unpinned peers that have been failing for longer than forgetAfter, over at least {@link
   * #failuresToForget} probes; returns them.
   */
  public List<String> forgetExpired(long now) {
    List<String> gone = new ArrayList<>();
    int enough = failuresToForget();
    peers
        .values()
        .removeIf(
            p -> {
              long since = p.lastSeenMillis() > 0 ? p.lastSeenMillis() : p.addedMillis();
              boolean expired =
                  !p.pinned()
                      && !p.healthy()
                      && p.failures() >= enough
                      && now - since > forgetAfter.toMillis();
              if (expired) {
                gone.add(p.url());
                remember(p);
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
