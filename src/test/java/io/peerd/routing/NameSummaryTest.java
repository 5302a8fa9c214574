package io.peerd.routing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("unit")
class NameSummaryTest {

  static final String ALPHABET =
      "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._- éÉßİıΣσ";

  static String randomName(SplittableRandom r, int maxLength) {
    StringBuilder b = new StringBuilder();
    int n = 1 + r.nextInt(maxLength);
    for (int i = 0; i < n; i++) {
      b.append(ALPHABET.charAt(r.nextInt(ALPHABET.length())));
    }
    return b.toString();
  }

  /** The property search relies on: whatever a substring search would find, the summary admits. */
  @Test
  void neverHidesANameThatASubstringSearchWouldFind() {
    SplittableRandom r = new SplittableRandom(2024);
    for (int peer = 0; peer < 300; peer++) {
      List<String> names = new ArrayList<>();
      int files = r.nextInt(400);
      for (int i = 0; i < files; i++) {
        names.add(randomName(r, 40));
      }
      // Small filters too: a saturated summary must still never say no wrongly.
      NameSummary s = NameSummary.of(names, peer % 2 == 0 ? 64 : 1 << 14);
      for (int q = 0; q < 50; q++) {
        String query =
            q % 2 == 0 && !names.isEmpty()
                ? slice(names.get(r.nextInt(names.size())), r)
                : randomName(r, 8);
        boolean found =
            names.stream()
                .anyMatch(n -> n.toLowerCase(Locale.ROOT).contains(query.toLowerCase(Locale.ROOT)));
        if (found) {
          assertTrue(s.mayMatch(query), "summary hid '" + query + "'");
        }
      }
    }
  }

  @Test
  void rulesOutMostNamesItDoesNotHold() {
    SplittableRandom r = new SplittableRandom(99);
    List<String> names = new ArrayList<>();
    for (int i = 0; i < 500; i++) {
      names.add(randomName(r, 30));
    }
    NameSummary s = NameSummary.of(names, NameSummary.DEFAULT_BITS);
    int falsePositives = 0;
    int absent = 0;
    for (int i = 0; i < 2000; i++) {
      String q = "zq" + randomName(r, 6) + "x";
      if (names.stream()
          .noneMatch(n -> n.toLowerCase(Locale.ROOT).contains(q.toLowerCase(Locale.ROOT)))) {
        absent++;
        falsePositives += s.mayMatch(q) ? 1 : 0;
      }
    }
    assertTrue(absent > 1900);
    assertTrue(falsePositives < absent / 20, falsePositives + " false positives of " + absent);
    assertTrue(s.fill() > 0 && s.fill() < 0.5, "fill " + s.fill());
  }

  @Test
  void shortQueriesAlwaysMayMatch() {
    NameSummary s = NameSummary.of(List.of("hello.txt"), 1024);
    assertTrue(s.mayMatch(""));
    assertTrue(s.mayMatch("q"));
    assertTrue(s.mayMatch("zz"));
    assertTrue(s.mayMatch("ELL"));
    assertFalse(s.mayMatch("world"));
  }

  @Test
  void encodesAndDecodesToTheSameFilter() {
    SplittableRandom r = new SplittableRandom(5);
    List<String> names = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      names.add(randomName(r, 20));
    }
    NameSummary s = NameSummary.of(names, 4096);
    NameSummary back = NameSummary.decode(s.encode(), 4096, s.tokens());
    assertEquals(s.encode(), back.encode());
    assertEquals(s.tokens(), back.tokens());
    for (String n : names) {
      assertTrue(back.mayMatch(n));
    }
    assertThrows(IllegalArgumentException.class, () -> NameSummary.decode(s.encode(), 8192, 0));
    assertThrows(IllegalArgumentException.class, () -> NameSummary.decode(s.encode(), 1000, 0));
    assertThrows(IllegalArgumentException.class, () -> NameSummary.decode("!!!", 4096, 0));
    assertThrows(IllegalArgumentException.class, () -> new NameSummary(100));
  }

  private static String slice(String name, SplittableRandom r) {
    int from = r.nextInt(name.length());
    int to = from + 1 + r.nextInt(name.length() - from);
    return name.substring(from, to);
  }
}
