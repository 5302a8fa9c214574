package io.peerd.api;

import static io.peerd.testkit.Await.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.peerd.node.PeerVerticle;
import io.peerd.testkit.Http;
import io.peerd.testkit.Http.Reply;
import io.peerd.testkit.Peers;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.ext.web.multipart.MultipartForm;
import io.vertx.junit5.VertxExtension;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** One real peer on a real socket, driven over HTTP. */
@ExtendWith(VertxExtension.class)
@Tag("peer")
class RestApiTest {

  @TempDir Path tmp;
  PeerVerticle peer;
  Http http;
  Path share;

  @BeforeEach
  void start(Vertx vertx) {
    share =
        Peers.folderWith(
            tmp, "share", Map.of("alpha.txt", "aaaa", "docs/Beta.md", "bb", ".secret", "x"));
    http = new Http(vertx);
    peer = Peers.started(vertx, "solo", share, List.of(), null);
  }

  /** The files of a search answer's first result (this peer's own, when alone). */
  static JsonArray firstFiles(JsonObject answer) {
    return answer.getJsonArray("results").getJsonObject(0).getJsonArray("files");
  }

  @Test
  void healthAndStatusDescribeThePeer() {
    JsonObject health = http.getJson(peer, "/health");
    assertEquals("ok", health.getString("status"));
    assertEquals("solo", health.getString("peer"));
    assertEquals(peer.selfUrl(), health.getString("url"));
    assertEquals(0, health.getJsonObject("stats").getInteger("total_peers"));

    JsonObject status = http.getJson(peer, "/status");
    assertEquals(2, status.getJsonObject("stats").getInteger("files"));
    assertEquals(6, status.getJsonObject("stats").getLong("bytes_shared"));
    assertEquals(PeerVerticle.VERSION, status.getString("version"));
    assertTrue(status.getDouble("uptime_s") >= 0);
    assertEquals(new JsonArray().add(peer.selfUrl()), status.getJsonArray("healthy_peers"));
  }

  @Test
  void filesListsTheIndexInTheSeedShapeWithFullChecksums() {
    Reply r = http.get(peer, "/files");
    assertEquals(200, r.status());
    assertEquals("application/json", r.header("content-type"));
    JsonObject body = r.json();
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
  }

  @Test
  void rescanOnDemandShowsNewFiles() throws Exception {
    Files.writeString(share.resolve("gamma.bin"), "ggg");
    assertEquals(3, http.post(peer, "/index/rescan", Buffer.buffer()).json().getInteger("files"));
    assertEquals(3, http.getJson(peer, "/files").getJsonArray("files").size());
  }

  @Test
  void registerValidatesAndAddsPeers() {
    Reply registered =
        http.post(peer, "/register", new JsonObject().put("url", "http://127.0.0.1:1/"));
    assertEquals(200, registered.status());
    assertTrue(registered.json().getBoolean("ok"));

    JsonObject body = http.getJson(peer, "/peers");
    assertTrue(body.getJsonArray("all_peers").contains("http://127.0.0.1:1"), body.encode());
    assertEquals(
        peer.selfUrl(), body.getJsonArray("all_peers").getString(0), "the seed lists itself first");
    JsonObject row = body.getJsonArray("table").getJsonObject(0);
    assertEquals("http://127.0.0.1:1", row.getString("url"));
    assertTrue(
        row.containsKey("healthy")
            && row.containsKey("failures")
            && row.containsKey("rtt_ms")
            && row.containsKey("last_seen")
            && row.containsKey("next_probe"),
        row.encode());
  }

  /**
   * /health is encoded again only when the peer counts change: it must follow them, both when a
   * peer is added and when its first probe (of a port nobody listens on) marks it failed.
   */
  @Test
  void healthFollowsThePeerTable() throws InterruptedException {
    int before = http.getJson(peer, "/health").getJsonObject("stats").getInteger("total_peers");
    String url = "http://127.0.0.1:2";
    assertEquals(200, http.post(peer, "/register", new JsonObject().put("url", url)).status());
    assertEquals(
        before + 1, http.getJson(peer, "/health").getJsonObject("stats").getInteger("total_peers"));
    // Probes run in the background: wait until the table says every peer in it was probed (ours
    // failed; other tests' peers here are on closed ports too), so that the counts hold still.
    JsonObject peers = null;
    for (int i = 0; i < 100; i++) {
      peers = http.getJson(peer, "/peers");
      boolean probed =
          peers.getJsonArray("table").stream()
              .map(JsonObject.class::cast)
              .allMatch(r -> r.getInteger("failures") > 0 || r.getValue("last_seen") != null);
      if (probed) {
        break;
      }
      Thread.sleep(50);
    }
    JsonObject stats = http.getJson(peer, "/health").getJsonObject("stats");
    assertEquals(peers.getJsonObject("stats"), stats, "the same counts as /peers, after the probe");
    assertEquals(
        stats.getInteger("total_peers") - stats.getInteger("healthy_peers"),
        stats.getInteger("failed_peers"));
  }

  @Test
  void badInputIsAJsonErrorAndChangesNothing() {
    Map<String, Integer> cases = new LinkedHashMap<>();
    cases.put("{\"url\":\"gopher://h:70\"}", 400);
    cases.put("{\"url\":\"http://no-port\"}", 400);
    cases.put("{\"url\":42}", 400);
    cases.put("not json", 400);
    cases.put("[1,2]", 400);
    cases.put("{\"url\":\"http://127.0.0.1:\"}", 400);
    for (Map.Entry<String, Integer> c : cases.entrySet()) {
      Reply r = http.post(peer, "/register", Buffer.buffer(c.getKey()));
      assertEquals(c.getValue(), r.status(), c.getKey());
      JsonObject err = r.json();
      assertTrue(err.containsKey("error") && err.containsKey("detail"), err.encode());
    }

    Reply self =
        http.post(
            peer, "/register", new JsonObject().put("url", "http://127.0.0.1:" + peer.restPort()));
    assertEquals(400, self.status(), "a peer does not register itself");
    Reply huge = http.post(peer, "/register", Buffer.buffer(new byte[200_000]));
    assertEquals(413, huge.status());
    assertEquals("too_large", huge.error());

    assertEquals(
        1, http.getJson(peer, "/peers").getJsonArray("all_peers").size(), "nothing was added");
  }

  @Test
  void unknownPathsAndMethodsAreJsonErrors() {
    Reply missing = http.get(peer, "/nope");
    assertEquals(404, missing.status());
    assertEquals("not_found", missing.error());

    Reply wrongMethod = await(http.sendAsync(HttpMethod.DELETE, peer.restPort(), "/files", null));
    assertEquals(405, wrongMethod.status());
    assertEquals("method_not_allowed", wrongMethod.error());
  }

  @Test
  void searchValidatesItsParametersAndClampsCaps() {
    Reply badTtl = http.get(peer, "/search?query=a&ttl=abc");
    assertEquals(400, badTtl.status());
    assertEquals("bad_parameter", badTtl.error());
    assertEquals(400, http.get(peer, "/search?query=a&fanout=-1").status());
    assertEquals(400, http.get(peer, "/search?query=" + "x".repeat(2000)).status());

    JsonObject clamped = http.getJson(peer, "/search?query=ALPHA&ttl=99&fanout=99");
    assertEquals(3, clamped.getInteger("ttl"), "clamped to search_ttl");
    assertEquals(3, clamped.getInteger("fanout_used"), "clamped to max_fanout");
    assertEquals(1, clamped.getJsonArray("results").size());
    assertEquals("alpha.txt", firstFiles(clamped).getJsonObject(0).getString("name"));
    assertFalse(clamped.getBoolean("partial"));

    assertEquals(
        2,
        firstFiles(http.getJson(peer, "/search")).size(),
        "an empty query lists every file, as the seed");
    JsonObject other = http.getJson(peer, "/search?query=beta");
    assertEquals(
        "docs/Beta.md",
        firstFiles(other).getJsonObject(0).getString("name"),
        "a repeated search is not another query's answer");
  }

  @Test
  void generatedQueryIdsAreVersion4Uuids() {
    Set<String> ids = new HashSet<>();
    for (int i = 0; i < 1000; i++) {
      UUID id = UUID.fromString(RestApi.queryId());
      assertEquals(4, id.version());
      assertEquals(2, id.variant());
      ids.add(id.toString());
    }
    assertEquals(1000, ids.size());
  }

  /**
   * What Vert.x's upload folder holds: a BodyHandler that handles uploads writes each one there,
   * relative to the working directory. Null when there is no such folder. Other runs and tools may
   * have left one, so a test compares this before and after instead of asking for none.
   */
  static List<String> uploadFolder() throws IOException {
    Path dir = Path.of(BodyHandler.DEFAULT_UPLOADS_DIRECTORY);
    if (!Files.exists(dir)) {
      return null;
    }
    try (Stream<Path> all = Files.walk(dir)) {
      return all.map(Path::toString).sorted().toList();
    }
  }

  @Test
  void aMultipartBodyWritesNothingToDisk() throws Exception {
    List<String> before = uploadFolder();
    MultipartForm form =
        MultipartForm.create().textFileUpload("url", "x.txt", Buffer.buffer("hello"), "text/plain");
    HttpResponse<Buffer> r =
        await(
            http.client().post(peer.restPort(), "127.0.0.1", "/register").sendMultipartForm(form));
    assertEquals(400, r.statusCode());
    assertEquals(
        before,
        uploadFolder(),
        "no upload written to " + Path.of(BodyHandler.DEFAULT_UPLOADS_DIRECTORY).toAbsolutePath());
  }

  @Test
  void oversizedHeadersAreRefused() {
    // Vert.x answers this itself, before the router: 431 Request Header Fields Too Large, no body.
    HttpResponse<Buffer> r =
        await(
            http.client()
                .get(peer.restPort(), "127.0.0.1", "/health")
                .putHeader("X-Big", "x".repeat(20 * 1024))
                .send());
    assertEquals(431, r.statusCode(), "a 20 KiB header is over the 16 KiB cap");
  }
}
