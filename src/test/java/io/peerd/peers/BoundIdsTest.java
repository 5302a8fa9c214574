package io.peerd.peers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.peerd.identity.Identity;
import io.peerd.identity.PeerId;
import java.time.Duration;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Once a URL is bound to an id, nothing but that id is taken there: not after a restart, a race, or
 * being forgotten.
 */
@Tag("unit")
class BoundIdsTest {

  static final PeerId SELF = Identity.generate().id();
  static final PeerId ALICE = Identity.generate().id();
  static final PeerId MALLORY = Identity.generate().id();
  static final String URL = "http://127.0.0.1:9001";

  PeerTable table(int capacity) {
    return new PeerTable(
        "http://127.0.0.1:8999",
        capacity,
        Duration.ofSeconds(1),
        Duration.ofSeconds(2),
        Duration.ofSeconds(5),
        new PeerTable.Policy(SELF, true));
  }

  @Test
  void aSecondProofOfAnotherIdChangesNothing() {
    PeerTable t = table(8);
    t.add(URL, PeerTable.Source.REGISTERED, 0);
    assertTrue(t.proved(URL, ALICE, "https://127.0.0.1:9101", null));
    // Another probe, started while the URL was unbound, comes back with what it saw.
    assertFalse(t.proved(URL, MALLORY, "https://127.0.0.1:6666", null));
    assertEquals(ALICE, t.get(URL).trust().id());
    assertEquals("https://127.0.0.1:9101", t.get(URL).trust().secureUrl());
  }

  @Test
  void anUnpinnedFriendGetsTheIdItProvedBeforeARestart() {
    PeerTable before = table(8);
    before.add(URL, PeerTable.Source.FRIEND, 0);
    before.proved(URL, ALICE, "https://127.0.0.1:9101", null);
    PeerState saved = before.get(URL);

    PeerTable after = table(8);
    after.add(URL, PeerTable.Source.FRIEND, 0); // from the config, without an id
    after.restore(saved, 10);
    assertEquals(ALICE, after.get(URL).trust().id());
    assertTrue(after.get(URL).pinned(), "still a friend");
  }

  @Test
  void aForgottenOrEvictedUrlMustProveTheSameIdWhenItComesBack() {
    PeerTable t = table(1);
    t.add(URL, PeerTable.Source.REGISTERED, 0);
    t.proved(URL, ALICE, "https://127.0.0.1:9101", null);
    t.refuse(URL, "identity mismatch: expected ..., presented ...", 0);
    assertEquals(java.util.List.of(URL), t.forgetExpired(60_000));
    t.add(URL, PeerTable.Source.REGISTERED, 60_000);
    assertEquals(ALICE, t.get(URL).trust().id(), "remembered");

    // Evicted to make room, same rule.
    t.markFailure(URL, 60_000);
    t.add("http://127.0.0.1:9002", PeerTable.Source.REGISTERED, 60_001);
    assertEquals(null, t.get(URL));
    t.forgetExpired(200_000); // the newcomer goes too
    t.add(URL, PeerTable.Source.REGISTERED, 200_000);
    assertEquals(ALICE, t.get(URL).trust().id());
  }
}
