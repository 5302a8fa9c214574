package io.peerd.sim;

import io.peerd.routing.Mode;
import io.peerd.routing.Rules;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * One {@code simulate} run: for each network size, build the network and its files from the seed,
 * then run the same queries under each mode.
 *
 * @param floodTtl hops for flooding; 0 picks the smallest ttl whose tree could cover the network
 * @param fanout neighbours a flooding peer forwards to; 0 means all of them (classic flooding)
 */
public record Experiment(
    List<Integer> sizes,
    Graph.Topology topology,
    int degree,
    Catalog.Replication replication,
    double ratio,
    int objects,
    double zipf,
    List<Mode> modes,
    int queries,
    int floodTtl,
    int walkTtl,
    int fanout,
    int walkers,
    int checkEvery,
    int summaryBits,
    int minLatencyMs,
    int maxLatencyMs,
    long seed) {

  public List<Simulator.Result> run() {
    List<Simulator.Result> rows = new ArrayList<>();
    for (int n : sizes) {
      SplittableRandom random = new SplittableRandom(seed ^ (n * 0x9E3779B97F4A7C15L));
      Graph graph = topology.build(n, degree, random);
      Catalog catalog = Catalog.place(n, objects, replication, ratio, zipf, random);
      Simulator sim = new Simulator(graph, catalog, summaryBits);
      Rules rules = new Rules(fanout == 0 ? Integer.MAX_VALUE : fanout, walkers, 1, checkEvery);
      for (Mode mode : modes) {
        int ttl =
            mode == Mode.FLOOD
                ? (floodTtl > 0 ? floodTtl : autoFloodTtl(n, graph.meanDegree()))
                : walkTtl;
        rows.add(
            sim.run(
                new Simulator.Settings(
                    mode, ttl, rules, queries, seed, minLatencyMs, maxLatencyMs)));
      }
    }
    return rows;
  }

  /** log(n) / log(d - 1): the depth at which a tree of branching d-1 has n leaves. */
  public static int autoFloodTtl(int n, double meanDegree) {
    double branching = Math.max(1.5, meanDegree - 1);
    return Math.max(1, (int) Math.ceil(Math.log(n) / Math.log(branching)));
  }

  public String describe() {
    return String.format(
        java.util.Locale.ROOT,
        "topology %s (degree %d), %d objects, %s replication at %.1f %% mean, Zipf %.2f queries, %d queries per mode, "
            + "walkers %d, walk ttl %d, check every %d hops, flood fanout %s, summary %d bits, links %d-%d ms, seed %d",
        topology.name().toLowerCase(java.util.Locale.ROOT),
        degree,
        objects,
        replication.name().toLowerCase(java.util.Locale.ROOT),
        100 * ratio,
        zipf,
        queries,
        walkers,
        walkTtl,
        checkEvery,
        fanout == 0 ? "all" : String.valueOf(fanout),
        summaryBits,
        minLatencyMs,
        maxLatencyMs,
        seed);
  }
}
