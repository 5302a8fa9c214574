package io.peerd.sim;

import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * An undirected network as adjacency arrays, and the generators of the topologies the simulator
 * offers. Every generated graph is simple (no loops, no repeated edges) and connected: a peer cut
 * off from the rest would only measure the generator.
 */
public record Graph(int[][] adj) {

  public int size() {
    return adj.length;
  }

  public double meanDegree() {
    long sum = 0;
    for (int[] a : adj) {
      sum += a.length;
    }
    return (double) sum / adj.length;
  }

  public int maxDegree() {
    int max = 0;
    for (int[] a : adj) {
      max = Math.max(max, a.length);
    }
    return max;
  }

  /** The topologies of {@code simulate --topology}. */
  public enum Topology {
    /** Every peer has the same degree (Lv et al.'s "Random" is close to this). */
    RANDOM,
    /** Barabási–Albert preferential attachment: a power-law degree tail with a few hubs. */
    POWERLAW,
    /**
     * Like the Gnutella crawls of 2000-2001 (Ripeanu; the snapshot Lv et al. used): a power law of
     * exponent about 2.3 with most peers at degree 1-3 and a cut-off of 100 neighbours.
     */
    GNUTELLA;

    public Graph build(int n, int degree, SplittableRandom random) {
      return switch (this) {
        case RANDOM -> randomRegular(n, degree, random);
        case POWERLAW -> barabasiAlbert(n, Math.max(1, degree / 2), random);
        case GNUTELLA -> gnutellaLike(n, random);
      };
    }
  }

  /** Configuration model: d stubs per peer paired at random, loops and repeats dropped. */
  static Graph randomRegular(int n, int d, SplittableRandom random) {
    int[] degrees = new int[n];
    Arrays.fill(degrees, Math.min(d, n - 1));
    return configuration(degrees, random);
  }

  static Graph barabasiAlbert(int n, int m, SplittableRandom random) {
    EdgeSet edges = new EdgeSet(n);
    // Endpoints of every edge so far: picking one uniformly is picking a peer by its degree.
    int core = Math.min(n, m + 1);
    int[] ends = new int[2 * (core * (core - 1) / 2 + (n - core) * m)];
    int count = 0;
    for (int a = 0; a < core; a++) {
      for (int b = a + 1; b < core; b++) {
        edges.add(a, b);
        ends[count++] = a;
        ends[count++] = b;
      }
    }
    int[] chosen = new int[m];
    for (int v = core; v < n; v++) {
      int k = 0;
      while (k < m) {
        int target = ends[random.nextInt(count)];
        boolean repeat = false;
        for (int i = 0; i < k; i++) {
          repeat |= chosen[i] == target;
        }
        if (!repeat) {
          chosen[k++] = target;
        }
      }
      for (int i = 0; i < m; i++) {
        edges.add(v, chosen[i]);
        ends[count++] = v;
        ends[count++] = chosen[i];
      }
    }
    return edges.toGraph(random);
  }

  static Graph gnutellaLike(int n, SplittableRandom random) {
    // Inverse-transform sampling of P(k) ~ k^-2.3 on [1, 100].
    int max = Math.min(100, n - 1);
    double[] cdf = new double[max + 1];
    double total = 0;
    for (int k = 1; k <= max; k++) {
      total += Math.pow(k, -2.3);
      cdf[k] = total;
    }
    int[] degrees = new int[n];
    for (int v = 0; v < n; v++) {
      double u = random.nextDouble() * total;
      int k = 1;
      while (k < max && cdf[k] < u) {
        k++;
      }
      degrees[v] = k;
    }
    return configuration(degrees, random);
  }

  /** A random graph with (about) these degrees, by the configuration model, made connected. */
  public static Graph withDegrees(int[] degrees, SplittableRandom random) {
    return configuration(degrees, random);
  }

  private static Graph configuration(int[] degrees, SplittableRandom random) {
    int stubsCount = 0;
    for (int d : degrees) {
      stubsCount += d;
    }
    int[] stubs = new int[stubsCount];
    int i = 0;
    for (int v = 0; v < degrees.length; v++) {
      for (int k = 0; k < degrees[v]; k++) {
        stubs[i++] = v;
      }
    }
    for (int j = stubs.length - 1; j > 0; j--) {
      int r = random.nextInt(j + 1);
      int t = stubs[j];
      stubs[j] = stubs[r];
      stubs[r] = t;
    }
    EdgeSet edges = new EdgeSet(degrees.length);
    for (int j = 0; j + 1 < stubs.length; j += 2) {
      if (stubs[j] != stubs[j + 1]) {
        edges.add(stubs[j], stubs[j + 1]);
      }
    }
    return edges.toGraph(random);
  }

  /** Adjacency under construction; {@link #toGraph} joins stray components to the largest. */
  private static final class EdgeSet {
    private final java.util.HashSet<Long> seen = new java.util.HashSet<>();
    private final int[][] lists;
    private final int[] sizes;

    EdgeSet(int n) {
      lists = new int[n][4];
      sizes = new int[n];
    }

    boolean add(int a, int b) {
      if (a == b || !seen.add(Math.min(a, b) * (long) lists.length + Math.max(a, b))) {
        return false;
      }
      push(a, b);
      push(b, a);
      return true;
    }

    private void push(int a, int b) {
      if (sizes[a] == lists[a].length) {
        lists[a] = Arrays.copyOf(lists[a], lists[a].length * 2);
      }
      lists[a][sizes[a]++] = b;
    }

    Graph toGraph(SplittableRandom random) {
      int n = lists.length;
      int[] component = new int[n];
      Arrays.fill(component, -1);
      int components = 0;
      int largest = 0;
      int largestSize = 0;
      ArrayDeque<Integer> queue = new ArrayDeque<>();
      int[] firstOf = new int[n];
      for (int s = 0; s < n; s++) {
        if (component[s] >= 0) {
          continue;
        }
        int size = 0;
        component[s] = components;
        firstOf[components] = s;
        queue.add(s);
        while (!queue.isEmpty()) {
          int v = queue.poll();
          size++;
          for (int k = 0; k < sizes[v]; k++) {
            int w = lists[v][k];
            if (component[w] < 0) {
              component[w] = components;
              queue.add(w);
            }
          }
        }
        if (size > largestSize) {
          largestSize = size;
          largest = components;
        }
        components++;
      }
      // One edge from each stray component to a random member of the largest one.
      int[] members = new int[largestSize];
      int m = 0;
      for (int v = 0; v < n; v++) {
        if (component[v] == largest) {
          members[m++] = v;
        }
      }
      for (int c = 0; c < components; c++) {
        if (c != largest) {
          add(firstOf[c], members[random.nextInt(members.length)]);
        }
      }
      int[][] adj = new int[n][];
      for (int v = 0; v < n; v++) {
        adj[v] = Arrays.copyOf(lists[v], sizes[v]);
      }
      return new Graph(adj);
    }
  }
}
