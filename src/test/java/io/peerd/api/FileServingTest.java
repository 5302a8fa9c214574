package io.peerd.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.peerd.node.PeerVerticle;
import io.peerd.testkit.Peers;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** GET/HEAD /files/{name} on a real peer: content, ranges, conditionals, and no way out. */
@ExtendWith(VertxExtension.class)
@Tag("peer")
class FileServingTest {

  @TempDir
  Path tmp;
  PeerVerticle peer;
  WebClient http;
  HttpClient raw;
  byte[] data;
  String sha;

  @BeforeEach
  void start(Vertx vertx, VertxTestContext ctx) throws Exception {
    Path share = Peers.folderWith(tmp, "share", Map.of("notes/read me ü.txt", "hello"));
    data = new byte[3 * 1024 * 1024 + 17];
    new Random(3).nextBytes(data);
    Files.write(share.resolve("blob.bin"), data);
    sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
    Path outside = Files.writeString(tmp.resolve("secret.txt"), "secret");
    Files.createSymbolicLink(share.resolve("link.txt"), outside);
    http = WebClient.create(vertx);
    raw = vertx.createHttpClient();
    Peers.start(vertx, Peers.config("f", share, List.of(), new JsonObject()
            .put("rate_limit", new JsonObject().put("downloads_per_minute", 1000))))
        .onComplete(ctx.succeeding(p -> {
          peer = p;
          ctx.completeNow();
        }));
  }

  Future<HttpResponse<Buffer>> get(String path, String... headers) {
    var req = http.get(peer.restPort(), "127.0.0.1", path);
    for (int i = 0; i < headers.length; i += 2) {
      req.putHeader(headers[i], headers[i + 1]);
    }
    return req.send();
  }

  /** Sends the path exactly as written: no client-side normalisation of dots or escapes. */
  Future<Integer> rawStatus(String path) {
    return raw.request(new RequestOptions().setPort(peer.restPort()).setHost("127.0.0.1").setURI(path))
        .compose(r -> r.send()).map(r -> r.statusCode());
  }

  @Test
  void servesTheWholeFileWithValidators(VertxTestContext ctx) {
    get("/files/blob.bin").onComplete(ctx.succeeding(r -> ctx.verify(() -> {
      assertEquals(200, r.statusCode());
      assertArrayEquals(data, r.bodyAsBuffer().getBytes());
      assertEquals(String.valueOf(data.length), r.getHeader("content-length"));
      assertEquals("\"" + sha + "\"", r.getHeader("etag"));
      assertEquals("bytes", r.getHeader("accept-ranges"));
      assertTrue(r.getHeader("last-modified").endsWith("GMT"));
      ctx.completeNow();
    })));
  }

  @Test
  void advertisedRestUrlsWork(VertxTestContext ctx) {
    get("/files").compose(r -> {
      JsonObject f = r.bodyAsJsonObject().getJsonArray("files").stream().map(JsonObject.class::cast)
          .filter(o -> o.getString("name").startsWith("notes/")).findFirst().orElseThrow();
      String url = f.getString("rest_url");
      ctx.verify(() -> assertTrue(url.endsWith("/files/notes/read%20me%20%C3%BC.txt"), url));
      return http.getAbs(url).send();
    }).onComplete(ctx.succeeding(r -> ctx.verify(() -> {
      assertEquals(200, r.statusCode());
      assertEquals("hello", r.bodyAsString());
      assertTrue(r.getHeader("content-type").startsWith("text/plain"));
      ctx.completeNow();
    })));
  }

  @Test
  void rangesFirstMiddleSuffixAndUnsatisfiable(VertxTestContext ctx) {
    Future<HttpResponse<Buffer>> first = get("/files/blob.bin", "Range", "bytes=0-99");
    Future<HttpResponse<Buffer>> middle = get("/files/blob.bin", "Range", "bytes=1000000-1000999");
    Future<HttpResponse<Buffer>> suffix = get("/files/blob.bin", "Range", "bytes=-500");
    Future<HttpResponse<Buffer>> beyond = get("/files/blob.bin", "Range", "bytes=" + data.length + "-");
    Future<HttpResponse<Buffer>> staleIfRange = get("/files/blob.bin", "Range", "bytes=0-9", "If-Range", "\"old\"");
    Future.all(List.of(first, middle, suffix, beyond, staleIfRange)).onComplete(ctx.succeeding(v -> ctx.verify(() -> {
      assertEquals(206, first.result().statusCode());
      assertArrayEquals(Arrays.copyOfRange(data, 0, 100), first.result().bodyAsBuffer().getBytes());
      assertEquals("bytes 0-99/" + data.length, first.result().getHeader("content-range"));
      assertEquals(206, middle.result().statusCode());
      assertArrayEquals(Arrays.copyOfRange(data, 1_000_000, 1_001_000), middle.result().bodyAsBuffer().getBytes());
      assertEquals(206, suffix.result().statusCode());
      assertArrayEquals(Arrays.copyOfRange(data, data.length - 500, data.length), suffix.result().bodyAsBuffer().getBytes());
      assertEquals(416, beyond.result().statusCode());
      assertEquals("bytes */" + data.length, beyond.result().getHeader("content-range"));
      assertEquals("range_not_satisfiable", beyond.result().bodyAsJsonObject().getString("error"));
      assertEquals(200, staleIfRange.result().statusCode(), "If-Range with another validator: whole file");
      ctx.completeNow();
    })));
  }

  @Test
  void conditionalAndHead(VertxTestContext ctx) {
    Future<HttpResponse<Buffer>> notModified = get("/files/blob.bin", "If-None-Match", "\"" + sha + "\"");
    Future<HttpResponse<Buffer>> head = http.head(peer.restPort(), "127.0.0.1", "/files/blob.bin").send();
    Future.all(notModified, head).onComplete(ctx.succeeding(v -> ctx.verify(() -> {
      assertEquals(304, notModified.result().statusCode());
      assertNull(notModified.result().body());
      assertEquals(200, head.result().statusCode());
      assertEquals(String.valueOf(data.length), head.result().getHeader("content-length"));
      assertNull(head.result().body());
      ctx.completeNow();
    })));
  }

  @Test
  void noPathLeadsOutOfTheShare(VertxTestContext ctx) {
    List<String> attempts = List.of("/files/../secret.txt", "/files/..%2fsecret.txt", "/files/%2e%2e/secret.txt",
        "/files/%2e%2e%2fsecret.txt", "/files//etc/passwd", "/files/%2fetc%2fpasswd", "/files/link.txt",
        "/files/notes%5c..%5c..%5csecret.txt", "/files/a%00b", "/files/%zz", "/files/" + "a".repeat(2000),
        "/files/.hidden");
    List<Future<Integer>> calls = attempts.stream().map(this::rawStatus).toList();
    Future.join(List.copyOf(calls)).onComplete(ctx.succeeding(v -> ctx.verify(() -> {
      for (int i = 0; i < attempts.size(); i++) {
        int status = calls.get(i).result();
        assertTrue(status == 400 || status == 404, attempts.get(i) + " -> " + status);
      }
      ctx.completeNow();
    })));
  }

  @Test
  void downloadRateLimitAnswers429WithRetryAfter(Vertx vertx, VertxTestContext ctx) throws Exception {
    Path share = Peers.folderWith(tmp, "limited", Map.of("a.txt", "a"));
    Peers.start(vertx, Peers.config("l", share, List.of(),
            new JsonObject().put("rate_limit", new JsonObject().put("downloads_per_minute", 2))))
        .compose(p -> {
          WebClient c = WebClient.create(vertx);
          return c.get(p.restPort(), "127.0.0.1", "/files/a.txt").send()
              .compose(r -> c.get(p.restPort(), "127.0.0.1", "/files/a.txt").send())
              .compose(r -> c.get(p.restPort(), "127.0.0.1", "/files/a.txt").send())
              .compose(third -> c.get(p.restPort(), "127.0.0.1", "/search?query=a").send()
                  .map(search -> List.of(third, search)));
        })
        .onComplete(ctx.succeeding(rs -> ctx.verify(() -> {
          assertEquals(429, rs.get(0).statusCode());
          assertTrue(Integer.parseInt(rs.get(0).getHeader("retry-after")) > 0);
          assertEquals("rate_limited", rs.get(0).bodyAsJsonObject().getString("error"));
          assertEquals(200, rs.get(1).statusCode(), "searches are not download-limited");
          ctx.completeNow();
        })));
  }

  @Test
  void aSmallFileChangedSinceItWasIndexedIsNotServedUnderItsOldEtag(VertxTestContext ctx) throws Exception {
    Files.writeString(tmp.resolve("share/notes/read me ü.txt"), "hello, changed and longer");
    get("/files/notes/read%20me%20%C3%BC.txt").onComplete(ctx.succeeding(r -> ctx.verify(() -> {
      assertEquals(409, r.statusCode());
      assertEquals("changed", r.bodyAsJsonObject().getString("error"));
      ctx.completeNow();
    })));
  }
}
