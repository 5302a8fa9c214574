package io.peerd.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.peerd.routing.Mode;
import io.peerd.routing.Rules;
import java.util.ArrayDeque;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("unit")
class SimulatorTest {

  static Experiment experiment(long seed, List<Integer> sizes) {
    return new Experiment(
        sizes,
        Graph.Topology.RANDOM,
        6,
        Catalog.Replication.SQRT,
        0.01,
        50,
        1.2,
        List.of(Mode.FLOOD, Mode.WALK, Mode.SUMMARY),
        60,
        0,
        256,
        0,
        8,
        4,
        1024,
        5,
        50,
        seed);
  }

  @Test
  void theSameSeedGivesTheSameTable() {
    String a = Report.markdown(experiment(7, List.of(200, 1000)).run());
    String b = Report.markdown(experiment(7, List.of(200, 1000)).run());
    assertEquals(a, b);
    assertNotEquals(a, Report.markdown(experiment(8, List.of(200, 1000)).run()));
  }

  @Test
  void everyTopologyIsSimpleAndConnected() {
    for (Graph.Topology t : Graph.Topology.values()) {
      Graph g = t.build(2000, 6, new SplittableRandom(3));
      assertEquals(2000, g.size());
      for (int v = 0; v < g.size(); v++) {
        Set<Integer> nbrs = new HashSet<>();
        for (int w : g.adj()[v]) {
          assertTrue(w != v, t + ": loop at " + v);
          assertTrue(nbrs.add(w), t + ": repeated edge " + v + "-" + w);
          assertTrue(contains(g.adj()[w], v), t + ": edge " + v + "-" + w + " is one-way");
        }
      }
      assertEquals(2000, reachable(g, 0), t + " is not connected");
    }
    Graph random = Graph.Topology.RANDOM.build(2000, 6, new SplittableRandom(3));
    assertTrue(
        random.meanDegree() > 5.8 && random.maxDegree() == 6,
        "random regular: " + random.meanDegree());
    Graph power = Graph.Topology.POWERLAW.build(2000, 6, new SplittableRandom(3));
    assertTrue(power.maxDegree() > 40, "power law has hubs: " + power.maxDegree());
    Graph gnutella = Graph.Topology.GNUTELLA.build(2000, 6, new SplittableRandom(3));
    assertTrue(
        gnutella.meanDegree() < 4 && gnutella.maxDegree() > 20,
        "gnutella-like: " + gnutella.meanDegree());
  }

  @Test
  void replicationRulesSpreadTheSameCopiesDifferently() {
    int[] popular = new int[3];
    int i = 0;
    for (Catalog.Replication r : Catalog.Replication.values()) {
      Catalog c = Catalog.place(1000, 100, r, 0.01, 1.2, new SplittableRandom(1));
      int total = 0;
      for (int copies : c.copies()) {
        total += copies;
      }
      assertTrue(Math.abs(total - 1000) < 150, r + " placed " + total);
      popular[i++] = c.copies()[0];
      for (int v = 0; v < 1000; v++) {
        for (int o : c.holdings()[v]) {
          assertTrue(c.holds(v, o));
        }
      }
    }
    // uniform < sqrt < proportional copies of the most asked-for object
    assertTrue(
        popular[0] < popular[2] && popular[2] < popular[1], java.util.Arrays.toString(popular));
  }

  /**
   * On a line, with a walker each way from the origin, every mode finds a file n-1 hops away with
   * ttl n-1, and with ttl 1 only from the holder's neighbour.
   */
  @Test
  void ttlBoundsEveryModeOnALine() {
    int n = 8;
    int[][] adj = new int[n][];
    for (int v = 0; v < n; v++) {
      adj[v] = v == 0 ? new int[] {1} : v == n - 1 ? new int[] {n - 2} : new int[] {v - 1, v + 1};
    }
    Graph line = new Graph(adj);
    // One object, held by the last peer only; queries start at random other peers.
    String[] names = {"abcdefghij.bin"};
    int[][] holdings = new int[n][0];
    holdings[n - 1] = new int[] {0};
    Catalog c = new Catalog(names, new double[] {1.0}, new int[] {1}, holdings);
    Simulator sim = new Simulator(line, c, 256);
    Rules rules = new Rules(Integer.MAX_VALUE, 2, 1, 0);
    for (Mode mode : Mode.values()) {
      Simulator.Result far = sim.run(new Simulator.Settings(mode, n - 1, rules, 50, 1, 1, 1));
      assertEquals(1.0, far.success(), mode + " with ttl n-1 reaches the far end from anywhere");
      Simulator.Result near = sim.run(new Simulator.Settings(mode, 1, rules, 200, 1, 1, 1));
      assertTrue(
          near.success() < 0.5,
          mode + " with ttl 1 finds only from the neighbour: " + near.success());
      assertTrue(near.hopsP99() <= 1);
    }
  }

  @Test
  void walkersSendFarFewerMessagesThanFloodingOnALargeRandomGraph() {
    List<Simulator.Result> rows = experiment(1, List.of(5000)).run();
    Simulator.Result flood = rows.get(0);
    Simulator.Result walk = rows.get(1);
    Simulator.Result summary = rows.get(2);
    assertTrue(
        flood.success() > 0.95 && walk.success() > 0.9 && summary.success() > 0.95,
        rows.toString());
    assertTrue(flood.messages() > 20 * walk.messages(), rows.toString());
    assertTrue(walk.messages() > summary.messages(), rows.toString());
  }

  private static boolean contains(int[] a, int v) {
    for (int x : a) {
      if (x == v) {
        return true;
      }
    }
    return false;
  }

  private static int reachable(Graph g, int from) {
    boolean[] seen = new boolean[g.size()];
    ArrayDeque<Integer> q = new ArrayDeque<>(List.of(from));
    seen[from] = true;
    int count = 0;
    while (!q.isEmpty()) {
      int v = q.poll();
      count++;
      for (int w : g.adj()[v]) {
        if (!seen[w]) {
          seen[w] = true;
          q.add(w);
        }
      }
    }
    return count;
  }
}
