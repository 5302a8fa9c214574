package io.peerd.peers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.peerd.identity.Identity;
import io.peerd.identity.PeerRecord;
import io.vertx.core.Future;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Peer exchange's signed records, with a fake neighbour behind the probe seam. */
@Tag("unit")
class SignedExchangeTest {

  static final Identity SELF = Identity.generate();
  static final Identity ALICE = Identity.generate();
  static final Identity MALLORY = Identity.generate();
  static final String NEIGHBOUR = "http://127.0.0.1:9000";
  static final String ALICE_URL = "http://127.0.0.1:9001";
  static final String ALICE_SECURE = "https://127.0.0.1:9101";

  /** A neighbour whose /peers answer the test sets. */
  static final class FakeNeighbour implements PeerProbe {
    List<PeerRecord> records = new ArrayList<>();
    final java.util.Map<String, Health> health = new java.util.HashMap<>();
    final List<String> secureProbes = new ArrayList<>();

    @Override
    public Future<Health> health(String url, io.peerd.identity.PeerId expect, long timeout) {
      if (expect != null) {
        secureProbes.add(url);
      }
      Health h = health.get(url);
      return h == null ? Future.failedFuture("refused: nothing there") : Future.succeededFuture(h);
    }

    @Override
    public Future<PeerList> peersOf(String peerUrl, int max, long timeout) {
      return Future.succeededFuture(new PeerList(List.of(), records));
    }

    @Override
    public Future<Void> register(String peerUrl, String self, long timeout) {
      return Future.succeededFuture();
    }
  }

  long now = 1_000_000;
  PeerTable table = table(true);

  static PeerTable table(boolean allowUnauthenticated) {
    return new PeerTable(
        "http://127.0.0.1:8999",
        16,
        Duration.ofSeconds(1),
        Duration.ofSeconds(8),
        Duration.ofMinutes(5),
        new PeerTable.Policy(SELF.id(), allowUnauthenticated));
  }

  FakeNeighbour neighbour = new FakeNeighbour();
  PeerExchange exchange =
      new PeerExchange(
          table, neighbour, 8, 1000, () -> now, new Random(1), PeerExchange::verifyHere);

  @Test
  void aGoodRecordIsAHintThatTheUrlItselfMustConfirm() {
    neighbour.records = List.of(PeerRecord.sign(ALICE, List.of(ALICE_URL, ALICE_SECURE), 10));
    assertEquals(1, exchange.from(NEIGHBOUR).result());
    Trust t = table.get(ALICE_URL).trust();
    // Anyone may sign any URL: the record is kept, the URL is bound to nobody yet.
    assertNull(t.id());
    assertEquals(10, t.record().seq());
    assertEquals(Link.plain(ALICE_URL), table.link(ALICE_URL));
  }

  @Test
  void aRecordNamingSomeoneElsesUrlBindsItToNobodyButWhoAnswersThere() {
    // Mallory signs Alice's URL with Mallory's secure port.
    String mallorySecure = "https://127.0.0.1:6666";
    neighbour.records = List.of(PeerRecord.sign(MALLORY, List.of(ALICE_URL, mallorySecure), 10));
    exchange.from(NEIGHBOUR);
    // Alice's URL names Alice and Alice's secure port, which presents Alice's certificate.
    neighbour.health.put(ALICE_URL, new PeerProbe.Health(1, ALICE.id(), ALICE_SECURE, null, null));
    neighbour.health.put(ALICE_SECURE, new PeerProbe.Health(1, null, null, ALICE.id(), null));
    neighbour.health.put(mallorySecure, new PeerProbe.Health(1, null, null, MALLORY.id(), null));
    HealthChecker checker = new HealthChecker(table, neighbour, 1000, () -> now);
    assertEquals(true, checker.check(ALICE_URL).result());
    assertEquals(ALICE.id(), table.get(ALICE_URL).trust().id());
    assertEquals(Link.secure(ALICE_SECURE, ALICE.id()), table.link(ALICE_URL));
    assertEquals(List.of(ALICE_SECURE), neighbour.secureProbes);
  }

  @Test
  void aForgedSignatureIsDroppedAndCounted() {
    PeerRecord real = PeerRecord.sign(ALICE, List.of(ALICE_URL, ALICE_SECURE), 10);
    PeerRecord mallorys = PeerRecord.sign(MALLORY, List.of("https://127.0.0.1:6666"), 11);
    // Alice's id and certificate, pointing at Mallory's address, signed by Mallory.
    PeerRecord forged =
        new PeerRecord(
            ALICE.id(),
            List.of(ALICE_URL, "https://127.0.0.1:6666"),
            11,
            real.certificate(),
            mallorys.signature());
    neighbour.records = List.of(forged);
    assertEquals(0, exchange.from(NEIGHBOUR).result());
    assertEquals(1, exchange.badSignatures());
    assertNull(table.get(ALICE_URL));
  }

  @Test
  void anOlderSeqIsAReplayAndANewerOneReplaces() {
    neighbour.records = List.of(PeerRecord.sign(ALICE, List.of(ALICE_URL, ALICE_SECURE), 10));
    exchange.from(NEIGHBOUR);
    // Alice moved her secure port and said so; an attacker replays her old record.
    String moved = "https://127.0.0.1:9202";
    neighbour.records = List.of(PeerRecord.sign(ALICE, List.of(ALICE_URL, moved), 20));
    exchange.from(NEIGHBOUR);
    assertEquals(moved, table.get(ALICE_URL).trust().record().secureUrl());
    assertEquals(20, table.get(ALICE_URL).trust().record().seq());

    neighbour.records = List.of(PeerRecord.sign(ALICE, List.of(ALICE_URL, ALICE_SECURE), 10));
    exchange.from(NEIGHBOUR);
    assertEquals(1, exchange.stale());
    assertEquals(moved, table.get(ALICE_URL).trust().record().secureUrl());
    assertEquals(20, table.get(ALICE_URL).trust().record().seq());

    // Bound to Alice: her newer record moves her secure port, unproved until a probe finds her.
    table.proved(ALICE_URL, ALICE.id(), moved, null);
    String again = "https://127.0.0.1:9303";
    neighbour.records = List.of(PeerRecord.sign(ALICE, List.of(ALICE_URL, again), 30));
    exchange.from(NEIGHBOUR);
    Trust t = table.get(ALICE_URL).trust();
    assertEquals(again, t.secureUrl());
    assertEquals(false, t.authenticated());
    assertEquals(Link.secure(again, ALICE.id()), table.link(ALICE_URL));
    assertEquals(0, exchange.badSignatures());
  }

  @Test
  void aRecordCannotRebindAUrlKnownUnderAnotherId() {
    table.add(ALICE_URL, PeerTable.Source.FRIEND, now, Trust.pinned(ALICE.id()));
    neighbour.records =
        List.of(PeerRecord.sign(MALLORY, List.of(ALICE_URL, "https://127.0.0.1:6666"), 99));
    exchange.from(NEIGHBOUR);
    assertEquals(ALICE.id(), table.get(ALICE_URL).trust().id());
    assertNull(table.get(ALICE_URL).trust().secureUrl());
  }

  @Test
  void aClosedTableCallsOnlyProvedPeersAndItself() {
    PeerTable closed = table(false);
    assertEquals(Link.plain("http://127.0.0.1:8999"), closed.link("http://127.0.0.1:8999"));
    assertEquals(
        "not a peer that proved its id (allow_unauthenticated_peers is false)",
        closed.link("http://127.0.0.1:7000").refused());
    closed.add(ALICE_URL, PeerTable.Source.FRIEND, now);
    assertEquals(
        "unauthenticated (allow_unauthenticated_peers is false)", closed.link(ALICE_URL).refused());
    closed.proved(ALICE_URL, ALICE.id(), ALICE_SECURE, null);
    assertEquals(Link.secure(ALICE_SECURE, ALICE.id()), closed.link(ALICE_URL));
    // gRPC addresses: the REST port's or the secure port's host and port lead to the same link.
    assertEquals(Link.secure(ALICE_SECURE, ALICE.id()), closed.linkAt("127.0.0.1", 9001));
    assertEquals(Link.secure(ALICE_SECURE, ALICE.id()), closed.linkAt("127.0.0.1", 9101));
    assertEquals(
        "not a peer that proved its id (allow_unauthenticated_peers is false)",
        closed.linkAt("127.0.0.1", 50051).refused());
  }
}
