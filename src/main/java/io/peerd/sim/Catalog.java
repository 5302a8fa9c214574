package io.peerd.sim;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * The files of a simulated network: distinct objects with names, how often each is asked for
 * (Zipf-like), and which peers hold a copy, placed by one of Lv et al.'s replication rules.
 *
 * @param names object i's file name; a query for it is its stem (the name without ".bin")
 * @param cdf cumulative query popularity, for drawing the object of each query
 * @param copies how many peers hold object i
 * @param holdings per peer, the sorted ids of the objects it holds
 */
public record Catalog(String[] names, double[] cdf, int[] copies, int[][] holdings) {

  /** How copies are spread over objects, for the same total number of copies. */
  public enum Replication {
    /** Every object has the same number of copies. */
    UNIFORM,
    /** Copies in proportion to how often an object is asked for. */
    PROPORTIONAL,
    /** Copies in proportion to the square root of that: Lv et al.'s optimum for random search. */
    SQRT
  }

  /**
   * @param ratio mean share of peers holding an object (Lv et al. use about 1%)
   * @param zipf exponent of query popularity: object i is asked with weight 1/(i+1)^zipf
   */
  public static Catalog place(
      int nodes,
      int objects,
      Replication replication,
      double ratio,
      double zipf,
      SplittableRandom random) {
    double[] q = new double[objects];
    double sum = 0;
    for (int i = 0; i < objects; i++) {
      q[i] = 1 / Math.pow(i + 1, zipf);
      sum += q[i];
    }
    double[] cdf = new double[objects];
    double acc = 0;
    for (int i = 0; i < objects; i++) {
      acc += q[i] / sum;
      cdf[i] = acc;
    }
    double[] weight = new double[objects];
    double wsum = 0;
    for (int i = 0; i < objects; i++) {
      weight[i] =
          switch (replication) {
            case UNIFORM -> 1;
            case PROPORTIONAL -> q[i];
            case SQRT -> Math.sqrt(q[i]);
          };
      wsum += weight[i];
    }
    double total = ratio * nodes * objects;
    int[] copies = new int[objects];
    int[] held = new int[nodes];
    int[][] holders = new int[objects][];
    int[] stamp = new int[nodes];
    for (int i = 0; i < objects; i++) {
      copies[i] = (int) Math.max(1, Math.min(nodes, Math.round(total * weight[i] / wsum)));
      holders[i] = new int[copies[i]];
      // Distinct random holders: rejection is cheap while copies are a small share of peers.
      int k = 0;
      while (k < copies[i]) {
        int v = random.nextInt(nodes);
        if (stamp[v] != i + 1) {
          stamp[v] = i + 1;
          holders[i][k++] = v;
          held[v]++;
        }
      }
    }
    int[][] holdings = new int[nodes][];
    for (int v = 0; v < nodes; v++) {
      holdings[v] = new int[held[v]];
    }
    int[] fill = new int[nodes];
    for (int i = 0; i < objects; i++) {
      for (int v : holders[i]) {
        holdings[v][fill[v]++] = i;
      }
    }
    String[] names = new String[objects];
    for (int i = 0; i < objects; i++) {
      names[i] = stem(random) + ".bin";
    }
    return new Catalog(names, cdf, copies, holdings);
  }

  public String query(int object) {
    return names[object].substring(0, names[object].length() - 4);
  }

  public int draw(SplittableRandom random) {
    int i = Arrays.binarySearch(cdf, random.nextDouble());
    return Math.min(cdf.length - 1, i >= 0 ? i : -i - 1);
  }

  public boolean holds(int node, int object) {
    return Arrays.binarySearch(holdings[node], object) >= 0;
  }

  /** Ten random letters: long enough that one stem is never a substring of another by chance. */
  private static String stem(SplittableRandom random) {
    char[] c = new char[10];
    for (int i = 0; i < c.length; i++) {
      c[i] = (char) ('a' + random.nextInt(26));
    }
    return new String(c);
  }
}
