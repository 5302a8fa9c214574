package io.peerd.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.peerd.node.PeerVerticle;
import io.peerd.testkit.Peers;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** One real peer on a real socket, driven over HTTP. */
@ExtendWith(VertxExtension.class)
@Tag("peer")
class RestApiTest {

  @TempDir
  Path tmp;
  PeerVerticle peer;
  WebClient http;
  Path share;

  @BeforeEach
  void start(Vertx vertx, VertxTestContext ctx) throws Exception {
    share = Peers.folderWith(tmp, "share", Map.of("alpha.txt", "aaaa", "docs/Beta.md", "bb", ".secret", "x"));
    http = WebClient.create(vertx);
    Peers.start(vertx, Peers.config("solo", share, List.of(), null))
        .onComplete(ctx.succeeding(p -> {
          peer = p;
          ctx.completeNow();
        }));
  }

  Future<HttpResponse<Buffer>> get(String path) {
    return http.get(peer.restPort(), "127.0.0.1", path).send();
  }

  Future<HttpResponse<Buffer>> post(String path, Buffer body) {
    return http.post(peer.restPort(), "127.0.0.1", path).sendBuffer(body);
  }

  @Test
  void healthAndStatusDescribeThePeer(VertxTestContext ctx) {
    Future.all(get("/health"), get("/status")).onComplete(ctx.succeeding(all -> ctx.verify(() -> {
      JsonObject health = all.<HttpResponse<Buffer>>resultAt(0).bodyAsJsonObject();
      assertEquals("ok", health.getString("status"));
      assertEquals("solo", health.getString("peer"));
      assertEquals(peer.selfUrl(), health.getString("url"));
      assertEquals(0, health.getJsonObject("stats").getInteger("total_peers"));
      JsonObject status = all.<HttpResponse<Buffer>>resultAt(1).bodyAsJsonObject();
      assertEquals(2, status.getJsonObject("stats").getInteger("files"));
      assertEquals(6, status.getJsonObject("stats").getLong("bytes_shared"));
      assertEquals(PeerVerticle.VERSION, status.getString("version"));
      assertTrue(status.getDouble("uptime_s") >= 0);
      assertEquals(new JsonArray().add(peer.selfUrl()), status.getJsonArray("healthy_peers"));
      ctx.completeNow();
    })));
  }

  @Test
  void filesListsTheIndexInTheSeedShapeWithFullChecksums(VertxTestContext ctx) {
    get("/files").onComplete(ctx.succeeding(r -> ctx.verify(() -> {
      assertEquals(200, r.statusCode());
      assertEquals("application/json", r.getHeader("content-type"));
      JsonObject body = r.bodyAsJsonObject();
      assertEquals("solo", body.getString("peer"));
      assertEquals(peer.selfUrl(), body.getString("base"));
      JsonArray files = body.getJsonArray("files");
      assertEquals(2, files.size(), "hidden files are not shared");
      JsonObject alpha = files.getJsonObject(0);
      assertEquals("alpha.txt", alpha.getString("name"));
      assertEquals(4, alpha.getLong("size"));
      assertEquals(64, alpha.getString("checksum").length());
      assertEquals(".txt", alpha.getString("extension"));
      assertEquals("text", alpha.getString("type"));
      assertTrue(alpha.getLong("mtime") > 1_600_000_000L, "seconds since the epoch, as the seed");
      assertEquals("grpc://127.0.0.1:" + peer.grpcPort(), alpha.getString("grpc"));
      assertEquals(peer.selfUrl() + "/files/alpha.txt", alpha.getString("rest_url"));
      assertEquals("docs/Beta.md", files.getJsonObject(1).getString("name"));
      ctx.completeNow();
    })));
  }

  @Test
  void rescanOnDemandShowsNewFiles(VertxTestContext ctx) throws Exception {
    Files.writeString(share.resolve("gamma.bin"), "ggg");
    post("/index/rescan", Buffer.buffer())
        .compose(r -> {
          ctx.verify(() -> assertEquals(3, r.bodyAsJsonObject().getInteger("files")));
          return get("/files");
        })
        .onComplete(ctx.succeeding(r -> ctx.verify(() -> {
          assertEquals(3, r.bodyAsJsonObject().getJsonArray("files").size());
          ctx.completeNow();
        })));
  }

  @Test
  void registerValidatesAndAddsPeers(VertxTestContext ctx) {
    JsonObject good = new JsonObject().put("url", "http://127.0.0.1:1/");
    post("/register", good.toBuffer())
        .compose(r -> {
          ctx.verify(() -> {
            assertEquals(200, r.statusCode());
            assertTrue(r.bodyAsJsonObject().getBoolean("ok"));
          });
          return get("/peers");
        })
        .onComplete(ctx.succeeding(r -> ctx.verify(() -> {
          JsonObject body = r.bodyAsJsonObject();
          assertTrue(body.getJsonArray("all_peers").contains("http://127.0.0.1:1"), body.encode());
          assertEquals(peer.selfUrl(), body.getJsonArray("all_peers").getString(0), "the seed lists itself first");
          JsonObject row = body.getJsonArray("table").getJsonObject(0);
          assertEquals("http://127.0.0.1:1", row.getString("url"));
          assertTrue(row.containsKey("healthy") && row.containsKey("failures") && row.containsKey("rtt_ms")
              && row.containsKey("last_seen") && row.containsKey("next_probe"), row.encode());
          ctx.completeNow();
        })));
  }

  @Test
  void badInputIsAJsonErrorAndChangesNothing(VertxTestContext ctx) {
    Map<String, Integer> cases = Map.of(
        "{\"url\":\"gopher://h:70\"}", 400,
        "{\"url\":\"http://no-port\"}", 400,
        "{\"url\":42}", 400,
        "not json", 400,
        "[1,2]", 400,
        "{\"url\":\"" + "http://127.0.0.1:" + "\"}", 400);
    List<Future<HttpResponse<Buffer>>> calls = cases.keySet().stream()
        .map(b -> post("/register", Buffer.buffer(b))).toList();
    Future<HttpResponse<Buffer>> self = post("/register", new JsonObject().put("url", "http://127.0.0.1:" + peer.restPort()).toBuffer());
    Future<HttpResponse<Buffer>> huge = post("/register", Buffer.buffer(new byte[200_000]));
    Future.join(List.of(Future.join(List.copyOf(calls)), self, huge)).compose(v -> get("/peers"))
        .onComplete(ctx.succeeding(peers -> ctx.verify(() -> {
          int i = 0;
          for (String body : cases.keySet()) {
            HttpResponse<Buffer> r = calls.get(i++).result();
            assertEquals(cases.get(body), r.statusCode(), body);
            JsonObject err = r.bodyAsJsonObject();
            assertTrue(err.containsKey("error") && err.containsKey("detail"), err.encode());
          }
          assertEquals(400, self.result().statusCode(), "a peer does not register itself");
          assertEquals(413, huge.result().statusCode());
          assertEquals("too_large", huge.result().bodyAsJsonObject().getString("error"));
          assertEquals(1, peers.bodyAsJsonObject().getJsonArray("all_peers").size(), "nothing was added");
          ctx.completeNow();
        })));
  }

  @Test
  void unknownPathsAndMethodsAreJsonErrors(VertxTestContext ctx) {
    Future<HttpResponse<Buffer>> missing = get("/nope");
    Future<HttpResponse<Buffer>> wrongMethod = http.delete(peer.restPort(), "127.0.0.1", "/files").send();
    Future.all(missing, wrongMethod).onComplete(ctx.succeeding(v -> ctx.verify(() -> {
      assertEquals(404, missing.result().statusCode());
      assertEquals("not_found", missing.result().bodyAsJsonObject().getString("error"));
      assertEquals(405, wrongMethod.result().statusCode());
      assertEquals("method_not_allowed", wrongMethod.result().bodyAsJsonObject().getString("error"));
      ctx.completeNow();
    })));
  }

  @Test
  void searchValidatesItsParametersAndClampsCaps(VertxTestContext ctx) {
    Future<HttpResponse<Buffer>> badTtl = get("/search?query=a&ttl=abc");
    Future<HttpResponse<Buffer>> negFanout = get("/search?query=a&fanout=-1");
    Future<HttpResponse<Buffer>> longQuery = get("/search?query=" + "x".repeat(2000));
    Future<HttpResponse<Buffer>> clamped = get("/search?query=ALPHA&ttl=99&fanout=99");
    Future<HttpResponse<Buffer>> all = get("/search");
    Future<HttpResponse<Buffer>> other = clamped.compose(x -> get("/search?query=beta"));
    Future.join(List.of(badTtl, negFanout, longQuery, clamped, all, other)).onComplete(ctx.succeeding(v -> ctx.verify(() -> {
      assertEquals(400, badTtl.result().statusCode());
      assertEquals("bad_parameter", badTtl.result().bodyAsJsonObject().getString("error"));
      assertEquals(400, negFanout.result().statusCode());
      assertEquals(400, longQuery.result().statusCode());
      JsonObject c = clamped.result().bodyAsJsonObject();
      assertEquals(3, c.getInteger("ttl"), "clamped to search_ttl");
      assertEquals(3, c.getInteger("fanout_used"), "clamped to max_fanout");
      JsonArray results = c.getJsonArray("results");
      assertEquals(1, results.size());
      assertEquals("alpha.txt", results.getJsonObject(0).getJsonArray("files").getJsonObject(0).getString("name"));
      assertFalse(c.getBoolean("partial"));
      assertEquals(2, all.result().bodyAsJsonObject().getJsonArray("results").getJsonObject(0)
          .getJsonArray("files").size(), "an empty query lists every file, as the seed");
      assertEquals("docs/Beta.md", other.result().bodyAsJsonObject().getJsonArray("results").getJsonObject(0)
          .getJsonArray("files").getJsonObject(0).getString("name"), "a repeated search is not another query's answer");
      ctx.completeNow();
    })));
  }

  @Test
  void generatedQueryIdsAreVersion4Uuids() {
    java.util.Set<String> ids = new java.util.HashSet<>();
    for (int i = 0; i < 1000; i++) {
      java.util.UUID id = java.util.UUID.fromString(RestApi.queryId());
      assertEquals(4, id.version());
      assertEquals(2, id.variant());
      ids.add(id.toString());
    }
    assertEquals(1000, ids.size());
  }

  @Test
  void aMultipartBodyWritesNothingToDisk(VertxTestContext ctx) {
    io.vertx.ext.web.multipart.MultipartForm form = io.vertx.ext.web.multipart.MultipartForm.create()
        .textFileUpload("url", "x.txt", Buffer.buffer("hello"), "text/plain");
    http.post(peer.restPort(), "127.0.0.1", "/register").sendMultipartForm(form)
        .onComplete(ctx.succeeding(r -> ctx.verify(() -> {
          assertEquals(400, r.statusCode());
          assertTrue(!java.nio.file.Files.exists(java.nio.file.Path.of("file-uploads")), "no upload folder created");
          ctx.completeNow();
        })));
  }

  @Test
  void oversizedHeadersAreRefused(VertxTestContext ctx) {
    http.get(peer.restPort(), "127.0.0.1", "/health").putHeader("X-Big", "x".repeat(20 * 1024)).send()
        .onComplete(ar -> ctx.verify(() -> {
          assertTrue(ar.failed() || ar.result().statusCode() == 431 || ar.result().statusCode() == 400,
              "a 20 KiB header is over the 16 KiB cap: " + (ar.succeeded() ? ar.result().statusCode() : ar.cause()));
          ctx.completeNow();
        }));
  }
}
