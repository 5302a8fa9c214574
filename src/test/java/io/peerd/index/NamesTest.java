package io.peerd.index;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@Tag("unit")
class NamesTest {

  @ParameterizedTest
  @ValueSource(strings = {"a.txt", "dir/b.bin", "x y/z (1).md", "über/ñ.txt", "a..b", "...x"})
  void acceptsRelativeNames(String name) {
    assertNull(Names.problem(name));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "/etc/passwd",
        "../secret",
        "a/../../b",
        "a/./b",
        "..",
        ".",
        "a//b",
        "a/",
        "a\\..\\b",
        "C:/win",
        "a\u0000b",
        "line\nbreak"
      })
  void rejectsEscapesAndOddities(String name) {
    assertNotNull(Names.problem(name), name);
  }

  @Test
  void rejectsOverlongNames() {
    assertNotNull(Names.problem("a".repeat(Names.MAX_LENGTH + 1)));
    assertNotNull(Names.problem("a".repeat(300)));
  }

  @Test
  void extensionIsLowercaseWithDot() {
    assertEquals(".txt", Names.extension("dir.d/READ.TXT"));
    assertEquals("", Names.extension("dir.d/Makefile"));
    assertEquals("", Names.extension(".hidden"));
  }
}
