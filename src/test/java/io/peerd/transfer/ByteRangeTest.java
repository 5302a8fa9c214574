package io.peerd.transfer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("unit")
class ByteRangeTest {

  @Test
  void parsesSingleRanges() {
    assertEquals(new ByteRange(0, 100), ByteRange.parse("bytes=0-99", 1000));
    assertEquals(new ByteRange(500, 500), ByteRange.parse("bytes=500-", 1000));
    assertEquals(new ByteRange(900, 100), ByteRange.parse("bytes=-100", 1000), "suffix");
    assertEquals(
        new ByteRange(0, 1000),
        ByteRange.parse("bytes=-5000", 1000),
        "suffix longer than the file");
    assertEquals(new ByteRange(990, 10), ByteRange.parse("bytes=990-5000", 1000), "end clamped");
    assertEquals(
        new ByteRange(5, 1), ByteRange.parse("Bytes=5-5", 1000), "the unit is case-insensitive");
  }

  @Test
  void unsatisfiableAndIgnored() {
    assertSame(ByteRange.UNSATISFIABLE, ByteRange.parse("bytes=1000-", 1000));
    assertSame(ByteRange.UNSATISFIABLE, ByteRange.parse("bytes=-0", 1000));
    assertSame(ByteRange.UNSATISFIABLE, ByteRange.parse("bytes=0-", 0));
    assertNull(ByteRange.parse(null, 10));
    assertNull(ByteRange.parse("bytes=0-1,5-6", 10), "several ranges: the whole file is sent");
    assertNull(ByteRange.parse("items=0-1", 10));
    assertNull(ByteRange.parse("bytes=5-2", 10));
    assertNull(ByteRange.parse("bytes=a-b", 10));
    assertNull(ByteRange.parse("bytes=99999999999999999999-", 10));
  }
}
