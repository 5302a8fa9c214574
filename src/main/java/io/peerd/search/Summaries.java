package io.peerd.search;

import io.peerd.routing.NameSummary;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.LongSupplier;

/**
 * The name summaries of this peer's neighbours, fetched when a neighbour is first healthy and
 * re-checked every refresh interval with the generation we hold, so an unchanged neighbour costs a
 * few bytes. Only peers in the table are kept, so the map is bounded by the table.
 *
 * <p>A neighbour whose index changes says so ({@link #announce}, {@code POST /summary/changed}),
 * and its summary is fetched again at the next round (at most once a second per neighbour), so a
 * file added there is routed to within about a second. A neighbour that cannot say so (the seed) is
 * as fresh as the last interval's round.
 */
public final class Summaries implements SearchService.NeighbourSummaries {

  /** This peer's own summary, for {@code GET /summary}. */
  public record Local(long generation, NameSummary summary) {}

  private record Entry(long generation, NameSummary summary, long fetchedAt) {}

  /** Largest neighbour summary kept (64 KiB); a larger one is treated as none. */
  static final int MAX_REMOTE_BITS = 1 << 19;

  /** A neighbour's notices make its summary due again no sooner than this after the last fetch. */
  public static final long MIN_REFETCH_MILLIS = 1000;

  /** All neighbours' summaries together stay under this; past it, new ones are not kept. */
  static final long MAX_TOTAL_BYTES = 4L << 20;

  private final SearchTransport transport;
  private final long refreshMillis;
  private final long timeoutMillis;
  private final LongSupplier clock;
  private final Map<String, Entry> known = new HashMap<>();

  /**
   * The generation a neighbour's last notice named, until a fetch has seen it: a notice that
   * arrives while a fetch is under way is not lost to that fetch's older answer. Bounded like
   * {@link #known}: by the table.
   */
  private final Map<String, Long> noticed = new HashMap<>();

  private boolean running;

  public Summaries(
      SearchTransport transport, long refreshMillis, long timeoutMillis, LongSupplier clock) {
    this.transport = transport;
    this.refreshMillis = refreshMillis;
    this.timeoutMillis = timeoutMillis;
    this.clock = clock;
  }

  @Override
  public boolean mayMatch(String peerUrl, String text) {
    Entry e = known.get(peerUrl);
    return e != null && e.summary() != null && e.summary().mayMatch(text);
  }

  /** Neighbours whose summary we hold. */
  @Override
  public int known() {
    int n = 0;
    for (Entry e : known.values()) {
      n += e.summary() != null ? 1 : 0;
    }
    return n;
  }

  /**
   * A neighbour's notice: its index is at {@code generation}. Only a neighbour whose summary we
   * hold, at another generation, is made due, so a forged notice costs at most one conditional
   * fetch of a peer already in the table, once a second.
   */
  @Override
  public boolean changed(String peerUrl, long generation) {
    Entry e = known.get(peerUrl);
    if (e == null || e.summary() == null || e.generation() == generation) {
      return false;
    }
    noticed.put(peerUrl, generation);
    known.put(peerUrl, dueSoon(e));
    return true;
  }

  /** That entry, due for a fetch at the next round, but no sooner than a second after its last. */
  private Entry dueSoon(Entry e) {
    long due = Math.max(clock.getAsLong(), e.fetchedAt() + MIN_REFETCH_MILLIS);
    return new Entry(e.generation(), e.summary(), Math.min(e.fetchedAt(), due - refreshMillis));
  }

  /** After a fetch: a notice of another generation than the one fetched makes it due once more. */
  private void honourNotice(String url, long fetched) {
    Long n = noticed.remove(url);
    Entry e = known.get(url);
    if (n != null && n != fetched && e != null && e.summary() != null) {
      known.put(url, dueSoon(e));
    }
  }

  /**
   * Tells those neighbours that this peer's index is now at {@code generation}, each call with its
   * own timeout; best effort, since each refreshes on its own schedule anyway.
   *
   * @return how many took the notice
   */
  public Future<Integer> announce(List<String> neighbours, String self, long generation) {
    List<Future<Void>> calls = new ArrayList<>();
    for (String url : neighbours) {
      calls.add(transport.summaryChanged(url, self, generation, timeoutMillis));
    }
    return Future.join(calls)
        .transform(
            ignored -> {
              int ok = 0;
              for (Future<Void> f : calls) {
                ok += f.succeeded() ? 1 : 0;
              }
              return Future.succeededFuture(ok);
            });
  }

  /**
   * Fetches the summaries that are missing or due among {@code healthy}, concurrently, each with
   * its own timeout; forgets peers no longer in {@code inTable}. Rounds never overlap.
   *
   * @return how many summaries were fetched or confirmed
   */
  public Future<Integer> round(List<String> healthy, List<String> inTable) {
    if (running) {
      return Future.succeededFuture(0);
    }
    running = true;
    Set<String> table = new HashSet<>(inTable);
    known.keySet().retainAll(table);
    noticed.keySet().retainAll(table);
    long now = clock.getAsLong();
    List<Future<Boolean>> calls = new ArrayList<>();
    for (String url : healthy) {
      Entry e = known.get(url);
      if (e == null || now - e.fetchedAt() >= refreshMillis) {
        calls.add(refresh(url, e));
      }
    }
    return Future.join(calls)
        .transform(
            ignored -> {
              running = false;
              int ok = 0;
              for (Future<Boolean> f : calls) {
                ok += Boolean.TRUE.equals(f.result()) ? 1 : 0;
              }
              return Future.succeededFuture(ok);
            });
  }

  private Future<Boolean> refresh(String url, Entry old) {
    long generation = old == null || old.summary() == null ? -1 : old.generation();
    return transport
        .summary(url, generation, timeoutMillis)
        .map(
            r -> {
              if (r.summary() == null) {
                known.put(url, new Entry(old.generation(), old.summary(), clock.getAsLong()));
                honourNotice(url, r.generation());
                return true;
              }
              long others = totalBytes() - bytes(old);
              if (r.summary().bits() > MAX_REMOTE_BITS
                  || others + r.summary().bits() / 8 > MAX_TOTAL_BYTES) {
                // Too big to hold: routing treats this neighbour as one without a summary (walks to
                // it).
                known.put(url, new Entry(-1, null, clock.getAsLong()));
                return false;
              }
              known.put(url, new Entry(r.generation(), r.summary(), clock.getAsLong()));
              honourNotice(url, r.generation());
              return true;
            })
        .otherwise(
            err -> {
              // Keep what we had (a blip should not turn routing blind); try again next interval.
              known.put(
                  url,
                  old == null
                      ? new Entry(-1, null, clock.getAsLong())
                      : new Entry(old.generation(), old.summary(), clock.getAsLong()));
              return false;
            });
  }

  private long totalBytes() {
    long total = 0;
    for (Entry e : known.values()) {
      total += bytes(e);
    }
    return total;
  }

  private static long bytes(Entry e) {
    return e == null || e.summary() == null ? 0 : e.summary().bits() / 8;
  }

  /** This peer's summary of the given names; CPU-bound, so the caller runs it on a worker. */
  public static Local local(long generation, Iterable<String> names, int bits) {
    return new Local(generation, NameSummary.of(names, bits));
  }
}
