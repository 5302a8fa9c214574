package io.peerd.search;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.peerd.testkit.Peers;
import io.peerd.testkit.StandIns;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Neighbours that answer garbage cannot stop a search, nor make a peer hold their garbage. */
@ExtendWith(VertxExtension.class)
@Tag("network")
class HostileNeighbourTest {

  @TempDir
  Path tmp;

  @Test
  void theSearchAnswersFromEveryoneElse(Vertx vertx, VertxTestContext ctx) {
    WebClient http = WebClient.create(vertx);
    List<Future<HttpServer>> bad = new ArrayList<>();
    for (StandIns.Garbage g : StandIns.Garbage.values()) {
      bad.add(StandIns.garbage(vertx, g));
    }
    Future.all(bad).compose(all -> {
      Map<String, StandIns.Garbage> urls = new HashMap<>();
      for (int i = 0; i < bad.size(); i++) {
        urls.put("http://127.0.0.1:" + bad.get(i).result().actualPort(), StandIns.Garbage.values()[i]);
      }
      return Peers.start(vertx, Peers.config("good", Peers.folderWith(tmp, "good", Map.of("x-good.txt", "g")), List.of(), null))
          .compose(good -> {
            List<String> friends = new ArrayList<>(urls.keySet());
            friends.add(good.selfUrl());
            return Peers.start(vertx, Peers.config("me", Peers.folderWith(tmp, "me", Map.of("x-me.txt", "m")), friends,
                new JsonObject().put("max_fanout", 10).put("friend_timeout_ms", 1500)))
                .compose(me -> {
                  long start = System.nanoTime();
                  return http.get(me.restPort(), "127.0.0.1", "/search?query=x&fanout=10&ttl=1").send().map(r -> {
                    long ms = (System.nanoTime() - start) / 1_000_000;
                    ctx.verify(() -> {
                      JsonObject a = r.bodyAsJsonObject();
                      assertEquals(200, r.statusCode());
                      assertTrue(ms < 1500 + 500, "bounded by the friend timeout: " + ms);
                      Map<String, String> why = new HashMap<>();
                      a.getJsonArray("unreachable").forEach(o -> why.put(((JsonObject) o).getString("peer"),
                          ((JsonObject) o).getString("reason")));
                      Map<String, Integer> files = new HashMap<>();
                      a.getJsonArray("results").forEach(o -> files.put(((JsonObject) o).getString("peer"),
                          ((JsonObject) o).getJsonArray("files").size()));
                      assertEquals(1, files.get(me.selfUrl()));
                      assertEquals(1, files.get(good.selfUrl()), "the good neighbour's answer is there");
                      for (Map.Entry<String, StandIns.Garbage> e : urls.entrySet()) {
                        switch (e.getValue()) {
                          // 100,000 entries fit the 8 MiB body cap: the list is cut at 1000 files.
                          case MANY_FILES -> assertEquals(1000, files.get(e.getKey()), "capped at 1000 files");
                          // A million do not: reading stops at the cap, the neighbour is reported.
                          case MILLION_FILES -> assertTrue(why.get(e.getKey()).contains("body larger than"), why.toString());
                          case SLOW_ENDLESS_BODY -> assertTrue(why.get(e.getKey()).startsWith("timeout"), why.toString());
                          default -> assertTrue(why.get(e.getKey()).startsWith("bad_response"), e.getValue() + ": " + why);
                        }
                      }
                      assertTrue(a.getBoolean("partial"));
                    });
                    return r;
                  });
                });
          });
    }).onComplete(ctx.succeeding(r -> ctx.completeNow()));
  }
}
