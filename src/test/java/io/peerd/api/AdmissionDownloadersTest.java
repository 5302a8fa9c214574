package io.peerd.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("unit")
class AdmissionDownloadersTest {

  static final long SECOND = 1_000_000_000L;

  @Test
  void aHostIsNotedOnlyForABigRangeAndItsContinuationLastsFiveSecondsAndEightRanges() {
    Admission.Downloaders d = new Admission.Downloaders(4);
    d.sent("10.0.0.1", Admission.BIG_RANGE - 1, 0);
    assertFalse(d.get("10.0.0.1").continuing(1), "a small range continues nothing");
    d.sent("10.0.0.1", Admission.BIG_RANGE, 0);
    Admission.Serving s = d.get("10.0.0.1");
    assertTrue(s.continuing(SECOND));
    assertFalse(s.continuing(Admission.CONTINUING_MS * 1_000_000), "5 s later, no more");
    s.running = Admission.CONTINUING_PER_HOST;
    assertFalse(s.continuing(SECOND), "eight running: the host's share");
  }

  @Test
  void pastTheBoundTheLeastRecentlySeenHostWithNothingRunningIsForgotten() {
    Admission.Downloaders d = new Admission.Downloaders(2);
    d.sent("a", Admission.BIG_RANGE, 0);
    d.sent("b", Admission.BIG_RANGE, 0);
    d.get("a").running = 1; // seen last, and running
    d.sent("c", Admission.BIG_RANGE, 0);
    assertEquals(2, d.size());
    assertNull(d.get("b"), "b: least recently seen, nothing running");
    assertNotNull(d.get("c"));
    // Now a is the least recently seen of a and c, d comes: a runs, so c goes instead.
    Admission.Serving a = d.get("a");
    d.get("c");
    d.sent("d", Admission.BIG_RANGE, 0);
    assertEquals(2, d.size());
    assertTrue(d.get("a") == a, "a running host keeps its record and its count");
    assertNull(d.get("c"));
  }
}
