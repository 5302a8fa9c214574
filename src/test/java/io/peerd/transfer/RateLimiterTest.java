package io.peerd.transfer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.peerd.Monotonic;
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
  void aClockThatStepsBackNeitherRefusesAnAddressNorRefillsIt() throws InterruptedException {
    // What a wall clock stepped back 10 minutes (NTP) did to an address with a full bucket: 10
    // minutes' worth of tokens in debt, every request refused for 10 minutes.
    RateLimiter r = new RateLimiter(60, 100);
    long t = 1_796_296_000_000L;
    assertEquals(0, r.acquire("a", t));
    assertEquals(0, r.acquire("a", t - 600_000), "stepped back: the bucket still holds 59 tokens");
    for (int i = 0; i < 58; i++) {
      assertEquals(0, r.acquire("a", t - 600_000));
    }
    long wait = r.acquire("a", t - 600_000);
    assertTrue(wait > 0 && wait <= 1_000, "empty, and refilled from the new time: " + wait);
    assertEquals(0, r.acquire("a", t - 599_000), "one token a second later on the stepped clock");
    // The callers pass Monotonic.millis(): it moves with System.nanoTime (from its own origin).
    long nanos = System.nanoTime();
    long mono = Monotonic.millis();
    Thread.sleep(20);
    long moved = Monotonic.millis() - mono;
    long nanoMoved = (System.nanoTime() - nanos) / 1_000_000;
    assertTrue(Math.abs(moved - nanoMoved) < 1_000, "the callers' clock is monotonic");
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
