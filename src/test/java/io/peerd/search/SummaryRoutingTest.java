package io.peerd.search;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.peerd.node.PeerVerticle;
import io.peerd.routing.NameSummary;
import io.peerd.testkit.Peers;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Summaries between real peers: published, fetched, refreshed when an index changes, routed on. */
@ExtendWith(VertxExtension.class)
@Tag("network")
class SummaryRoutingTest {

  @TempDir
  Path tmp;

  static final JsonObject EXACT = new JsonObject().put("peer_exchange", false);

  @Test
  @Timeout(value = 60, timeUnit = TimeUnit.SECONDS)
  void aNewFileReachesTheNeighboursSummaryAndOnlyItsHolderIsAsked(Vertx vertx, VertxTestContext ctx) {
    WebClient http = WebClient.create(vertx);
    Path d2 = Peers.folderWith(tmp, "p2", Map.of("other.txt", "x"));
    Future.all(List.of(
            Peers.start(vertx, Peers.config("p0", Peers.folderWith(tmp, "p0", Map.of("mine.txt", "x")), List.of(), EXACT)),
            Peers.start(vertx, Peers.config("p1", Peers.folderWith(tmp, "p1", Map.of("cats.txt", "x")), List.of(), EXACT)),
            Peers.start(vertx, Peers.config("p2", d2, List.of(), EXACT))))
        .map(cf -> cf.<PeerVerticle>list())
        .compose(p -> Future.all(Peers.link(http, p.get(0), p.get(1)), Peers.link(http, p.get(0), p.get(2))).map(p))
        .compose(p -> until(vertx, http, p.get(0), "/status", st -> st.getJsonObject("stats").getInteger("summaries_known") == 2).map(p))
        .compose(p -> http.get(p.get(2).restPort(), "127.0.0.1", "/summary").send().map(r -> {
          ctx.verify(() -> {
            JsonObject s = r.bodyAsJsonObject();
            NameSummary summary = NameSummary.decode(s.getString("filter"), s.getInteger("bits"), s.getInteger("tokens"));
            assertTrue(summary.mayMatch("OTHER"));
            assertTrue(!summary.mayMatch("needle"));
          });
          return p;
        }))
        .compose(p -> vertx.executeBlocking(() -> Files.writeString(d2.resolve("needle-in-haystack.txt"), "found me"))
            .compose(x -> http.post(p.get(2).restPort(), "127.0.0.1", "/index/rescan").send())
            // Until p0 holds p2's new summary: a summary search then asks p2 alone. (Before that,
            // no summary matches and the query walks to both.)
            .compose(x -> until(vertx, http, p.get(0), "/search?query=needle&mode=summary",
                a -> a.getJsonArray("results").size() == 2 && a.getJsonArray("results").stream().map(JsonObject.class::cast)
                    .anyMatch(r -> r.getString("peer").equals(p.get(2).selfUrl()) && !r.getJsonArray("files").isEmpty())))
            .compose(x -> Peers.stat(http, p.get(1), "searches_processed"))
            .compose(before -> http.get(p.get(0).restPort(), "127.0.0.1", "/search?query=haystack&mode=summary").send()
                .compose(r -> Peers.stat(http, p.get(1), "searches_processed").map(after -> {
                  ctx.verify(() -> {
                    JsonObject a = r.bodyAsJsonObject();
                    assertEquals(2, a.getJsonArray("results").size(), "p0 and p2 only: " + a.encode());
                    assertEquals(before, after, "p1's summary cannot match: it was never asked");
                  });
                  return after;
                }))))
        .onComplete(ctx.succeeding(x -> ctx.completeNow()));
  }

  @Test
  void badModesAndChecksAre400sAndUnknownChecksSayStop(Vertx vertx, VertxTestContext ctx) {
    WebClient http = WebClient.create(vertx);
    Peers.start(vertx, Peers.config("solo", Peers.folderWith(tmp, "solo", Map.of("a.txt", "x")), List.of(), EXACT))
        .compose(p -> http.get(p.restPort(), "127.0.0.1", "/search?query=a&mode=gossip").send()
            .compose(r -> {
              ctx.verify(() -> {
                assertEquals(400, r.statusCode());
                assertTrue(r.bodyAsJsonObject().getString("detail").contains("flood, walk, summary"));
              });
              return http.get(p.restPort(), "127.0.0.1", "/search/check").send();
            })
            .compose(r -> {
              ctx.verify(() -> assertEquals(400, r.statusCode()));
              return http.get(p.restPort(), "127.0.0.1", "/search/check?id=nope").send();
            })
            .compose(r -> {
              ctx.verify(() -> assertEquals(false, r.bodyAsJsonObject().getBoolean("continue")));
              return http.get(p.restPort(), "127.0.0.1", "/summary").send();
            })
            .compose(r -> {
              long generation = r.bodyAsJsonObject().getLong("generation");
              return http.get(p.restPort(), "127.0.0.1", "/summary?known=" + generation).send();
            })
            .compose(r -> {
              ctx.verify(() -> {
                assertEquals(true, r.bodyAsJsonObject().getBoolean("unchanged"));
                assertTrue(!r.bodyAsJsonObject().containsKey("filter"));
              });
              return http.get(p.restPort(), "127.0.0.1", "/search?query=a&mode=walk&ttl=999&walkers=1000").send();
            }))
        .onComplete(ctx.succeeding(r -> ctx.verify(() -> {
          assertEquals(200, r.statusCode(), "ttl and walkers above their caps are clamped");
          assertEquals(32, r.bodyAsJsonObject().getInteger("ttl"));
          ctx.completeNow();
        })));
  }

  @Test
  void aSearchCannotAskForMoreWalkersThanThePeerIsConfiguredFor(Vertx vertx, VertxTestContext ctx) {
    WebClient http = WebClient.create(vertx);
    JsonObject twoWalkers = EXACT.copy().put("walkers", 2);
    List<Future<PeerVerticle>> all = new java.util.ArrayList<>();
    for (int i = 0; i < 5; i++) {
      all.add(Peers.start(vertx, Peers.config("w" + i, Peers.folderWith(tmp, "w" + i, Map.of("w" + i + ".txt", "x")),
          List.of(), i == 0 ? twoWalkers : EXACT)));
    }
    Future.all(all).map(cf -> cf.<PeerVerticle>list())
        .compose(p -> Future.all(List.of(Peers.link(http, p.get(0), p.get(1)), Peers.link(http, p.get(0), p.get(2)),
            Peers.link(http, p.get(0), p.get(3)), Peers.link(http, p.get(0), p.get(4)))).map(p))
        .compose(p -> http.get(p.get(0).restPort(), "127.0.0.1", "/search?query=nothing-here&mode=walk&ttl=1&walkers=50")
            .send().compose(r -> Peers.stat(http, p.get(0), "queries_forwarded")))
        .onComplete(ctx.succeeding(sent -> ctx.verify(() -> {
          assertEquals(2, sent, "walkers=50 is clamped to the configured 2");
          ctx.completeNow();
        })));
  }

  /** Polls a GET until the JSON answer satisfies the condition (every 200 ms). */
  static Future<JsonObject> until(Vertx vertx, WebClient http, PeerVerticle p, String path, Predicate<JsonObject> ok) {
    return http.get(p.restPort(), "127.0.0.1", path).send().compose(r -> {
      JsonObject body = r.bodyAsJsonObject();
      if (ok.test(body)) {
        return Future.succeededFuture(body);
      }
      return vertx.timer(200, TimeUnit.MILLISECONDS).compose(t -> until(vertx, http, p, path, ok));
    });
  }
}
