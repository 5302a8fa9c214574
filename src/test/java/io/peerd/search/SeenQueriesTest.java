package io.peerd.search;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class SeenQueriesTest {

  @Test
  void secondSightingIsADuplicateOnlyForTheSameOrigin() {
    SeenQueries seen = new SeenQueries(10, 1000);
    assertTrue(seen.firstTime("http://o:1", "q1", 0));
    assertFalse(seen.firstTime("http://o:1", "q1", 1));
    assertTrue(seen.firstTime("http://mallory:1", "q1", 2), "another origin cannot burn our id");
  }

  @Test
  void boundedByCountAndAge() {
    SeenQueries seen = new SeenQueries(3, 1000);
    for (int i = 0; i < 10; i++) {
      seen.firstTime("o", "q" + i, 0);
    }
    assertEquals(3, seen.size());
    assertTrue(seen.firstTime("o", "q0", 0), "evicted ids are forgotten");
    assertFalse(seen.firstTime("o", "q9", 500));
    assertTrue(seen.firstTime("o", "q9", 1600), "expired ids are forgotten");
    assertEquals(1, seen.size());
  }
}
