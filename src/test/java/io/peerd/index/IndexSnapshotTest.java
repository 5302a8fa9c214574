package io.peerd.index;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The one-pass name search answers exactly what a contains() per name answered, in name order. */
@Tag("unit")
class IndexSnapshotTest {

  private static final String LETTERS = "abcAB-._ 1İıßé中😀/";

  private static String text(Random rnd, int max) {
    StringBuilder b = new StringBuilder();
    for (int n = rnd.nextInt(max + 1); n > 0; n--) {
      int at = rnd.nextInt(LETTERS.length());
      char c = LETTERS.charAt(at);
      if (Character.isHighSurrogate(c)) {
        b.append(c).append(LETTERS.charAt(at + 1));
      } else if (!Character.isLowSurrogate(c)) {
        b.append(c);
      }
    }
    return b.toString();
  }

  private static FileEntry entry(String name) {
    return new FileEntry(
        name, Path.of("/x"), 1, 0, "c", Names.extension(name), "other", null, null, "k");
  }

  @Test
  void searchIsTheSubstringRuleOverEveryName() {
    Random rnd = new Random(11);
    for (int round = 0; round < 400; round++) {
      List<FileEntry> entries = new ArrayList<>();
      for (int i = rnd.nextInt(40); i > 0; i--) {
        String name = "n" + text(rnd, 12);
        entries.add(entry(name));
      }
      IndexSnapshot snap = IndexSnapshot.of(1, entries, 0);
      for (int q = 0; q < 20; q++) {
        String query = rnd.nextInt(10) == 0 ? "" : text(rnd, 3);
        if (rnd.nextInt(20) == 0) {
          query = query + "\0";
        }
        int limit = rnd.nextInt(4) == 0 ? 1 + rnd.nextInt(3) : 1000;
        List<FileEntry> expected = new ArrayList<>();
        String lower = query.toLowerCase(Locale.ROOT);
        for (FileEntry e : snap.byName().values()) {
          if (e.name().toLowerCase(Locale.ROOT).contains(lower) && expected.size() < limit) {
            expected.add(e);
          }
        }
        assertEquals(expected, snap.search(query, limit), "query " + query);
      }
    }
  }
}
