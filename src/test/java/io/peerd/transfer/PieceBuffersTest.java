package io.peerd.transfer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("unit")
class PieceBuffersTest {

  @Test
  void aFullPieceArrayIsReusedAShortOneNeverAndAtMostKeepAreKept() {
    PieceBuffers b = new PieceBuffers(1024, 2);
    byte[] one = b.take(1024);
    byte[] two = b.take(1024);
    byte[] three = b.take(1024);
    byte[] last = b.take(100);
    assertEquals(100, last.length);
    b.give(one);
    b.give(two);
    b.give(three); // past keep: left to the collector
    b.give(last); // not a full piece
    b.give(null);
    assertSame(two, b.take(1024), "the one given last is warmest in the cache");
    assertSame(one, b.take(1024));
    assertNotSame(three, b.take(1024));
    assertEquals(100, b.take(100).length);
    assertEquals(6, b.made());
    assertEquals(2, b.reused());
  }

  @Test
  void theBytesInFlightFollowTheHeapFrom4To32MiB() {
    assertEquals(4L << 20, Swarm.Options.defaults(16L << 20).bytesInFlight());
    assertEquals(6L << 20, Swarm.Options.defaults(48L << 20).bytesInFlight(), "the container's");
    assertEquals(8L << 20, Swarm.Options.defaults(64L << 20).bytesInFlight());
    assertEquals(32L << 20, Swarm.Options.defaults(6L << 30).bytesInFlight());
  }
}
