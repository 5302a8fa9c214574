package io.peerd.sim;

import io.peerd.routing.Hop;
import io.peerd.routing.Mode;
import io.peerd.routing.NameSummary;
import io.peerd.routing.Rules;
import io.peerd.routing.Strategy;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.PriorityQueue;
import java.util.SplittableRandom;
import java.util.function.IntPredicate;

/**
 * Runs queries over a {@link Graph} in discrete-event time. Each message takes its link's latency;
 * every peer a message reaches decides where it goes next with the daemon's own {@link Strategy},
 * with the same inputs the daemon gives it (sender, origin and siblings excluded, duplicate flag,
 * local matches, neighbour summaries). Answers travel back along the path they came, as the
 * daemon's nested calls do, and a walker's check with the origin costs a round trip and sees only
 * the answers that reached the origin by then.
 */
public final class Simulator {

  /**
   * @param ttl hops a query may travel
   * @param minLatencyMs fastest link; each link's latency is fixed, uniform in [min, max]
   */
  public record Settings(
      Mode mode,
      int ttl,
      Rules rules,
      int queries,
      long seed,
      int minLatencyMs,
      int maxLatencyMs) {}

  /** One strategy's figures over all queries; per-query means unless named otherwise. */
  public record Result(
      Mode mode,
      int nodes,
      int ttl,
      int queries,
      double success,
      double messages,
      double visited,
      double duplicates,
      double checks,
      int hopsP50,
      int hopsP99,
      double latencyP50Ms,
      double latencyP99Ms,
      double busiestPerQuery) {}

  private record Msg(
      long time, long seq, int node, int from, int ttl, int hops, long pathMicros, int[] siblings)
      implements Comparable<Msg> {
    @Override
    public int compareTo(Msg o) {
      int c = Long.compare(time, o.time);
      return c != 0 ? c : Long.compare(seq, o.seq);
    }
  }

  private final Graph graph;
  private final Catalog catalog;
  private final NameSummary[] summaries;

  public Simulator(Graph graph, Catalog catalog, int summaryBits) {
    this.graph = graph;
    this.catalog = catalog;
    this.summaries = new NameSummary[graph.size()];
    for (int v = 0; v < graph.size(); v++) {
      NameSummary s = new NameSummary(summaryBits);
      for (int object : catalog.holdings()[v]) {
        s.add(catalog.names()[object]);
      }
      summaries[v] = s;
    }
  }

  public Result run(Settings s) {
    int n = graph.size();
    int[][] adj = graph.adj();
    Strategy strategy = s.mode().strategy();
    // The same queries (origin, object) for every mode: only the routing differs.
    SplittableRandom workload = new SplittableRandom(s.seed());
    SplittableRandom routing = new SplittableRandom(s.seed() * 31 + s.mode().ordinal());
    long meanLinkMicros = (s.minLatencyMs() + s.maxLatencyMs()) * 500L;
    int[] seen = new int[n];
    long[] received = new long[n];
    long messages = 0;
    long visited = 0;
    long duplicates = 0;
    long checks = 0;
    int found = 0;
    List<Integer> hopsToFirst = new ArrayList<>();
    List<Long> microsToFirst = new ArrayList<>();
    long seq = 0;
    PriorityQueue<Msg> queue = new PriorityQueue<>();
    for (int q = 1; q <= s.queries(); q++) {
      int object = catalog.draw(workload);
      int origin;
      do {
        origin = workload.nextInt(n);
      } while (catalog.holds(origin, object));
      String text = catalog.query(object);
      int stamp = q;
      seen[origin] = stamp;
      // When the wanted-th answer reaches the origin: what a walker's check finds out.
      long[] arrivals = new long[s.rules().wanted()];
      Arrays.fill(arrivals, Long.MAX_VALUE);
      long first = Long.MAX_VALUE;
      int firstHops = -1;

      final int o = origin;
      int[] start =
          strategy.next(
              new Hop(adj[o].length, -1, true, s.ttl(), 0, false, 0, j -> false, mayMatch(o, text)),
              s.rules(),
              routing);
      int[] startNodes = nodes(adj[o], start);
      for (int w : startNodes) {
        long lat = latency(o, w, s);
        messages++;
        queue.add(new Msg(lat, seq++, w, o, s.ttl() - 1, 1, lat, startNodes));
      }
      while (!queue.isEmpty()) {
        Msg m = queue.poll();
        int v = m.node();
        received[v]++;
        boolean duplicate = seen[v] == stamp;
        if (duplicate) {
          duplicates++;
        } else {
          seen[v] = stamp;
          visited++;
        }
        int hits = catalog.holds(v, object) ? 1 : 0;
        int[] nbrs = adj[v];
        IntPredicate excluded = j -> nbrs[j] == o || contains(m.siblings(), nbrs[j]);
        Hop hop =
            new Hop(
                nbrs.length,
                indexOf(nbrs, m.from()),
                false,
                m.ttl(),
                m.hops(),
                duplicate,
                hits,
                excluded,
                mayMatch(v, text));
        if (hits > 0 && strategy.answers(hop)) {
          long arrival = m.time() + m.pathMicros();
          if (arrival < first) {
            first = arrival;
            firstHops = m.hops();
          }
          record(arrivals, arrival);
        }
        long delay = 0;
        if (strategy.checksOrigin(hop, s.rules())) {
          checks += 2;
          messages += 2;
          delay = 2 * meanLinkMicros;
          if (arrivals[arrivals.length - 1] <= m.time() + meanLinkMicros) {
            continue;
          }
        }
        int[] next = strategy.next(hop, s.rules(), routing);
        if (next.length == 0) {
          continue;
        }
        int[] targets = nodes(nbrs, next);
        for (int w : targets) {
          long lat = latency(v, w, s);
          messages++;
          queue.add(
              new Msg(
                  m.time() + delay + lat,
                  seq++,
                  w,
                  v,
                  m.ttl() - 1,
                  m.hops() + 1,
                  m.pathMicros() + lat,
                  targets));
        }
      }
      if (first != Long.MAX_VALUE) {
        found++;
        hopsToFirst.add(firstHops);
        microsToFirst.add(first);
      }
    }
    long busiest = 0;
    for (long r : received) {
      busiest = Math.max(busiest, r);
    }
    double qn = s.queries();
    hopsToFirst.sort(null);
    microsToFirst.sort(null);
    return new Result(
        s.mode(),
        n,
        s.ttl(),
        s.queries(),
        found / qn,
        messages / qn,
        visited / qn,
        duplicates / qn,
        checks / qn,
        (int) percentile(hopsToFirst, 50),
        (int) percentile(hopsToFirst, 99),
        percentile(microsToFirst, 50) / 1000.0,
        percentile(microsToFirst, 99) / 1000.0,
        busiest / qn);
  }

  /** The daemon's rule: only a known summary can attract a query, and only a judgeable query. */
  private IntPredicate mayMatch(int v, String text) {
    int[] nbrs = graph.adj()[v];
    if (text.length() < 3) {
      return j -> false;
    }
    return j -> summaries[nbrs[j]].mayMatch(text);
  }

  private static void record(long[] arrivals, long arrival) {
    // Keeps the smallest few, sorted: arrivals[wanted-1] is when the origin has enough.
    int i = arrivals.length - 1;
    if (arrival >= arrivals[i]) {
      return;
    }
    while (i > 0 && arrivals[i - 1] > arrival) {
      arrivals[i] = arrivals[i - 1];
      i--;
    }
    arrivals[i] = arrival;
  }

  /** A fixed latency per link, from the seed: the same link is as slow both ways and every run. */
  private static long latency(int a, int b, Settings s) {
    long x = Math.min(a, b) * 0x9E3779B97F4A7C15L + Math.max(a, b) + s.seed();
    x ^= x >>> 33;
    x *= 0xff51afd7ed558ccdL;
    x ^= x >>> 33;
    int span = s.maxLatencyMs() - s.minLatencyMs() + 1;
    return (s.minLatencyMs() + Math.floorMod(x, span)) * 1000L;
  }

  private static int[] nodes(int[] nbrs, int[] indices) {
    int[] out = new int[indices.length];
    for (int i = 0; i < indices.length; i++) {
      out[i] = nbrs[indices[i]];
    }
    return out;
  }

  private static int indexOf(int[] a, int v) {
    for (int i = 0; i < a.length; i++) {
      if (a[i] == v) {
        return i;
      }
    }
    return -1;
  }

  private static boolean contains(int[] a, int v) {
    for (int x : a) {
      if (x == v) {
        return true;
      }
    }
    return false;
  }

  /** The nearest-rank percentile of a sorted list; -1 when it is empty. */
  public static <T extends Number> long percentile(List<T> sorted, int p) {
    if (sorted.isEmpty()) {
      return -1;
    }
    int i = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
    return sorted.get(Math.max(0, Math.min(sorted.size() - 1, i))).longValue();
  }
}
