package io.peerd.search;

import io.peerd.peers.PeerTable;
import io.peerd.peers.PeerUrl;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.Collections;
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
 * <p>Lives on the owning verticle's event loop. Every neighbour call is bounded by
 * min(per-friend timeout, remaining budget) and recovered into an outcome, so one dead or hung
 * neighbour costs at most its timeout and never the others' results.
 */
public final class SearchService {

  /** Limits that make a search terminate and its answer bounded. */
  public record Settings(int maxFanout, long friendTimeoutMillis,
      long maxFilesPerPeer, int maxPeersPerAnswer) {}

  /** Counters exposed by /status; duplicates are how tests see suppression work. */
  public record Stats(long processed, long duplicates, long forwarded, long neighbourFailures,
      long neighbourTimeouts) {}

  /** Below this, a neighbour call cannot do anything useful: do not start it. */
  static final long MIN_CALL_MILLIS = 20;

  private final String self;
  private final Function<String, List<FileHit>> localSearch;
  private final PeerTable peers;
  private final SearchTransport transport;
  private final Settings settings;
  private final SeenQueries seen;
  private final LongSupplier clock;
  private final Random random;
  private long processed;
  private long duplicates;
  private long forwarded;
  private long neighbourFailures;
  private long neighbourTimeouts;

  public SearchService(String self, Function<String, List<FileHit>> localSearch, PeerTable peers,
      SearchTransport transport, Settings settings, SeenQueries seen, LongSupplier clock,
      Random random) {
    this.self = self;
    this.localSearch = localSearch;
    this.peers = peers;
    this.transport = transport;
    this.settings = settings;
    this.seen = seen;
    this.clock = clock;
    this.random = random;
  }

  public Stats stats() {
    return new Stats(processed, duplicates, forwarded, neighbourFailures, neighbourTimeouts);
  }

  /** A neighbour's answer or the reason it has none; never a failed future. */
  private record Outcome(String peer, SearchAnswer answer, String failure) {}

  public Future<SearchAnswer> search(SearchQuery q) {
    return search(q, r -> {});
  }

  /**
   * Like {@link #search(SearchQuery)}, and tells {@code progress} of each peer's result as soon
   * as it arrives (this peer's first, then each neighbour's subtree, each peer at most once), so
   * a client can render answers before the slowest neighbour is done.
   */
  public Future<SearchAnswer> search(SearchQuery q, Consumer<PeerResult> progress) {
    long start = clock.getAsLong();
    // A client's query has no origin yet: it is ours, and copies that come back say so.
    String origin = q.origin() == null && q.from() == null ? self : q.origin();
    if (!seen.firstTime(origin, q.id(), start)) {
      duplicates++;
      return Future.succeededFuture(new SearchAnswer(q.id(), q.text(), q.ttl(), 0, List.of(),
          List.of(), false, 0, 0, true));
    }
    processed++;
    PeerResult local = new PeerResult(self, cap(localSearch.apply(q.text())), q.hops());
    progress.accept(local);
    Set<String> told = new HashSet<>();
    told.add(self);
    int fanout = Math.min(Math.max(q.fanout(), 0), settings.maxFanout());
    List<String> targets = q.ttl() > 0 ? chooseNeighbours(q, fanout) : List.of();
    List<Future<Outcome>> calls = new ArrayList<>(targets.size());
    for (String n : targets) {
      calls.add(ask(n, q, start, targets).onSuccess(o -> tell(q, o, told, progress)));
    }
    return Future.join(calls).transform(ignored ->
        Future.succeededFuture(merge(q, fanout, local, calls, start)));
  }

  /**
   * Healthy neighbours, never the sender, the origin, nor a peer the sender also sent the query
   * to; a random sample of at most fanout.
   */
  List<String> chooseNeighbours(SearchQuery q, int fanout) {
    List<String> candidates = new ArrayList<>();
    for (String url : peers.healthyUrls()) {
      if (!url.equals(self) && !url.equals(q.from()) && !url.equals(q.origin())
          && !q.alsoSentTo().contains(url)) {
        candidates.add(url);
      }
    }
    Collections.shuffle(candidates, random);
    return candidates.subList(0, Math.min(fanout, candidates.size()));
  }

  private Future<Outcome> ask(String neighbour, SearchQuery q, long start, List<String> targets) {
    long remaining = q.budgetMillis() - (clock.getAsLong() - start);
    long timeout = Math.min(settings.friendTimeoutMillis(), remaining);
    if (timeout < MIN_CALL_MILLIS) {
      return Future.succeededFuture(new Outcome(neighbour, null, "timeout: no time left in the search budget"));
    }
    // The neighbour must answer before our call to it times out, so it gets a slightly smaller
    // budget; the margin grows with the budget and covers one network round trip.
    long margin = Math.max(5, Math.min(100, timeout / 10));
    forwarded++;
    List<String> siblings = new ArrayList<>(targets);
    siblings.remove(neighbour);
    return transport.forward(neighbour, q.forwarded(self, timeout - margin, siblings), timeout)
        .timeout(timeout, TimeUnit.MILLISECONDS)
        .map(answer -> {
          peers.markSuccess(neighbour, -1, clock.getAsLong());
          return new Outcome(neighbour, answer, null);
        })
        .otherwise(err -> {
          neighbourFailures++;
          String reason = reason(err);
          if (reason.startsWith("timeout")) {
            neighbourTimeouts++;
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
      if (told.size() < settings.maxPeersPerAnswer() && told.add(peer)) {
        progress.accept(new PeerResult(peer, cap(r.files()), hops(q, o, peer, r)));
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

  private SearchAnswer merge(SearchQuery q, int fanout, PeerResult local, List<Future<Outcome>> calls,
      long start) {
    Map<String, PeerResult> byPeer = new LinkedHashMap<>();
    byPeer.put(self, local);
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
        int hops = hops(q, o, peer, r);
        PeerResult known = byPeer.get(peer);
        if (known == null && byPeer.size() >= settings.maxPeersPerAnswer()) {
          partial = true;
          continue;
        }
        if (known == null || hops < known.hops()) {
          byPeer.put(peer, new PeerResult(peer, cap(r.files()), hops));
        }
      }
    }
    if (unreachable.size() > settings.maxPeersPerAnswer()) {
      unreachable = unreachable.subList(0, settings.maxPeersPerAnswer());
    }
    List<PeerResult> results = new ArrayList<>(byPeer.values());
    return new SearchAnswer(q.id(), q.text(), q.ttl(), fanout, results, unreachable, partial,
        results.size(), clock.getAsLong() - start, false);
  }

  private static String normalise(String peer) {
    String url = PeerUrl.tryParse(peer);
    return url != null ? url : peer;
  }

  private List<FileHit> cap(List<FileHit> files) {
    return files.size() <= settings.maxFilesPerPeer() ? files
        : files.subList(0, (int) settings.maxFilesPerPeer());
  }
}
