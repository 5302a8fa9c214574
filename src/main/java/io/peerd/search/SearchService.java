package io.peerd.search;

import io.peerd.peers.PeerTable;
import io.peerd.peers.PeerUrl;
import io.peerd.routing.Hop;
import io.peerd.routing.Mode;
import io.peerd.routing.Rules;
import io.peerd.routing.Strategy;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.LongSupplier;

/**
 * Runs a search at this peer: answers from the local index, forwards to randomly chosen healthy
 * neighbours while ttl and time remain, and merges what comes back into one answer per peer.
 *
 * <p>Lives on the owning verticle's event loop. Every neighbour call is bounded by min(per-friend
 * timeout, remaining budget) and recovered into an outcome, so one dead or hung neighbour costs at
 * most its timeout and never the others' results.
 */
public final class SearchService {

  /**
   * Limits that make a search terminate and its answer bounded.
   *
   * @param checkEvery walkers ask the origin whether to go on every this many hops (0: never)
   */
  public record Settings(
      int maxFanout,
      long friendTimeoutMillis,
      long maxFilesPerPeer,
      int maxPeersPerAnswer,
      int checkEvery) {

    public Settings(
        int maxFanout, long friendTimeoutMillis, long maxFilesPerPeer, int maxPeersPerAnswer) {
      this(maxFanout, friendTimeoutMillis, maxFilesPerPeer, maxPeersPerAnswer, 4);
    }
  }

  /**
   * Counters exposed by /status; duplicates are how tests see suppression work.
   *
   * @param processed queries seen for the first time
   * @param duplicates copies of a query seen before (dropped by a flood, walked on by a walker)
   * @param checks walkers' "still wanted?" calls to an origin
   */
  public record Stats(
      long processed,
      long duplicates,
      long forwarded,
      long neighbourFailures,
      long neighbourTimeouts,
      long checks,
      long timeoutsWhileLate,
      long busyHolds) {}

  /** What this peer knows of its neighbours' files; the seam to {@link Summaries}. */
  public interface NeighbourSummaries {
    NeighbourSummaries NONE = (url, text) -> false;

    /** True only when a summary of that peer is known and may hold a match. */
    boolean mayMatch(String peerUrl, String text);

    /** How many neighbours' summaries are known. */
    default int known() {
      return 0;
    }

    /**
     * That neighbour says its index is now at {@code generation}: true when the summary held is
     * older and is fetched again soon.
     */
    default boolean changed(String peerUrl, long generation) {
      return false;
    }
  }

  /** Below this, a neighbour call cannot do anything useful: do not start it. */
  static final long MIN_CALL_MILLIS = 20;

  /**
   * A timeout is not the neighbour's fault when this peer's own loop was behind by a tenth of the
   * wait or more: the answer may have come in time and been read late.
   */
  static final long SELF_LATE_FRACTION = 10;

  /** Walk searches this origin remembers for walkers' checks; the oldest go first. */
  static final int MAX_ACTIVE_WALKS = 10_000;

  /** How long a busy neighbour is first left alone when it gave no {@code Retry-After}. */
  static final long BUSY_HOLD_MILLIS = 1_000;

  /** The longest hold: a neighbour cannot ask to be skipped for longer, nor backs off further. */
  static final long MAX_BUSY_HOLD_MILLIS = 30_000;

  /** Busy neighbours remembered at once (one per neighbour: far more than a table holds). */
  static final int MAX_HELD = 1_024;

  private final String self;
  private final Function<SearchQuery, List<FileHit>> localSearch;
  private final PeerTable peers;
  private final SearchTransport transport;
  private final Settings settings;
  private final SeenQueries seen;
  private final LongSupplier clock;
  private final Random random;
  private final NeighbourSummaries summaries;
  private final LoopDelay loop;

  /** Walk searches started here and still running: id -> {results found, results wanted}. */
  private final Map<String, int[]> activeWalks =
      new LinkedHashMap<>(16, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, int[]> eldest) {
          return size() > MAX_ACTIVE_WALKS;
        }
      };

  /**
   * Neighbours that answered "busy" (503 or 429): until when (this service's clock) each is left
   * out of routing, and how many busy answers in a row it gave. Busy is not down: the neighbour is
   * alive and asked us to come back in {@code Retry-After}. Counting it a failure kept it out for
   * the whole probe backoff (10 s to minutes), so a peer that shed one query for a moment was lost
   * to every search here (bench/overload.sh: 94 % of searches local). Busy answers in a row double
   * the wait, as the usual backoff does, so a peer that stays overloaded is not asked every second.
   */
  private final Map<String, Hold> held = new LinkedHashMap<>();

  private record Hold(long until, int streak) {}

  private long processed;
  private long busyHolds;
  private long duplicates;
  private long forwarded;
  private long neighbourFailures;
  private long neighbourTimeouts;
  private long selfLate;
  private long checks;

  public SearchService(
      String self,
      Function<SearchQuery, List<FileHit>> localSearch,
      PeerTable peers,
      SearchTransport transport,
      Settings settings,
      SeenQueries seen,
      LongSupplier clock,
      Random random) {
    this(
        self,
        localSearch,
        peers,
        transport,
        settings,
        seen,
        clock,
        random,
        NeighbourSummaries.NONE,
        LoopDelay.NONE);
  }

  public SearchService(
      String self,
      Function<SearchQuery, List<FileHit>> localSearch,
      PeerTable peers,
      SearchTransport transport,
      Settings settings,
      SeenQueries seen,
      LongSupplier clock,
      Random random,
      NeighbourSummaries summaries,
      LoopDelay loop) {
    this.loop = loop;
    this.self = self;
    this.localSearch = localSearch;
    this.peers = peers;
    this.transport = transport;
    this.settings = settings;
    this.seen = seen;
    this.clock = clock;
    this.random = random;
    this.summaries = summaries;
  }

  public Stats stats() {
    return new Stats(
        processed,
        duplicates,
        forwarded,
        neighbourFailures,
        neighbourTimeouts,
        checks,
        selfLate,
        busyHolds);
  }

  public int summariesKnown() {
    return summaries.known();
  }

  /** A neighbour's notice that its index changed ({@code POST /summary/changed}). */
  public boolean summaryChanged(String peerUrl, long generation) {
    return summaries.changed(peerUrl, generation);
  }

  /** A neighbour's answer or the reason it has none; never a failed future. */
  private record Outcome(String peer, SearchAnswer answer, String failure) {}

  public Future<SearchAnswer> search(SearchQuery q) {
    return search(q, r -> {});
  }

  /**
   * Like {@link #search(SearchQuery)}, and tells {@code progress} of each peer's result as soon as
   * it arrives (this peer's first, then each neighbour's subtree, each peer at most once), so a
   * client can render answers before the slowest neighbour is done.
   */
  public Future<SearchAnswer> search(SearchQuery q, Consumer<PeerResult> progress) {
    long start = clock.getAsLong();
    // A client's query has no origin yet: it is ours, and copies that come back say so.
    boolean atOrigin = q.origin() == null && q.from() == null;
    String origin = atOrigin ? self : q.origin();
    boolean first = seen.firstTime(originKey(origin), q.id(), start);
    Strategy strategy = q.mode().strategy();
    if (first) {
      processed++;
    } else {
      duplicates++;
      if (q.mode() == Mode.FLOOD) {
        return Future.succeededFuture(
            new SearchAnswer(
                q.id(), q.text(), q.ttl(), 0, List.of(), List.of(), false, 0, 0, true));
      }
    }
    List<FileHit> mine = cap(localSearch.apply(q));
    int fanout = Math.min(Math.max(q.fanout(), 0), settings.maxFanout());
    Rules rules =
        new Rules(fanout, Math.max(1, q.walkers()), Math.max(1, q.wanted()), settings.checkEvery());
    List<String> neighbours = neighbours();
    // Summaries hold name trigrams: a root says nothing to them, nor does a query under 3
    // characters.
    boolean judgeable = q.root() == null && q.text().length() >= 3;
    Hop hop =
        new Hop(
            neighbours.size(),
            q.from() == null ? -1 : neighbours.indexOf(q.from()),
            atOrigin,
            q.ttl(),
            q.hops(),
            !first,
            mine.size(),
            i -> excluded(neighbours.get(i), q),
            i -> judgeable && summaries.mayMatch(neighbours.get(i), q.text()));
    // A walker passing again walks on but does not answer twice.
    PeerResult local = strategy.answers(hop) ? new PeerResult(self, mine, q.hops()) : null;
    Set<String> told = new HashSet<>();
    told.add(self);
    if (local != null) {
      progress.accept(local);
    }
    List<String> targets = new ArrayList<>();
    for (int i : strategy.next(hop, rules, random)) {
      targets.add(neighbours.get(i));
    }
    // A seed peer forwards without an origin: there is nobody to check with, so walk on.
    Future<List<String>> go =
        !targets.isEmpty()
                && strategy.checksOrigin(hop, rules)
                && origin != null
                && !origin.equals(self)
            ? stillWanted(origin, q, start).map(yes -> yes ? targets : List.<String>of())
            : Future.succeededFuture(targets);
    if (atOrigin && q.mode() != Mode.FLOOD) {
      activeWalks.put(q.id(), new int[] {0, rules.wanted()});
    }
    return go.compose(
        chosen -> {
          List<Future<Outcome>> calls = new ArrayList<>(chosen.size());
          for (String n : chosen) {
            calls.add(
                ask(n, q, start, chosen)
                    .onSuccess(
                        o -> {
                          tell(q, o, told, progress);
                          found(q, o);
                        }));
          }
          return Future.join(calls)
              .transform(
                  ignored -> {
                    activeWalks.remove(q.id());
                    return Future.succeededFuture(merge(q, fanout, local, calls, start, !first));
                  });
        });
  }

  /**
   * Answers a walker's check: go on while this origin's walk search runs and has fewer results than
   * wanted. An unknown id (finished, or never ours) says stop.
   */
  public boolean stillWanted(String id) {
    int[] progress = activeWalks.get(id);
    return progress != null && progress[0] < progress[1];
  }

  private void found(SearchQuery q, Outcome o) {
    int[] progress = activeWalks.get(q.id());
    if (progress != null && o.answer() != null) {
      for (PeerResult r : o.answer().results()) {
        progress[0] += r.files().size();
      }
    }
  }

  /**
   * A check that fails (a seed origin, a slow one) lets the walker go on: never lose results to it.
   */
  private Future<Boolean> stillWanted(String origin, SearchQuery q, long start) {
    long remaining = q.budgetMillis() - (clock.getAsLong() - start);
    long timeout = Math.min(settings.friendTimeoutMillis(), remaining / 2);
    if (timeout < MIN_CALL_MILLIS) {
      return Future.succeededFuture(true);
    }
    checks++;
    return transport
        .stillWanted(origin, q.id(), timeout)
        .timeout(timeout, TimeUnit.MILLISECONDS)
        .otherwise(true);
  }

  /** The origin's id when the table binds one to its URL, the URL otherwise. */
  private String originKey(String origin) {
    if (origin == null) {
      return null;
    }
    io.peerd.identity.PeerId id = peers.idOf(origin);
    return id == null ? origin : "id:" + id.base32();
  }

  /** Healthy neighbours other than this peer and not held as busy, in the table's order. */
  private List<String> neighbours() {
    long now = clock.getAsLong();
    // Kept a while past its end, for the streak; a hold too far ahead follows a step back.
    held.values()
        .removeIf(
            h -> now - h.until() > MAX_BUSY_HOLD_MILLIS || h.until() - now > MAX_BUSY_HOLD_MILLIS);
    List<String> out = new ArrayList<>();
    for (String url : peers.healthyUrls()) {
      Hold h = held.get(url);
      if (!url.equals(self) && (h == null || h.until() <= now)) {
        out.add(url);
      }
    }
    return out;
  }

  /** A neighbour said "busy": it is skipped for what it asked, and its health is not touched. */
  private void hold(String neighbour, long retryAfterMillis) {
    Hold before = held.remove(neighbour);
    int streak = before == null ? 1 : Math.min(before.streak() + 1, 16);
    long base =
        Math.min(MAX_BUSY_HOLD_MILLIS, retryAfterMillis < 0 ? BUSY_HOLD_MILLIS : retryAfterMillis);
    long wait = Math.min(MAX_BUSY_HOLD_MILLIS, base << (streak - 1));
    if (held.size() >= MAX_HELD) {
      held.remove(held.keySet().iterator().next());
    }
    held.put(neighbour, new Hold(clock.getAsLong() + wait, streak));
    busyHolds++;
  }

  /** The origin, and the peers the sender also sent this query to, never get it from us. */
  private static boolean excluded(String url, SearchQuery q) {
    return url.equals(q.origin()) || q.alsoSentTo().contains(url);
  }

  private Future<Outcome> ask(String neighbour, SearchQuery q, long start, List<String> targets) {
    long remaining = q.budgetMillis() - (clock.getAsLong() - start);
    boolean flood = q.mode() == Mode.FLOOD;
    // A walker's call lasts as long as the rest of its walk, so only the budget bounds it.
    long timeout = flood ? Math.min(settings.friendTimeoutMillis(), remaining) : remaining;
    if (timeout < MIN_CALL_MILLIS) {
      return Future.succeededFuture(
          new Outcome(neighbour, null, "timeout: no time left in the search budget"));
    }
    // The neighbour must answer before our call to it times out, so it gets a slightly smaller
    // budget; the margin grows with the budget and covers one network round trip. Walks nest
    // dozens of calls deep, so theirs is smaller.
    long margin =
        flood ? Math.max(5, Math.min(100, timeout / 10)) : Math.max(5, Math.min(25, timeout / 20));
    forwarded++;
    List<String> siblings = new ArrayList<>(targets);
    siblings.remove(neighbour);
    long mark = loop.mark();
    return transport
        .forward(neighbour, q.forwarded(self, timeout - margin, siblings), timeout)
        .timeout(timeout, TimeUnit.MILLISECONDS)
        .map(
            answer -> {
              peers.markSuccess(neighbour, -1, clock.getAsLong());
              held.remove(neighbour);
              return new Outcome(neighbour, answer, null);
            })
        .otherwise(
            err -> {
              neighbourFailures++;
              String reason = reason(err);
              if (err instanceof PeerCallException p && "busy".equals(p.reason())) {
                hold(neighbour, p.retryAfterMillis());
                return new Outcome(neighbour, null, reason);
              }
              if (reason.startsWith("timeout")) {
                neighbourTimeouts++;
                long late = loop.maxSinceMillis(mark);
                if (late * SELF_LATE_FRACTION >= timeout) {
                  // This peer was behind for a good part of the wait: no fault of the neighbour's.
                  selfLate++;
                  return new Outcome(
                      neighbour, null, "timeout: this peer was " + late + " ms behind itself");
                }
              }
              peers.markFailure(neighbour, clock.getAsLong());
              return new Outcome(neighbour, null, reason);
            });
  }

  private void tell(SearchQuery q, Outcome o, Set<String> told, Consumer<PeerResult> progress) {
    if (o.answer() == null) {
      return;
    }
    for (PeerResult r : o.answer().results()) {
      String peer = normalise(r.peer());
      // A peer whose identity this one refused is not used, not even as another's result.
      if (peers.refusedIdentity(peer)) {
        continue;
      }
      if (told.size() < settings.maxPeersPerAnswer() && told.add(peer)) {
        progress.accept(new PeerResult(peer, keep(q, r.files()), hops(q, o, peer, r)));
      }
    }
  }

  /** Seed peers do not report hops: their own entry is one hop away, the rest two. */
  private static int hops(SearchQuery q, Outcome o, String peer, PeerResult r) {
    return r.hops() >= 0 ? r.hops() : (peer.equals(o.peer()) ? q.hops() + 1 : q.hops() + 2);
  }

  static String reason(Throwable err) {
    if (err instanceof PeerCallException p) {
      return p.getMessage();
    }
    if (err instanceof TimeoutException) {
      return "timeout";
    }
    return "error: " + err.getClass().getSimpleName();
  }

  private SearchAnswer merge(
      SearchQuery q,
      int fanout,
      PeerResult local,
      List<Future<Outcome>> calls,
      long start,
      boolean duplicate) {
    Map<String, PeerResult> byPeer = new LinkedHashMap<>();
    if (local != null) {
      byPeer.put(self, local);
    }
    List<Unreachable> unreachable = new ArrayList<>();
    boolean partial = false;
    for (Future<Outcome> f : calls) {
      Outcome o = f.result();
      if (o.failure() != null) {
        unreachable.add(new Unreachable(o.peer(), o.failure()));
        partial = true;
        continue;
      }
      SearchAnswer a = o.answer();
      partial |= a.partial();
      unreachable.addAll(a.unreachable());
      for (PeerResult r : a.results()) {
        String peer = normalise(r.peer());
        if (peers.refusedIdentity(peer)) {
          continue;
        }
        int hops = hops(q, o, peer, r);
        PeerResult known = byPeer.get(peer);
        if (known == null && byPeer.size() >= settings.maxPeersPerAnswer()) {
          partial = true;
          continue;
        }
        if (known == null || hops < known.hops()) {
          byPeer.put(peer, new PeerResult(peer, keep(q, r.files()), hops));
        }
      }
    }
    if (unreachable.size() > settings.maxPeersPerAnswer()) {
      unreachable = unreachable.subList(0, settings.maxPeersPerAnswer());
    }
    List<PeerResult> results = new ArrayList<>(byPeer.values());
    return new SearchAnswer(
        q.id(),
        q.text(),
        q.ttl(),
        fanout,
        results,
        unreachable,
        partial,
        results.size(),
        clock.getAsLong() - start,
        duplicate);
  }

  private static String normalise(String peer) {
    String url = PeerUrl.tryParse(peer);
    return url != null ? url : peer;
  }

  /**
   * A neighbour's files as this answer keeps them: for a search by root only that content (a seed
   * peer knows no roots and may answer with anything; it never counts as a source of it), capped.
   */
  private List<FileHit> keep(SearchQuery q, List<FileHit> files) {
    if (q.root() == null) {
      return cap(files);
    }
    return cap(files.stream().filter(f -> q.root().equals(f.root())).toList());
  }

  private List<FileHit> cap(List<FileHit> files) {
    return files.size() <= settings.maxFilesPerPeer()
        ? files
        : files.subList(0, (int) settings.maxFilesPerPeer());
  }
}
