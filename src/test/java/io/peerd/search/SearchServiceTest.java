package io.peerd.search;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.peerd.peers.PeerTable;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** SearchService against fake neighbours behind the {@link SearchTransport} seam. */
@ExtendWith(VertxExtension.class)
@Tag("unit")
class SearchServiceTest {

  static final String SELF = "http://self:1";

  /** Scripted neighbours: url -> answer function; records what each one received. */
  static class FakeNet implements SearchTransport {
    final Map<String, Function<SearchQuery, Future<SearchAnswer>>> peers = new HashMap<>();
    final List<String> calls = new ArrayList<>();
    final List<SearchQuery> received = new ArrayList<>();
    final List<Long> timeouts = new ArrayList<>();

    @Override
    public Future<SearchAnswer> forward(String peerUrl, SearchQuery query, long timeoutMillis) {
      calls.add(peerUrl);
      received.add(query);
      timeouts.add(timeoutMillis);
      return peers.get(peerUrl).apply(query);
    }
  }

  static SearchAnswer answer(String peer, String file) {
    return new SearchAnswer(
        "id",
        "q",
        0,
        0,
        List.of(new PeerResult(peer, List.of(hit(file)), -1)),
        List.of(),
        false,
        1,
        1,
        false);
  }

  static FileHit hit(String name) {
    return new FileHit(name, 1, 0, "c", ".txt", "text", null, null, null, null);
  }

  PeerTable table(String... urls) {
    PeerTable t =
        new PeerTable(SELF, 64, Duration.ofSeconds(5), Duration.ofSeconds(30), Duration.ofHours(1));
    for (String u : urls) {
      t.add(u, PeerTable.Source.REGISTERED, 0);
    }
    return t;
  }

  SearchService service(PeerTable t, FakeNet net, long friendTimeout, Random random) {
    return service(t, net, friendTimeout, random, LoopDelay.NONE);
  }

  SearchService service(
      PeerTable t, FakeNet net, long friendTimeout, Random random, LoopDelay loop) {
    return service(t, net, friendTimeout, random, loop, System::currentTimeMillis);
  }

  SearchService service(
      PeerTable t,
      FakeNet net,
      long friendTimeout,
      Random random,
      LoopDelay loop,
      java.util.function.LongSupplier clock) {
    return new SearchService(
        SELF,
        q -> List.of(hit("local-" + q.text())),
        t,
        net,
        new SearchService.Settings(3, friendTimeout, 100, 100),
        new SeenQueries(1000, 60_000),
        clock,
        random,
        SearchService.NeighbourSummaries.NONE,
        loop);
  }

  static SearchQuery query(String id, int ttl, int fanout, long budget) {
    return SearchQuery.fromClient(id, "q", ttl, fanout, budget);
  }

  @Test
  void mergesNeighboursAndReportsFailuresWithoutLosingTheRest(Vertx vertx, VertxTestContext ctx) {
    FakeNet net = new FakeNet();
    net.peers.put("http://a:1", q -> Future.succeededFuture(answer("http://a:1", "fa")));
    net.peers.put(
        "http://b:1",
        q -> Future.failedFuture(new PeerCallException("refused", "connection refused")));
    net.peers.put("http://c:1", q -> Promise.<SearchAnswer>promise().future()); // hangs forever
    PeerTable t = table("http://a:1", "http://b:1", "http://c:1");
    SearchService s = service(t, net, 300, new Random(1));
    long start = System.nanoTime();
    vertx.runOnContext(
        v ->
            s.search(query("x", 1, 3, 5000))
                .onComplete(
                    ctx.succeeding(
                        a ->
                            ctx.verify(
                                () -> {
                                  long ms = (System.nanoTime() - start) / 1_000_000;
                                  assertTrue(
                                      ms >= 290 && ms < 1000,
                                      "bounded by the per-friend timeout: " + ms);
                                  assertTrue(a.partial());
                                  assertEquals(
                                      List.of(SELF, "http://a:1"),
                                      a.results().stream().map(PeerResult::peer).toList());
                                  assertEquals(
                                      1,
                                      a.results().get(1).hops(),
                                      "a seed-style answer without hops is one hop away");
                                  Map<String, String> why = new HashMap<>();
                                  a.unreachable().forEach(u -> why.put(u.peer(), u.reason()));
                                  assertTrue(
                                      why.get("http://b:1").startsWith("refused"), why.toString());
                                  assertEquals("timeout", why.get("http://c:1"));
                                  assertFalse(
                                      t.get("http://b:1").healthy(),
                                      "the search path marks failures at once");
                                  assertFalse(t.get("http://c:1").healthy());
                                  assertTrue(t.get("http://a:1").healthy());
                                  ctx.completeNow();
                                }))));
  }

  /** A loop that was behind by {@code ms} throughout: what a peer under overload sees. */
  static LoopDelay behindBy(long ms) {
    return new LoopDelay() {
      @Override
      public long behindMillis() {
        return ms;
      }

      @Override
      public long mark() {
        return 0;
      }

      @Override
      public long maxSinceMillis(long mark) {
        return ms;
      }
    };
  }

  @Test
  void aTimeoutWhileThisPeerWasItselfBehindIsNotHeldAgainstTheNeighbour(
      Vertx vertx, VertxTestContext ctx) {
    FakeNet net = new FakeNet();
    net.peers.put("http://c:1", q -> Promise.<SearchAnswer>promise().future()); // hangs forever
    PeerTable t = table("http://c:1");
    // Behind by a fifth of the 300 ms wait: the answer may have come in time and been read late.
    SearchService s = service(t, net, 300, new Random(1), behindBy(60));
    vertx.runOnContext(
        v ->
            s.search(query("x", 1, 3, 5000))
                .onComplete(
                    ctx.succeeding(
                        a ->
                            ctx.verify(
                                () -> {
                                  assertTrue(a.partial());
                                  assertEquals(
                                      "timeout: this peer was 60 ms behind itself",
                                      a.unreachable().get(0).reason());
                                  assertTrue(
                                      t.get("http://c:1").healthy(),
                                      "not marked failed for this peer's own lateness");
                                  assertEquals(1, s.stats().timeoutsWhileLate());
                                  assertEquals(1, s.stats().neighbourTimeouts());
                                  ctx.completeNow();
                                }))));
  }

  @Test
  void aBusyNeighbourIsLeftAloneForItsRetryAfterAndNotMarkedFailed(
      Vertx vertx, VertxTestContext ctx) {
    FakeNet net = new FakeNet();
    java.util.concurrent.atomic.AtomicLong now =
        new java.util.concurrent.atomic.AtomicLong(1_000_000_000L);
    java.util.concurrent.atomic.AtomicLong retryAfter =
        new java.util.concurrent.atomic.AtomicLong();
    java.util.concurrent.atomic.AtomicBoolean busy =
        new java.util.concurrent.atomic.AtomicBoolean();
    net.peers.put(
        "http://b:1",
        q ->
            busy.get()
                ? Future.failedFuture(
                    new PeerCallException("busy", "HTTP 503: overloaded", retryAfter.get()))
                : Future.succeededFuture(answer("http://b:1", "fb")));
    PeerTable t = table("http://b:1");
    SearchService s = service(t, net, 300, new Random(1), LoopDelay.NONE, now::get);
    java.util.function.LongFunction<Future<SearchAnswer>> searchAt =
        ms -> {
          now.set(1_000_000_000L + ms);
          return s.search(query("q" + ms, 1, 3, 5000));
        };
    java.util.function.IntConsumer asked =
        n -> ctx.verify(() -> assertEquals(n, net.calls.size(), "calls at " + now.get()));
    busy.set(true);
    retryAfter.set(2_000);
    vertx.runOnContext(
        v ->
            searchAt
                .apply(0)
                .compose(
                    first -> {
                      ctx.verify(
                          () -> {
                            assertTrue(first.partial());
                            assertTrue(
                                first.unreachable().get(0).reason().startsWith("busy"),
                                first.unreachable().toString());
                            assertTrue(t.get("http://b:1").healthy(), "busy is not down");
                            assertEquals(0, t.get("http://b:1").failures());
                          });
                      return searchAt.apply(1_999);
                    })
                .compose(
                    held -> {
                      asked.accept(1);
                      ctx.verify(() -> assertFalse(held.partial(), "left out as known busy"));
                      return searchAt.apply(2_000); // due; busy again: twice as long, 4 s
                    })
                .compose(x -> searchAt.apply(5_999))
                .compose(
                    x -> {
                      asked.accept(2);
                      // A neighbour cannot keep itself out for longer than the cap.
                      retryAfter.set(3_600_000);
                      return searchAt.apply(6_000);
                    })
                .compose(x -> searchAt.apply(6_000 + SearchService.MAX_BUSY_HOLD_MILLIS - 1))
                .compose(
                    x -> {
                      asked.accept(3);
                      busy.set(false);
                      return searchAt.apply(6_000 + SearchService.MAX_BUSY_HOLD_MILLIS);
                    })
                .compose(
                    answered -> {
                      asked.accept(4);
                      ctx.verify(() -> assertFalse(answered.partial()));
                      // An answer ends the streak: the next busy one is held for its own 2 s.
                      busy.set(true);
                      retryAfter.set(2_000);
                      return searchAt.apply(40_000);
                    })
                .compose(x -> searchAt.apply(42_000))
                .compose(
                    x -> {
                      asked.accept(6);
                      // The clock steps back an hour: the hold is over, not an hour longer.
                      return searchAt.apply(-3_600_000);
                    })
                .onComplete(
                    ctx.succeeding(
                        back ->
                            ctx.verify(
                                () -> {
                                  assertEquals(7, net.calls.size());
                                  assertTrue(t.get("http://b:1").healthy());
                                  assertEquals(6, s.stats().busyHolds());
                                  ctx.completeNow();
                                }))));
  }

  @Test
  void forwardsWithOneTtlLessOneHopMoreAndASmallerBudget(Vertx vertx, VertxTestContext ctx) {
    FakeNet net = new FakeNet();
    net.peers.put("http://a:1", q -> Future.succeededFuture(answer("http://a:1", "fa")));
    SearchService s = service(table("http://a:1"), net, 1000, new Random(1));
    vertx.runOnContext(
        v ->
            s.search(query("x", 3, 3, 400))
                .onComplete(
                    ctx.succeeding(
                        a ->
                            ctx.verify(
                                () -> {
                                  SearchQuery sent = net.received.get(0);
                                  assertEquals(2, sent.ttl());
                                  assertEquals(1, sent.hops());
                                  assertEquals("x", sent.id());
                                  assertEquals(SELF, sent.origin());
                                  assertEquals(SELF, sent.from());
                                  assertEquals(
                                      List.of(), sent.alsoSentTo(), "one neighbour: no siblings");
                                  assertTrue(
                                      net.timeouts.get(0) <= 400, "call timeout within the budget");
                                  assertTrue(
                                      sent.budgetMillis() < net.timeouts.get(0),
                                      "the neighbour answers before we give up");
                                  ctx.completeNow();
                                }))));
  }

  @Test
  void ttlZeroAndDuplicatesStayLocal(Vertx vertx, VertxTestContext ctx) {
    FakeNet net = new FakeNet();
    net.peers.put("http://a:1", q -> Future.succeededFuture(answer("http://a:1", "fa")));
    SearchService s = service(table("http://a:1"), net, 1000, new Random(1));
    vertx.runOnContext(
        v ->
            s.search(query("x", 0, 3, 1000))
                .compose(
                    first -> s.search(query("x", 3, 3, 1000)).map(second -> List.of(first, second)))
                .onComplete(
                    ctx.succeeding(
                        both ->
                            ctx.verify(
                                () -> {
                                  assertEquals(1, both.get(0).results().size());
                                  assertTrue(net.calls.isEmpty(), "ttl 0 forwards nothing");
                                  assertTrue(both.get(1).duplicate());
                                  assertTrue(
                                      both.get(1).results().isEmpty(), "a seen id answers nothing");
                                  assertEquals(1, s.stats().duplicates());
                                  ctx.completeNow();
                                }))));
  }

  @Test
  void neverForwardsToSenderOrOriginAndSamplesNeighboursAtRandom(
      Vertx vertx, VertxTestContext ctx) {
    FakeNet net = new FakeNet();
    List<String> urls =
        List.of(
            "http://n0:1",
            "http://n1:1",
            "http://n2:1",
            "http://n3:1",
            "http://n4:1",
            "http://from:1",
            "http://origin:1");
    urls.forEach(u -> net.peers.put(u, q -> Future.succeededFuture(answer(u, "f"))));
    SearchService s = service(table(urls.toArray(String[]::new)), net, 1000, new Random(42));
    List<Future<SearchAnswer>> all = new ArrayList<>();
    vertx.runOnContext(
        v -> {
          for (int i = 0; i < 60; i++) {
            all.add(
                s.search(
                    new SearchQuery(
                        "q" + i,
                        "q",
                        2,
                        1,
                        2,
                        1000,
                        "http://origin:1",
                        "http://from:1",
                        List.of("http://n4:1"),
                        io.peerd.routing.Mode.FLOOD,
                        1,
                        1)));
          }
          Future.all(all)
              .onComplete(
                  ctx.succeeding(
                      x ->
                          ctx.verify(
                              () -> {
                                assertEquals(120, net.calls.size(), "fanout 2 per query");
                                assertFalse(net.calls.contains("http://from:1"));
                                assertFalse(net.calls.contains("http://origin:1"));
                                assertFalse(
                                    net.calls.contains("http://n4:1"),
                                    "the sender covered n4 already");
                                for (int i = 0; i < net.received.size(); i++) {
                                  assertEquals(
                                      1,
                                      net.received.get(i).alsoSentTo().size(),
                                      "fanout 2: one sibling");
                                  assertFalse(
                                      net.received.get(i).alsoSentTo().contains(net.calls.get(i)),
                                      "not itself");
                                }
                                for (int i = 0; i < 4; i++) {
                                  String n = "http://n" + i + ":1";
                                  long chosen = net.calls.stream().filter(n::equals).count();
                                  assertTrue(
                                      chosen >= 10,
                                      n
                                          + " chosen "
                                          + chosen
                                          + " times of 120: choice is not random");
                                }
                                ctx.completeNow();
                              })));
        });
  }

  @Test
  void samePeerByTwoPathsAppearsOnceAtItsShortestDistance(Vertx vertx, VertxTestContext ctx) {
    FakeNet net = new FakeNet();
    net.peers.put(
        "http://a:1",
        q ->
            Future.succeededFuture(
                new SearchAnswer(
                    "x",
                    "q",
                    0,
                    0,
                    List.of(
                        new PeerResult("http://a:1", List.of(hit("fa")), 1),
                        new PeerResult("http://far:1", List.of(hit("ff")), 3)),
                    List.of(),
                    false,
                    2,
                    1,
                    false)));
    net.peers.put(
        "http://b:1",
        q ->
            Future.succeededFuture(
                new SearchAnswer(
                    "x",
                    "q",
                    0,
                    0,
                    List.of(
                        new PeerResult("http://b:1", List.of(hit("fb")), 1),
                        new PeerResult("http://far:1", List.of(hit("ff")), 2)),
                    List.of(),
                    false,
                    2,
                    1,
                    false)));
    SearchService s = service(table("http://a:1", "http://b:1"), net, 1000, new Random(1));
    vertx.runOnContext(
        v ->
            s.search(query("x", 3, 3, 1000))
                .onComplete(
                    ctx.succeeding(
                        a ->
                            ctx.verify(
                                () -> {
                                  List<PeerResult> far =
                                      a.results().stream()
                                          .filter(r -> r.peer().equals("http://far:1"))
                                          .toList();
                                  assertEquals(1, far.size());
                                  assertEquals(2, far.get(0).hops());
                                  assertEquals(4, a.peersAnswered());
                                  assertFalse(a.partial());
                                  ctx.completeNow();
                                }))));
  }
}
