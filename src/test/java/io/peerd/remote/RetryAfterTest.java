package io.peerd.remote;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** A neighbour's {@code Retry-After}, as the search's busy hold reads it. */
@Tag("unit")
class RetryAfterTest {

  @Test
  void secondsAreReadAndAnythingElseIsNoAnswer() {
    assertEquals(1_000, HttpPeerClient.retryAfterMillis("1"));
    assertEquals(0, HttpPeerClient.retryAfterMillis("0"));
    assertEquals(7_000, HttpPeerClient.retryAfterMillis(" 7 "));
    assertEquals(86_400_000, HttpPeerClient.retryAfterMillis("999999999999"), "a day at most");
    assertEquals(-1, HttpPeerClient.retryAfterMillis(null));
    assertEquals(-1, HttpPeerClient.retryAfterMillis("-3"));
    assertEquals(-1, HttpPeerClient.retryAfterMillis("Wed, 21 Oct 2026 07:28:00 GMT"));
    assertEquals(-1, HttpPeerClient.retryAfterMillis("99999999999999999999999"));
  }
}
