package io.peerd.transfer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("unit")
class RateLimiterTest {

  @Test
  void tokenBucketPerAddressRefillsOverTime() {
    RateLimiter r = new RateLimiter(2, 100);
    assertEquals(0, r.acquire("a", 0));
    assertEquals(0, r.acquire("a", 0));
    long wait = r.acquire("a", 0);
    assertTrue(wait > 29_000 && wait <= 30_000, "one token every 30 s: " + wait);
    assertEquals(0, r.acquire("b", 0), "another address has its own bucket");
    assertEquals(0, r.acquire("a", 30_000));
  }

  @Test
  void zeroMeansUnlimitedAndTheTableIsBounded() {
    RateLimiter off = new RateLimiter(0, 10);
    for (int i = 0; i < 1000; i++) {
      assertEquals(0, off.acquire("a", 0));
    }
    RateLimiter r = new RateLimiter(5, 10);
    for (int i = 0; i < 1000; i++) {
      r.acquire("addr" + i, 0);
    }
    assertEquals(10, r.size());
  }
}
