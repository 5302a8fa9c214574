package io.peerd.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.peerd.node.PeerVerticle;
import io.peerd.testkit.Peers;
import io.peerd.testkit.StandIns;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** {@code /search/stream} and {@code /network} over three real peers in one JVM. */
@ExtendWith(VertxExtension.class)
@Tag("network")
class SearchStreamTest {

  @TempDir
  Path tmp;

  /** One SSE event and when it arrived (ms since the request was sent). */
  record Event(String name, JsonObject data, long atMs) {}

  /** Three peers, a knowing b and c (and b and c each other); a also has {@code extraFriends}. */
  Future<List<PeerVerticle>> network(Vertx vertx, WebClient http, List<String> extraFriends, JsonObject extra) {
    return Future.all(
            Peers.start(vertx, Peers.config("b", Peers.folderWith(tmp, "b", Map.of("file-b.txt", "b", "same.txt", "s")), List.of(), null)),
            Peers.start(vertx, Peers.config("c", Peers.folderWith(tmp, "c", Map.of("file-c.txt", "c", "same.txt", "s")), List.of(), null)))
        .compose(bc -> {
          PeerVerticle b = bc.resultAt(0);
          PeerVerticle c = bc.resultAt(1);
          List<String> friends = new ArrayList<>(List.of(b.selfUrl(), c.selfUrl()));
          friends.addAll(extraFriends);
          return Peers.link(http, b, c)
              .compose(v -> Peers.start(vertx, Peers.config("a", Peers.folderWith(tmp, "a", Map.of("file-a.txt", "a")),
                  friends, extra)))
              .map(a -> List.of(a, b, c));
        });
  }

  /** Reads a whole event stream, noting when each event arrived. */
  static Future<List<Event>> events(HttpClient client, int port, String path, HttpClientResponse[] head) {
    long start = System.nanoTime();
    return client.request(HttpMethod.GET, port, "127.0.0.1", path)
        .compose(req -> req.send())
        .compose(resp -> {
          head[0] = resp;
          Promise<List<Event>> done = Promise.promise();
          List<Event> out = new ArrayList<>();
          StringBuilder buf = new StringBuilder();
          resp.handler(chunk -> {
            buf.append(chunk.toString());
            int cut;
            while ((cut = buf.indexOf("\n\n")) >= 0) {
              String block = buf.substring(0, cut);
              buf.delete(0, cut + 2);
              String name = null;
              String data = null;
              for (String line : block.split("\n")) {
                if (line.startsWith("event: ")) {
                  name = line.substring(7);
                } else if (line.startsWith("data: ")) {
                  data = line.substring(6);
                }
              }
              out.add(new Event(name, new JsonObject(data), (System.nanoTime() - start) / 1_000_000));
            }
          });
          resp.exceptionHandler(done::tryFail);
          resp.endHandler(v -> done.tryComplete(out));
          return done.future();
        });
  }

  @Test
  void eachPeersAnswerIsAnEventAsItArrivesThenASummary(Vertx vertx, VertxTestContext ctx) {
    WebClient http = WebClient.create(vertx);
    HttpClient client = vertx.createHttpClient();
    HttpClientResponse[] head = new HttpClientResponse[1];
    long friendTimeout = 900;
    // A hung neighbour holds the search until its timeout: the others' events must not wait for it.
    StandIns.hung(vertx).compose(hung -> network(vertx, http, List.of("http://127.0.0.1:" + hung.actualPort()),
            new JsonObject().put("friend_timeout_ms", friendTimeout).put("max_fanout", 3))
        .compose(peers -> events(client, peers.get(0).restPort(), "/search/stream?query=FILE&ttl=1", head)
            .map(evs -> {
              ctx.verify(() -> {
                PeerVerticle a = peers.get(0);
                assertEquals(200, head[0].statusCode());
                assertEquals("text/event-stream; charset=utf-8", head[0].getHeader("content-type"));
                assertEquals("no-cache", head[0].getHeader("cache-control"));
                assertEquals(4, evs.size(), evs.toString());
                Event first = evs.get(0);
                assertEquals("peer", first.name());
                assertEquals(a.selfUrl(), first.data().getString("peer"), "this peer's own answer first");
                assertEquals(0, first.data().getInteger("hops"));
                assertEquals("file-a.txt", first.data().getJsonArray("files").getJsonObject(0).getString("name"));
                Set<String> answered = new HashSet<>();
                for (Event e : evs.subList(0, 3)) {
                  assertEquals("peer", e.name());
                  answered.add(e.data().getString("peer"));
                  JsonObject f = e.data().getJsonArray("files").getJsonObject(0);
                  assertTrue(f.getString("rest_url").startsWith(e.data().getString("peer") + "/files/"), f.encode());
                  assertEquals(64, f.getString("checksum").length());
                  assertTrue(e.atMs() < friendTimeout / 2, "sent as it arrived, not at the end: " + e);
                }
                assertEquals(Set.of(a.selfUrl(), peers.get(1).selfUrl(), peers.get(2).selfUrl()), answered);
                Event done = evs.get(3);
                assertEquals("done", done.name());
                assertTrue(done.atMs() >= friendTimeout - 100, "the summary waits for the hung neighbour: " + done);
                JsonObject s = done.data();
                assertFalse(s.containsKey("results"), "results went out as peer events");
                assertEquals(3, s.getInteger("peers_answered"));
                assertTrue(s.getBoolean("partial"));
                assertEquals(1, s.getJsonArray("unreachable").size());
                assertTrue(s.getJsonArray("unreachable").getJsonObject(0).getString("reason").startsWith("timeout"));
                assertEquals("FILE", s.getString("query"));
                assertTrue(s.getLong("elapsed_ms") >= friendTimeout - 100);
              });
              return evs;
            })))
        .onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void badParametersAreA400JsonAnswerNotAStream(Vertx vertx, VertxTestContext ctx) {
    WebClient http = WebClient.create(vertx);
    Peers.start(vertx, Peers.config("a", Peers.folderWith(tmp, "a", Map.of("x.txt", "x")), List.of(), null))
        .compose(a -> Future.all(List.of(
            http.get(a.restPort(), "127.0.0.1", "/search/stream?ttl=-1").send(),
            http.get(a.restPort(), "127.0.0.1", "/search/stream?fanout=abc").send(),
            http.get(a.restPort(), "127.0.0.1", "/search/stream?timeout_ms=0").send(),
            http.get(a.restPort(), "127.0.0.1", "/search/stream?query=" + "q".repeat(2000)).send(),
            http.get(a.restPort(), "127.0.0.1", "/search/stream?origin=ftp://x").send())))
        .onComplete(ctx.succeeding(all -> ctx.verify(() -> {
          for (int i = 0; i < all.size(); i++) {
            HttpResponse<Buffer> r = all.resultAt(i);
            assertEquals(400, r.statusCode(), r.bodyAsString());
            assertEquals("application/json", r.getHeader("content-type"));
            assertEquals("bad_parameter", r.bodyAsJsonObject().getString("error"));
          }
          ctx.completeNow();
        })));
  }

  @Test
  void streamsAreCappedAndAClosedStreamFreesItsSlot(Vertx vertx, VertxTestContext ctx) {
    WebClient http = WebClient.create(vertx);
    HttpClient client = vertx.createHttpClient(new PoolOptions().setHttp1MaxSize(SearchStream.MAX_STREAMS + 4));
    StandIns.hung(vertx).compose(hung -> Peers.start(vertx, Peers.config("a",
            Peers.folderWith(tmp, "a", Map.of("x.txt", "x")), List.of("http://127.0.0.1:" + hung.actualPort()),
            new JsonObject().put("friend_timeout_ms", 20_000))))
        .compose(a -> {
          // Fill every slot with a stream held open by the hung neighbour; wait for each first event.
          List<Future<HttpClientResponse>> open = new ArrayList<>();
          for (int i = 0; i < SearchStream.MAX_STREAMS; i++) {
            open.add(client.request(HttpMethod.GET, a.restPort(), "127.0.0.1", "/search/stream?timeout_ms=20000")
                .compose(req -> req.send())
                .compose(resp -> {
                  Promise<HttpClientResponse> first = Promise.promise();
                  resp.handler(chunk -> first.tryComplete(resp));
                  return first.future();
                }));
          }
          return Future.all(open)
              .compose(v -> http.get(a.restPort(), "127.0.0.1", "/search/stream").send())
              .compose(over -> {
                ctx.verify(() -> {
                  assertEquals(503, over.statusCode(), over.bodyAsString());
                  assertEquals("busy", over.bodyAsJsonObject().getString("error"));
                  assertEquals("1", over.getHeader("retry-after"));
                });
                // The clients go away: their slots must come back without waiting for the search.
                List<Future<Void>> closed = new ArrayList<>();
                for (Future<HttpClientResponse> f : open) {
                  closed.add(f.result().request().connection().close());
                }
                return Future.all(closed);
              })
              .compose(v -> retryUntil200(vertx, http, a.restPort(), 40));
        })
        .onComplete(ctx.succeeding(r -> ctx.verify(() -> {
          assertEquals("text/event-stream; charset=utf-8", r.getHeader("content-type"));
          ctx.completeNow();
        })));
  }

  /** A new stream once the closed ones are noticed (bounded retries: closing is asynchronous). */
  static Future<HttpResponse<Buffer>> retryUntil200(Vertx vertx, WebClient http, int port, int tries) {
    return http.get(port, "127.0.0.1", "/search/stream?ttl=0").send().compose(r -> {
      if (r.statusCode() == 200 || tries == 0) {
        return Future.succeededFuture(r);
      }
      Promise<HttpResponse<Buffer>> p = Promise.promise();
      vertx.setTimer(50, t -> retryUntil200(vertx, http, port, tries - 1).onComplete(p));
      return p.future();
    });
  }

  @Test
  void theNetworkViewHasEdgesToNeighboursAndTheirsAndToleratesADeadOne(Vertx vertx, VertxTestContext ctx)
      throws Exception {
    WebClient http = WebClient.create(vertx);
    String dead = "http://127.0.0.1:" + StandIns.closedPort();
    network(vertx, http, List.of(dead), new JsonObject().put("health_check_interval", 30))
        .compose(peers -> http.get(peers.get(0).restPort(), "127.0.0.1", "/network").send().map(r -> {
          ctx.verify(() -> {
            String a = peers.get(0).selfUrl();
            String b = peers.get(1).selfUrl();
            String c = peers.get(2).selfUrl();
            assertEquals(200, r.statusCode(), r.bodyAsString());
            JsonObject net = r.bodyAsJsonObject();
            assertEquals(a, net.getString("self"));
            Set<String> nodes = new HashSet<>();
            for (Object o : net.getJsonArray("nodes")) {
              nodes.add(((JsonObject) o).getString("url"));
            }
            assertEquals(Set.of(a, b, c, dead), nodes);
            Set<String> edges = new HashSet<>();
            for (Object o : net.getJsonArray("edges")) {
              JsonObject e = (JsonObject) o;
              edges.add(e.getString("from") + " " + e.getString("to"));
              edges.add(e.getString("to") + " " + e.getString("from"));
            }
            assertTrue(edges.contains(a + " " + b) && edges.contains(a + " " + c) && edges.contains(a + " " + dead), edges.toString());
            assertTrue(edges.contains(b + " " + c), "learned from the neighbours' /peers: " + edges);
            assertEquals(4, net.getJsonArray("edges").size(), "each link once: " + net.getJsonArray("edges"));
            // The dead friend starts trusted, so it was asked, and its failure is reported.
            assertTrue(net.getBoolean("partial"));
            JsonObject why = net.getJsonArray("unreachable").getJsonObject(0);
            assertEquals(dead, why.getString("peer"));
          });
          return r;
        }))
        .onComplete(ctx.succeedingThenComplete());
  }
}
