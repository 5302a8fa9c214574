package io.peerd.search;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.peerd.routing.NameSummary;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The neighbour-summary book: when it fetches, what it keeps, and its bounds. */
@Tag("unit")
class SummariesTest {

  /** Neighbours with a summary each (or a failure), recording what was asked. */
  static final class Fake implements SearchTransport {
    final Map<String, RemoteSummary> answers = new HashMap<>();
    final List<String> asked = new ArrayList<>();

    /** When set, the next call's answer: completed by the test, while the fetch is under way. */
    Promise<RemoteSummary> held;

    @Override
    public Future<SearchAnswer> forward(String peerUrl, SearchQuery query, long timeoutMillis) {
      throw new UnsupportedOperationException();
    }

    @Override
    public Future<RemoteSummary> summary(String peerUrl, long knownGeneration, long timeoutMillis) {
      asked.add(peerUrl + "@" + knownGeneration);
      if (held != null) {
        Promise<RemoteSummary> p = held;
        held = null;
        return p.future();
      }
      RemoteSummary r = answers.get(peerUrl);
      if (r == null) {
        return Future.failedFuture(new PeerCallException("refused", "no"));
      }
      return Future.succeededFuture(
          r.generation() == knownGeneration ? new RemoteSummary(knownGeneration, null) : r);
    }
  }

  long now = 0;

  @Test
  void fetchesOnFirstSightAndThenOnlyAsksWhetherTheGenerationChanged() {
    Fake net = new Fake();
    net.answers.put("a", new RemoteSummary(3, NameSummary.of(List.of("holiday-photos.zip"), 1024)));
    Summaries s = new Summaries(net, 1000, 100, () -> now);
    s.round(List.of("a"), List.of("a"));
    assertTrue(s.mayMatch("a", "photos"));
    assertFalse(s.mayMatch("a", "invoice"));
    s.round(List.of("a"), List.of("a"));
    assertEquals(List.of("a@-1"), net.asked, "not due again before the refresh interval");
    now = 1000;
    net.answers.put("a", new RemoteSummary(4, NameSummary.of(List.of("invoice.pdf"), 1024)));
    s.round(List.of("a"), List.of("a"));
    assertEquals(List.of("a@-1", "a@3"), net.asked);
    assertTrue(s.mayMatch("a", "invoice"), "a changed index brings the new summary");
    assertEquals(1, s.known());
  }

  static NameSummary of(String name) {
    return NameSummary.of(List.of(name), 1024);
  }

  @Test
  void aNoticeMakesASummaryDueOnceASecondAtMostAndOneMadeDuringAFetchIsNotLost() {
    Fake net = new Fake();
    net.answers.put("a", new RemoteSummary(3, of("old-notes.txt")));
    // Refreshed every minute on its own: whatever comes sooner is the notices' doing.
    Summaries s = new Summaries(net, 60_000, 100, () -> now);
    s.round(List.of("a"), List.of("a"));
    assertFalse(s.changed("b", 4), "a peer whose summary is not held");
    assertFalse(s.changed("a", 3), "the generation held");

    net.answers.put("a", new RemoteSummary(4, of("new-photos.zip")));
    assertTrue(s.changed("a", 4));
    s.round(List.of("a"), List.of("a"));
    assertEquals(1, net.asked.size(), "not within a second of the last fetch");
    now = 1000;
    s.round(List.of("a"), List.of("a"));
    assertEquals("a@3", net.asked.get(1));
    assertTrue(s.mayMatch("a", "photos"));

    // The notice of generation 6 comes while the fetch started by that of 5 is under way, and
    // that fetch answers 5: one more fetch follows, a second later.
    now = 3000;
    assertTrue(s.changed("a", 5));
    net.held = Promise.promise();
    Promise<RemoteSummary> slow = net.held;
    s.round(List.of("a"), List.of("a"));
    assertTrue(s.changed("a", 6));
    slow.complete(new RemoteSummary(5, of("five.txt")));
    assertTrue(s.mayMatch("a", "five"));
    net.answers.put("a", new RemoteSummary(6, of("six-songs.tar")));
    now = 3500;
    s.round(List.of("a"), List.of("a"));
    assertEquals(3, net.asked.size(), "not twice within a second");
    now = 4000;
    s.round(List.of("a"), List.of("a"));
    assertEquals("a@5", net.asked.get(3));
    assertTrue(s.mayMatch("a", "songs"), "the last notice was honoured");
  }

  @Test
  void aFailedRefreshKeepsTheOldSummaryAndForgottenPeersAreDropped() {
    Fake net = new Fake();
    net.answers.put("a", new RemoteSummary(1, NameSummary.of(List.of("song.mp3"), 1024)));
    Summaries s = new Summaries(net, 1000, 100, () -> now);
    s.round(List.of("a"), List.of("a"));
    net.answers.clear();
    now = 2000;
    s.round(List.of("a"), List.of("a"));
    assertTrue(s.mayMatch("a", "song"), "a blip does not blind routing");
    s.round(List.of(), List.of());
    assertFalse(s.mayMatch("a", "song"));
    assertEquals(0, s.known());
  }

  @Test
  void oversizedSummariesAreNotKept() {
    Fake net = new Fake();
    net.answers.put(
        "big",
        new RemoteSummary(1, NameSummary.of(List.of("x.bin"), Summaries.MAX_REMOTE_BITS * 2)));
    List<String> many = new ArrayList<>();
    for (int i = 0; i < 80; i++) {
      String url = "p" + i;
      many.add(url);
      net.answers.put(
          url, new RemoteSummary(1, NameSummary.of(List.of("x.bin"), Summaries.MAX_REMOTE_BITS)));
    }
    many.add("big");
    Summaries s = new Summaries(net, 1000, 100, () -> now);
    s.round(many, many);
    assertFalse(s.mayMatch("big", "x.bin"), "over the per-peer cap");
    long perPeer = Summaries.MAX_REMOTE_BITS / 8;
    assertEquals(Summaries.MAX_TOTAL_BYTES / perPeer, s.known(), "the total stays under its cap");
  }
}
