package io.peerd.search;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.peerd.peers.PeerTable;
import io.peerd.routing.Mode;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Walk and summary routing in SearchService, against fake neighbours behind the seam. */
@ExtendWith(VertxExtension.class)
@Tag("unit")
class WalkSearchTest {

  static final String SELF = "http://self:1";

  /** Fake neighbours, plus an origin that answers walkers' checks as told. */
  static final class Net extends SearchServiceTest.FakeNet {
    boolean originSaysGoOn = true;
    final List<String> checks = new ArrayList<>();

    @Override
    public Future<Boolean> stillWanted(String originUrl, String id, long timeoutMillis) {
      checks.add(originUrl + "|" + id);
      return Future.succeededFuture(originSaysGoOn);
    }
  }

  static PeerTable table(String... urls) {
    PeerTable t =
        new PeerTable(SELF, 64, Duration.ofSeconds(5), Duration.ofSeconds(30), Duration.ofHours(1));
    for (String u : urls) {
      t.add(u, PeerTable.Source.REGISTERED, 0);
    }
    return t;
  }

  static SearchService service(
      PeerTable t, Net net, SearchService.NeighbourSummaries summaries, String localMatch) {
    return new SearchService(
        SELF,
        q ->
            localMatch != null && localMatch.contains(q.text())
                ? List.of(SearchServiceTest.hit(localMatch))
                : List.of(),
        t,
        net,
        new SearchService.Settings(3, 1000, 100, 100, 4),
        new SeenQueries(1000, 60_000),
        System::currentTimeMillis,
        new Random(1),
        summaries,
        LoopDelay.NONE);
  }

  static SearchQuery walk(String id, int hops, String origin, String from, int walkers) {
    return new SearchQuery(
        id, "needle", 10, hops, 3, 2000, origin, from, List.of(), Mode.WALK, walkers, 1);
  }

  @Test
  void theOriginStartsKWalkersAndOthersForwardToOne(Vertx vertx, VertxTestContext ctx) {
    Net net = new Net();
    for (String p : List.of("http://a:1", "http://b:1", "http://c:1", "http://d:1", "http://e:1")) {
      net.peers.put(p, q -> Future.succeededFuture(SearchServiceTest.answer(p, "nothing")));
    }
    PeerTable t = table("http://a:1", "http://b:1", "http://c:1", "http://d:1", "http://e:1");
    SearchService s = service(t, net, SearchService.NeighbourSummaries.NONE, null);
    vertx.runOnContext(
        v ->
            s.search(walk("w1", 0, null, null, 3))
                .compose(
                    a -> {
                      ctx.verify(
                          () -> assertEquals(3, net.calls.size(), "three walkers from the origin"));
                      return s.search(walk("w2", 1, "http://o:1", "http://a:1", 3));
                    })
                .onComplete(
                    ctx.succeeding(
                        a ->
                            ctx.verify(
                                () -> {
                                  assertEquals(
                                      4, net.calls.size(), "one walker on from a forwarding peer");
                                  assertFalse(
                                      net.calls.get(3).equals("http://a:1"),
                                      "not back to the sender");
                                  assertTrue(net.checks.isEmpty(), "no check at hops 0 and 1");
                                  ctx.completeNow();
                                }))));
  }

  @Test
  void aWalkerChecksWithTheOriginEveryFourHopsAndStopsWhenToldTo(
      Vertx vertx, VertxTestContext ctx) {
    Net net = new Net();
    net.peers.put(
        "http://a:1",
        q -> Future.succeededFuture(SearchServiceTest.answer("http://a:1", "nothing")));
    net.peers.put(
        "http://b:1",
        q -> Future.succeededFuture(SearchServiceTest.answer("http://b:1", "nothing")));
    SearchService s =
        service(
            table("http://a:1", "http://b:1"), net, SearchService.NeighbourSummaries.NONE, null);
    vertx.runOnContext(
        v ->
            s.search(walk("x1", 4, "http://o:1", "http://a:1", 1))
                .compose(
                    a -> {
                      ctx.verify(
                          () -> {
                            assertEquals(List.of("http://o:1|x1"), net.checks);
                            assertEquals(
                                List.of("http://b:1"), net.calls, "told to go on: one walker on");
                          });
                      net.originSaysGoOn = false;
                      return s.search(walk("x2", 8, "http://o:1", "http://a:1", 1));
                    })
                .compose(
                    a -> {
                      ctx.verify(
                          () -> {
                            assertEquals(2, net.checks.size());
                            assertEquals(1, net.calls.size(), "told to stop: nobody gets it");
                          });
                      return s.search(walk("x3", 5, "http://o:1", "http://a:1", 1));
                    })
                .onComplete(
                    ctx.succeeding(
                        a ->
                            ctx.verify(
                                () -> {
                                  assertEquals(2, net.checks.size(), "no check at hop 5");
                                  assertEquals(2, net.calls.size());
                                  assertEquals(2, s.stats().checks(), "checks are counted");
                                  ctx.completeNow();
                                }))));
  }

  @Test
  void theOriginSaysStopOnceAWalkerHasFoundEnough(Vertx vertx, VertxTestContext ctx) {
    Net net = new Net();
    Promise<SearchAnswer> slow = Promise.promise();
    net.peers.put(
        "http://a:1",
        q -> Future.succeededFuture(SearchServiceTest.answer("http://a:1", "needle.txt")));
    net.peers.put("http://b:1", q -> slow.future());
    SearchService s =
        service(
            table("http://a:1", "http://b:1"), net, SearchService.NeighbourSummaries.NONE, null);
    vertx.runOnContext(
        v -> {
          Future<SearchAnswer> running = s.search(walk("found", 0, null, null, 2));
          ctx.verify(
              () -> {
                assertEquals(2, net.calls.size());
                assertFalse(
                    s.stillWanted("found"), "a walker came back with a result: the rest may stop");
                assertFalse(s.stillWanted("never-started"));
              });
          slow.complete(SearchServiceTest.answer("http://b:1", "other"));
          running.onComplete(
              ctx.succeeding(
                  a ->
                      ctx.verify(
                          () -> {
                            assertEquals(
                                Set.of(SELF, "http://a:1", "http://b:1"),
                                Set.copyOf(a.results().stream().map(PeerResult::peer).toList()));
                            assertFalse(s.stillWanted("found"), "finished searches are forgotten");
                            ctx.completeNow();
                          })));
        });
  }

  @Test
  void aWalkerRevisitingAPeerWalksOnWithoutAnsweringTwice(Vertx vertx, VertxTestContext ctx) {
    Net net = new Net();
    net.peers.put(
        "http://a:1",
        q -> Future.succeededFuture(SearchServiceTest.answer("http://a:1", "nothing")));
    net.peers.put(
        "http://b:1",
        q -> Future.succeededFuture(SearchServiceTest.answer("http://b:1", "nothing")));
    SearchService s =
        service(
            table("http://a:1", "http://b:1"),
            net,
            SearchService.NeighbourSummaries.NONE,
            "needles-and-pins");
    SearchQuery first =
        new SearchQuery(
            "r", "pins", 10, 2, 3, 2000, "http://o:1", "http://a:1", List.of(), Mode.WALK, 1, 5);
    vertx.runOnContext(
        v ->
            s.search(first)
                .compose(
                    a -> {
                      ctx.verify(
                          () ->
                              assertTrue(
                                  a.results().stream().anyMatch(r -> r.peer().equals(SELF))));
                      return s.search(first);
                    })
                .onComplete(
                    ctx.succeeding(
                        again ->
                            ctx.verify(
                                () -> {
                                  assertTrue(again.duplicate());
                                  assertFalse(
                                      again.results().stream().anyMatch(r -> r.peer().equals(SELF)),
                                      "answered once");
                                  assertEquals(
                                      2, net.calls.size(), "but the walker went on both times");
                                  ctx.completeNow();
                                }))));
  }

  @Test
  void summaryModeAsksOnlyTheNeighbourWhoseSummaryMatches(Vertx vertx, VertxTestContext ctx) {
    Net net = new Net();
    for (String p : List.of("http://a:1", "http://b:1", "http://c:1", "http://d:1")) {
      net.peers.put(p, q -> Future.succeededFuture(SearchServiceTest.answer(p, "x")));
    }
    SearchService.NeighbourSummaries onlyC = (url, text) -> url.equals("http://c:1");
    SearchService s =
        service(table("http://a:1", "http://b:1", "http://c:1", "http://d:1"), net, onlyC, null);
    SearchQuery q =
        new SearchQuery("s1", "needle", 10, 0, 3, 2000, null, null, List.of(), Mode.SUMMARY, 2, 1);
    SearchQuery tooShort =
        new SearchQuery("s2", "ne", 10, 0, 3, 2000, null, null, List.of(), Mode.SUMMARY, 2, 1);
    vertx.runOnContext(
        v ->
            s.search(q)
                .compose(
                    a -> {
                      ctx.verify(() -> assertEquals(List.of("http://c:1"), net.calls));
                      return s.search(tooShort);
                    })
                .onComplete(
                    ctx.succeeding(
                        a ->
                            ctx.verify(
                                () -> {
                                  assertEquals(
                                      3,
                                      net.calls.size(),
                                      "a query too short to judge walks: two walkers");
                                  ctx.completeNow();
                                }))));
  }

  @Test
  void aWalkerWithoutAnOriginToAskWalksOn(Vertx vertx, VertxTestContext ctx) {
    Net net = new Net();
    net.peers.put(
        "http://b:1",
        q -> Future.succeededFuture(SearchServiceTest.answer("http://b:1", "nothing")));
    SearchService s =
        service(
            table("http://a:1", "http://b:1"), net, SearchService.NeighbourSummaries.NONE, null);
    // As a seed peer (or anyone) may send it: a sender, hops at a check, but no origin.
    vertx.runOnContext(
        v ->
            s.search(walk("no-origin", 4, null, "http://a:1", 1))
                .onComplete(
                    ctx.succeeding(
                        a ->
                            ctx.verify(
                                () -> {
                                  assertTrue(net.checks.isEmpty());
                                  assertEquals(List.of("http://b:1"), net.calls);
                                  ctx.completeNow();
                                }))));
  }
}
