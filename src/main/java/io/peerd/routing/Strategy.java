package io.peerd.routing;

import java.util.random.RandomGenerator;

/**
 * Decides, at one peer, which neighbours get a query next. Implementations are stateless: all they
 * know is in the {@link Hop} and the {@link Rules}, so the daemon and the simulator get the same
 * decisions from the same inputs and random numbers.
 *
 * <p>Rules every strategy keeps: nothing is forwarded once ttl is spent; a neighbour in {@link
 * Hop#excluded()} never gets the query; the sender gets it back only when a walker has no other way
 * to go.
 */
public sealed interface Strategy {

  Strategy FLOOD = new Flood();
  Strategy WALK = new Walk();
  Strategy SUMMARY = new Summary();

  int[] NOBODY = new int[0];

  /**
   * @return distinct neighbour indices, in the order to ask them
   */
  int[] next(Hop hop, Rules rules, RandomGenerator random);

  /** Whether this peer reports its own matches (a walker passing again does not report twice). */
  default boolean answers(Hop hop) {
    return !hop.duplicate();
  }

  /** Whether the holder asks the origin "still wanted?" before forwarding (Lv et al.'s check). */
  default boolean checksOrigin(Hop hop, Rules rules) {
    return false;
  }

  /**
   * Gnutella flooding: up to fanout random neighbours other than the sender; a query seen before
   * goes nowhere, which is what bounds a flood.
   */
  final class Flood implements Strategy {
    @Override
    public int[] next(Hop hop, Rules rules, RandomGenerator random) {
      if (hop.ttl() <= 0 || hop.duplicate()) {
        return NOBODY;
      }
      return sample(eligible(hop, false), rules.fanout(), random);
    }
  }

  /**
   * k random walkers (Lv, Cao, Cohen, Li, Shenker, ICS 2002): the origin sends to k neighbours,
   * every other peer to one, never straight back unless it is a dead end. A walker stops when it
   * runs out of ttl, when the peer it reaches holds enough matches, or when the origin says the
   * search is satisfied. Revisiting a peer does not stop a walker (that would kill walkers in small
   * networks), it only stops that peer answering twice.
   */
  final class Walk implements Strategy {
    @Override
    public int[] next(Hop hop, Rules rules, RandomGenerator random) {
      if (hop.ttl() <= 0 || stopsOnHit(hop, rules)) {
        return NOBODY;
      }
      return walkOn(hop, rules, random);
    }

    @Override
    public boolean checksOrigin(Hop hop, Rules rules) {
      return checks(hop, rules);
    }
  }

  /**
   * Query routing by neighbour summaries (after Gnutella's QRP): the neighbours whose summary may
   * hold a match get the query (up to fanout); when none may, it walks on as {@link Walk} does. A
   * summary only has false positives, so a neighbour with a summary holding a match is never
   * skipped; a neighbour without one is only walked to, or every hop would branch.
   */
  final class Summary implements Strategy {
    @Override
    public int[] next(Hop hop, Rules rules, RandomGenerator random) {
      if (hop.ttl() <= 0 || stopsOnHit(hop, rules)) {
        return NOBODY;
      }
      // A second visit walks on, never branches again: branching there could multiply walkers.
      int[] matching = hop.duplicate() ? NOBODY : eligible(hop, true);
      if (matching.length > 0) {
        return sample(matching, Math.max(1, rules.fanout()), random);
      }
      return walkOn(hop, rules, random);
    }

    @Override
    public boolean checksOrigin(Hop hop, Rules rules) {
      return checks(hop, rules);
    }
  }

  private static boolean stopsOnHit(Hop hop, Rules rules) {
    return !hop.origin() && hop.localHits() >= rules.wanted();
  }

  private static boolean checks(Hop hop, Rules rules) {
    return !hop.origin()
        && rules.checkEvery() > 0
        && hop.hops() > 0
        && hop.hops() % rules.checkEvery() == 0;
  }

  private static int[] walkOn(Hop hop, Rules rules, RandomGenerator random) {
    int[] onward = eligible(hop, false);
    if (hop.origin()) {
      return sample(onward, rules.walkers(), random);
    }
    if (onward.length > 0) {
      return new int[] {onward[random.nextInt(onward.length)]};
    }
    // A dead end: going back is the only way on.
    boolean canReturn =
        hop.sender() >= 0 && hop.sender() < hop.degree() && !hop.excluded().test(hop.sender());
    return canReturn ? new int[] {hop.sender()} : NOBODY;
  }

  /** Neighbours other than the sender and the excluded, optionally only those that may match. */
  private static int[] eligible(Hop hop, boolean matchingOnly) {
    int[] out = new int[hop.degree()];
    int n = 0;
    for (int i = 0; i < hop.degree(); i++) {
      if (i != hop.sender()
          && !hop.excluded().test(i)
          && (!matchingOnly || hop.mayMatch().test(i))) {
        out[n++] = i;
      }
    }
    return n == out.length ? out : java.util.Arrays.copyOf(out, n);
  }

  /** A uniform random subset of at most k, by a partial Fisher-Yates shuffle in place. */
  private static int[] sample(int[] from, int k, RandomGenerator random) {
    int n = Math.min(k, from.length);
    for (int i = 0; i < n; i++) {
      int j = i + random.nextInt(from.length - i);
      int t = from[i];
      from[i] = from[j];
      from[j] = t;
    }
    return n == from.length ? from : java.util.Arrays.copyOf(from, n);
  }
}
