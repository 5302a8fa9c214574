package io.peerd.routing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.IntPredicate;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("unit")
class StrategyTest {

  static final Rules RULES = new Rules(3, 4, 1, 4);
  static final Strategy[] ALL = {Strategy.FLOOD, Strategy.WALK, Strategy.SUMMARY};

  @Test
  void aWalkerNeverGoesBackWhereItCameFromUnlessItMust() {
    SplittableRandom random = new SplittableRandom(1);
    for (int trial = 0; trial < 2000; trial++) {
      int degree = 2 + random.nextInt(6);
      int sender = random.nextInt(degree);
      int[] next = Strategy.WALK.next(Hop.of(degree, sender, false, 5, 2, false, 0), RULES, random);
      assertEquals(1, next.length);
      assertTrue(next[0] != sender && next[0] >= 0 && next[0] < degree);
    }
    // A dead end: the only neighbour is the sender, so the walker goes back rather than die.
    assertArrayEquals(
        new int[] {0}, Strategy.WALK.next(Hop.of(1, 0, false, 5, 2, false, 0), RULES, random));
    // ... unless the sender is excluded (it is the origin).
    IntPredicate senderExcluded = i -> i == 0;
    Hop dead = new Hop(1, 0, false, 5, 2, false, 0, senderExcluded, Hop.ALL);
    assertEquals(0, Strategy.WALK.next(dead, RULES, random).length);
  }

  @Test
  void aWalkOnAFixedGraphNeverBacktracksExceptAtLeaves() {
    // 0-1-2-3 in a line with 1-4, 2-5 branches: every step that is not out of a leaf moves on.
    int[][] graph = {{1}, {0, 2, 4}, {1, 3, 5}, {2}, {1}, {2}};
    SplittableRandom random = new SplittableRandom(7);
    for (int walk = 0; walk < 200; walk++) {
      int from = -1;
      int at = 0;
      for (int step = 0; step < 20; step++) {
        int[] nbrs = graph[at];
        int sender = from < 0 ? -1 : indexOf(nbrs, from);
        int[] next =
            Strategy.WALK.next(
                Hop.of(nbrs.length, sender, false, 20 - step, step, false, 0), RULES, random);
        assertEquals(1, next.length);
        int to = nbrs[next[0]];
        if (to == from) {
          assertEquals(1, nbrs.length, "went back from " + at + " which was not a leaf");
        }
        from = at;
        at = to;
      }
    }
  }

  @Test
  void theOriginStartsKWalkersOnDistinctNeighbours() {
    SplittableRandom random = new SplittableRandom(3);
    int[] next = Strategy.WALK.next(Hop.of(10, -1, true, 5, 0, false, 0), RULES, random);
    assertEquals(4, next.length);
    assertEquals(4, Arrays.stream(next).distinct().count());
    assertEquals(2, Strategy.WALK.next(Hop.of(2, -1, true, 5, 0, false, 0), RULES, random).length);
  }

  @Test
  void noModeForwardsOnceTtlIsSpentNorToAnExcludedNeighbour() {
    SplittableRandom random = new SplittableRandom(5);
    for (Strategy s : ALL) {
      assertEquals(
          0, s.next(Hop.of(6, 0, false, 0, 3, false, 0), RULES, random).length, s + " ttl 0");
      assertEquals(
          0,
          s.next(Hop.of(6, -1, true, 0, 0, false, 0), RULES, random).length,
          s + " origin ttl 0");
      IntPredicate evens = i -> i % 2 == 0;
      for (int trial = 0; trial < 500; trial++) {
        Hop hop = new Hop(8, 1, trial % 2 == 0, 3, 1, false, 0, evens, Hop.ALL);
        for (int n : s.next(hop, new Rules(8, 8, 1, 0), random)) {
          assertTrue(n % 2 == 1 && n != 1, s + " chose " + n);
        }
      }
    }
  }

  @Test
  void duplicatesStopAFloodButNotAWalkerAndAreNeverAnsweredTwice() {
    SplittableRandom random = new SplittableRandom(9);
    Hop dup = Hop.of(4, 0, false, 3, 2, true, 0);
    assertEquals(0, Strategy.FLOOD.next(dup, RULES, random).length);
    assertEquals(1, Strategy.WALK.next(dup, RULES, random).length);
    assertEquals(1, Strategy.SUMMARY.next(dup, RULES, random).length);
    for (Strategy s : ALL) {
      assertFalse(s.answers(dup), s + " answers a duplicate");
      assertTrue(s.answers(Hop.of(4, 0, false, 3, 2, false, 0)));
    }
  }

  @Test
  void floodSendsToFanoutNeighboursButNeverTheSender() {
    SplittableRandom random = new SplittableRandom(11);
    for (int trial = 0; trial < 500; trial++) {
      int[] next = Strategy.FLOOD.next(Hop.of(6, 2, false, 3, 1, false, 5), RULES, random);
      assertEquals(3, next.length);
      assertEquals(3, Arrays.stream(next).distinct().count());
      assertTrue(Arrays.stream(next).noneMatch(n -> n == 2));
    }
    assertEquals(
        5,
        Strategy.FLOOD.next(Hop.of(6, 2, false, 3, 1, false, 0), new Rules(64, 1, 1, 0), random)
            .length);
  }

  @Test
  void walkersStopOnAHitAwayFromTheOriginOnly() {
    SplittableRandom random = new SplittableRandom(13);
    Rules wantTwo = new Rules(3, 4, 2, 4);
    assertEquals(
        0, Strategy.WALK.next(Hop.of(4, 0, false, 5, 1, false, 2), wantTwo, random).length);
    assertEquals(
        1, Strategy.WALK.next(Hop.of(4, 0, false, 5, 1, false, 1), wantTwo, random).length);
    assertEquals(
        4, Strategy.WALK.next(Hop.of(4, -1, true, 5, 0, false, 9), wantTwo, random).length);
    assertEquals(
        0, Strategy.SUMMARY.next(Hop.of(4, 0, false, 5, 1, false, 2), wantTwo, random).length);
  }

  @Test
  void summaryAsksOnlyNeighboursThatMayMatchAndWalksWhenNoneMay() {
    SplittableRandom random = new SplittableRandom(17);
    IntPredicate threeAndFive = i -> i == 3 || i == 5;
    for (int trial = 0; trial < 200; trial++) {
      Hop hop = new Hop(8, 0, false, 4, 1, false, 0, Hop.NONE, threeAndFive);
      Set<Integer> got = new HashSet<>();
      for (int n : Strategy.SUMMARY.next(hop, RULES, random)) {
        got.add(n);
      }
      assertEquals(Set.of(3, 5), got);
    }
    Hop none = new Hop(8, 0, false, 4, 1, false, 0, Hop.NONE, i -> false);
    assertEquals(1, Strategy.SUMMARY.next(none, RULES, random).length);
    Hop atOrigin = new Hop(8, -1, true, 4, 0, false, 0, Hop.NONE, i -> false);
    assertEquals(4, Strategy.SUMMARY.next(atOrigin, RULES, random).length);
  }

  @Test
  void walkersCheckWithTheOriginEveryFewHops() {
    for (Strategy s : new Strategy[] {Strategy.WALK, Strategy.SUMMARY}) {
      for (int hops = 1; hops <= 12; hops++) {
        assertEquals(hops % 4 == 0, s.checksOrigin(Hop.of(3, 0, false, 5, hops, false, 0), RULES));
      }
      assertFalse(s.checksOrigin(Hop.of(3, -1, true, 5, 0, false, 0), RULES));
    }
    assertFalse(Strategy.FLOOD.checksOrigin(Hop.of(3, 0, false, 5, 4, false, 0), RULES));
  }

  @Test
  void theSameRandomNumbersGiveTheSameRoutes() {
    for (Strategy s : ALL) {
      SplittableRandom a = new SplittableRandom(42);
      SplittableRandom b = new SplittableRandom(42);
      for (int i = 0; i < 100; i++) {
        Hop hop = Hop.of(9, i % 9, i % 5 == 0, 4, 1, false, 0);
        assertArrayEquals(s.next(hop, RULES, a), s.next(hop, RULES, b));
      }
    }
  }

  @Test
  void modesParseByWireName() {
    for (Mode m : Mode.values()) {
      assertEquals(m, Mode.parse(m.wire()));
    }
    IllegalArgumentException e =
        org.junit.jupiter.api.Assertions.assertThrows(
            IllegalArgumentException.class, () -> Mode.parse("gossip"));
    assertTrue(e.getMessage().contains("flood, walk, summary"));
  }

  /**
   * On a fixed star of 6 neighbours with real summaries of random names: for a query whose match
   * some neighbours hold, summary routing asks every one of them (fanout permitting), whatever the
   * other neighbours' summaries say.
   */
  @Test
  void summaryRoutingNeverSkipsANeighbourHoldingAMatch() {
    SplittableRandom random = new SplittableRandom(21);
    for (int trial = 0; trial < 300; trial++) {
      int degree = 6;
      java.util.List<java.util.List<String>> names = new java.util.ArrayList<>();
      NameSummary[] summaries = new NameSummary[degree];
      for (int n = 0; n < degree; n++) {
        java.util.List<String> mine = new java.util.ArrayList<>();
        for (int f = 0; f < 1 + random.nextInt(30); f++) {
          mine.add(NameSummaryTest.randomName(random, 24));
        }
        names.add(mine);
        summaries[n] = NameSummary.of(mine, 512);
      }
      java.util.List<String> all = names.get(random.nextInt(degree));
      String name = all.get(random.nextInt(all.size()));
      int from = random.nextInt(name.length());
      String query = name.substring(from, Math.min(name.length(), from + 3 + random.nextInt(6)));
      if (query.length() < 3) {
        continue;
      }
      Set<Integer> holders = new HashSet<>();
      for (int n = 0; n < degree; n++) {
        for (String f : names.get(n)) {
          if (f.toLowerCase(java.util.Locale.ROOT)
              .contains(query.toLowerCase(java.util.Locale.ROOT))) {
            holders.add(n);
          }
        }
      }
      Hop hop =
          new Hop(degree, -1, true, 4, 0, false, 0, Hop.NONE, i -> summaries[i].mayMatch(query));
      Set<Integer> asked = new HashSet<>();
      for (int n : Strategy.SUMMARY.next(hop, new Rules(degree, 2, 1, 4), random)) {
        asked.add(n);
      }
      assertTrue(
          asked.containsAll(holders),
          "query '" + query + "' holders " + holders + " asked " + asked);
    }
  }

  private static int indexOf(int[] a, int v) {
    for (int i = 0; i < a.length; i++) {
      if (a[i] == v) {
        return i;
      }
    }
    throw new AssertionError(v + " not in " + Arrays.toString(a));
  }
}
