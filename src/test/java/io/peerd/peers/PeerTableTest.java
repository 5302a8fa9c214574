package io.peerd.peers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("unit")
class PeerTableTest {

  PeerTable table(int capacity) {
    return new PeerTable(
        "http://self:1",
        capacity,
        Duration.ofSeconds(10),
        Duration.ofSeconds(60),
        Duration.ofMinutes(5));
  }

  @Test
  void refusesSelfAndKnowsDuplicates() {
    PeerTable t = table(4);
    assertEquals(PeerTable.AddResult.SELF, t.add("http://self:1", PeerTable.Source.REGISTERED, 0));
    assertEquals(PeerTable.AddResult.ADDED, t.add("http://a:1", PeerTable.Source.REGISTERED, 0));
    assertEquals(PeerTable.AddResult.KNOWN, t.add("http://a:1", PeerTable.Source.REGISTERED, 0));
    assertEquals(1, t.size());
  }

  @Test
  void boundedEvictingUnhealthyThenLeastRecentlySeenButNeverPinned() {
    PeerTable t = table(3);
    t.add("http://friend:1", PeerTable.Source.FRIEND, 0);
    t.add("http://a:1", PeerTable.Source.REGISTERED, 0);
    t.add("http://b:1", PeerTable.Source.REGISTERED, 0);
    t.markSuccess("http://a:1", 5, 100);
    t.markFailure("http://b:1", 100);
    assertEquals(PeerTable.AddResult.ADDED, t.add("http://c:1", PeerTable.Source.REGISTERED, 200));
    assertFalse(t.contains("http://b:1"), "the unhealthy one made room");
    assertEquals(PeerTable.AddResult.ADDED, t.add("http://d:1", PeerTable.Source.REGISTERED, 300));
    assertTrue(t.contains("http://friend:1"));
    assertEquals(3, t.size());
    PeerTable pinnedOnly = table(1);
    pinnedOnly.add("http://f:1", PeerTable.Source.FRIEND, 0);
    assertEquals(
        PeerTable.AddResult.FULL, pinnedOnly.add("http://g:1", PeerTable.Source.REGISTERED, 0));
  }

  @Test
  void failureMarksUnhealthyAtOnceWithCappedExponentialBackoff() {
    PeerTable t = table(8);
    t.add("http://a:1", PeerTable.Source.REGISTERED, 0);
    t.markFailure("http://a:1", 1000);
    assertFalse(t.get("http://a:1").healthy());
    assertEquals(1000 + 10_000, t.get("http://a:1").nextProbeMillis());
    t.markFailure("http://a:1", 1000);
    assertEquals(1000 + 20_000, t.get("http://a:1").nextProbeMillis());
    for (int i = 0; i < 40; i++) {
      t.markFailure("http://a:1", 1000);
    }
    assertEquals(1000 + 60_000, t.get("http://a:1").nextProbeMillis(), "capped");
    assertEquals(List.of(), t.dueForProbe(2000));
    assertEquals(List.of("http://a:1"), t.dueForProbe(61_000));
    t.markSuccess("http://a:1", 3, 61_000);
    assertTrue(t.get("http://a:1").healthy());
    assertEquals(0, t.get("http://a:1").failures());
  }

  @Test
  void aStepBackOfTheWallClockDoesNotPostponeTheNextProbeByTheStepsLength() {
    PeerTable t = table(8);
    long beforeStep = 1_000_000;
    t.add("http://a:1", PeerTable.Source.REGISTERED, 0);
    t.add("http://b:1", PeerTable.Source.REGISTERED, 0);
    t.markFailure("http://a:1", beforeStep);
    t.markFailure("http://b:1", beforeStep);
    t.markFailure("http://b:1", beforeStep);
    assertEquals(List.of(), t.dueForProbe(beforeStep + 5_000), "inside the backoff");
    // NTP steps the clock back ten minutes: a's next probe (10 s off) and b's (20 s off) now lie
    // more than the longest backoff (60 s) ahead.
    long afterStep = beforeStep + 5_000 - 600_000;
    assertEquals(
        List.of("http://a:1", "http://b:1"), t.dueForProbe(afterStep).stream().sorted().toList());
    t.markFailure("http://a:1", afterStep);
    assertEquals(
        List.of("http://b:1"),
        t.dueForProbe(afterStep + 1_000),
        "a's backoff runs from the new time");
  }

  @Test
  void forgetsLongFailingPeersButNotFriends() {
    PeerTable t = table(8);
    t.add("http://a:1", PeerTable.Source.REGISTERED, 0);
    t.add("http://f:1", PeerTable.Source.FRIEND, 0);
    assertEquals(2, t.failuresToForget(), "5 min / (2 x 60 s)");
    for (int probe = 0; probe < 2; probe++) {
      t.markFailure("http://a:1", probe * 60_000L);
      t.markFailure("http://f:1", probe * 60_000L);
    }
    assertEquals(List.of(), t.forgetExpired(Duration.ofMinutes(4).toMillis()));
    assertEquals(List.of("http://a:1"), t.forgetExpired(Duration.ofMinutes(6).toMillis()));
    assertTrue(t.contains("http://f:1"));
  }

  @Test
  void aStepForwardOfTheWallClockForgetsNobodyThatFailedOnlyAMomentAgo() {
    PeerTable t = table(8);
    t.add("http://a:1", PeerTable.Source.REGISTERED, 0);
    t.markSuccess("http://a:1", 1, 1_000);
    t.markFailure("http://a:1", 2_000);
    long afterStep = 2_000 + Duration.ofHours(2).toMillis(); // date -s, or NTP after a suspend
    assertEquals(List.of(), t.forgetExpired(afterStep), "one failure is not five minutes of them");
    t.markFailure("http://a:1", afterStep + 60_000); // its next probe fails too
    assertEquals(List.of("http://a:1"), t.forgetExpired(afterStep + 60_000));
  }
}
