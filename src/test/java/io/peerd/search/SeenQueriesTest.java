package io.peerd.search;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("unit")
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

  @Test
  void agreesWithASimpleModelUnderChurn() {
    // Random offers against a plain map model: the compact table must answer exactly the same.
    java.util.Random r = new java.util.Random(4);
    SeenQueries seen = new SeenQueries(500, 1000);
    java.util.LinkedHashMap<String, Long> model = new java.util.LinkedHashMap<>();
    long now = 0;
    for (int i = 0; i < 200_000; i++) {
      now += r.nextInt(3);
      String id = "q" + r.nextInt(2000);
      final long t = now;
      model.values().removeIf(v -> t - v > 1000);
      boolean expected = !model.containsKey(id);
      if (expected) {
        if (model.size() == 500) {
          model.remove(model.keySet().iterator().next());
        }
        model.put(id, now);
      }
      assertEquals(expected, seen.firstTime("o", id, now), "offer " + i + " of " + id);
      assertEquals(model.size(), seen.size());
    }
  }
}
