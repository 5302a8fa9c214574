package io.peerd.api;

import static io.peerd.testkit.Await.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.peerd.node.PeerVerticle;
import io.peerd.testkit.Http;
import io.peerd.testkit.Http.Reply;
import io.peerd.testkit.Peers;
import io.peerd.testkit.TestFiles;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** GET/HEAD /files/{name} on a real peer: content, ranges, conditionals, and no way out. */
@ExtendWith(VertxExtension.class)
@Tag("peer")
class FileServingTest {

  @TempDir Path tmp;
  PeerVerticle peer;
  Http http;
  HttpClient raw;
  byte[] data;
  String sha;

  @BeforeEach
  void start(Vertx vertx) throws Exception {
    Path share = Peers.folderWith(tmp, "share", Map.of("notes/read me ü.txt", "hello"));
    TestFiles.Written blob = TestFiles.random(share, "blob.bin", 3 * 1024 * 1024 + 17, 3);
    data = blob.bytes();
    sha = blob.sha256();
    Path outside = Files.writeString(tmp.resolve("secret.txt"), "secret");
    Files.createSymbolicLink(share.resolve("link.txt"), outside);
    http = new Http(vertx);
    raw = vertx.createHttpClient();
    peer =
        Peers.started(
            vertx,
            "f",
            share,
            List.of(),
            new JsonObject().put("rate_limit", new JsonObject().put("downloads_per_minute", 1000)));
  }

  /** A GET with request headers, given as name, value, name, value... */
  Reply get(String path, String... headers) {
    HttpRequest<Buffer> req = http.client().get(peer.restPort(), "127.0.0.1", path);
    for (int i = 0; i < headers.length; i += 2) {
      req.putHeader(headers[i], headers[i + 1]);
    }
    return await(req.send().map(r -> new Reply(r.statusCode(), r.headers(), r.body())));
  }

  /** Sends the path exactly as written: no client-side normalisation of dots or escapes. */
  int rawStatus(String path) {
    return await(
        raw.request(new RequestOptions().setPort(peer.restPort()).setHost("127.0.0.1").setURI(path))
            .compose(r -> r.send())
            .map(HttpClientResponse::statusCode));
  }

  @Test
  void servesTheWholeFileWithValidators() {
    Reply r = get("/files/blob.bin");
    assertEquals(200, r.status());
    assertArrayEquals(data, r.body().getBytes());
    assertEquals(String.valueOf(data.length), r.header("content-length"));
    assertEquals("\"" + sha + "\"", r.header("etag"));
    assertEquals("bytes", r.header("accept-ranges"));
    assertTrue(r.header("last-modified").endsWith("GMT"));
  }

  @Test
  void advertisedRestUrlsWork() {
    JsonObject f =
        http.getJson(peer, "/files").getJsonArray("files").stream()
            .map(JsonObject.class::cast)
            .filter(o -> o.getString("name").startsWith("notes/"))
            .findFirst()
            .orElseThrow();
    String url = f.getString("rest_url");
    assertTrue(url.endsWith("/files/notes/read%20me%20%C3%BC.txt"), url);

    HttpResponse<Buffer> r = await(http.client().getAbs(url).send());
    assertEquals(200, r.statusCode());
    assertEquals("hello", r.bodyAsString());
    assertTrue(r.getHeader("content-type").startsWith("text/plain"));
  }

  @Test
  void rangesFirstMiddleSuffixAndUnsatisfiable() {
    Reply first = get("/files/blob.bin", "Range", "bytes=0-99");
    assertEquals(206, first.status());
    assertArrayEquals(Arrays.copyOfRange(data, 0, 100), first.body().getBytes());
    assertEquals("bytes 0-99/" + data.length, first.header("content-range"));

    Reply middle = get("/files/blob.bin", "Range", "bytes=1000000-1000999");
    assertEquals(206, middle.status());
    assertArrayEquals(Arrays.copyOfRange(data, 1_000_000, 1_001_000), middle.body().getBytes());

    Reply suffix = get("/files/blob.bin", "Range", "bytes=-500");
    assertEquals(206, suffix.status());
    assertArrayEquals(
        Arrays.copyOfRange(data, data.length - 500, data.length), suffix.body().getBytes());

    Reply beyond = get("/files/blob.bin", "Range", "bytes=" + data.length + "-");
    assertEquals(416, beyond.status());
    assertEquals("bytes */" + data.length, beyond.header("content-range"));
    assertEquals("range_not_satisfiable", beyond.error());

    Reply staleIfRange = get("/files/blob.bin", "Range", "bytes=0-9", "If-Range", "\"old\"");
    assertEquals(200, staleIfRange.status(), "If-Range with another validator: whole file");
  }

  @Test
  void conditionalAndHead() {
    Reply notModified = get("/files/blob.bin", "If-None-Match", "\"" + sha + "\"");
    assertEquals(304, notModified.status());
    assertNull(notModified.body());

    Reply head = await(http.sendAsync(HttpMethod.HEAD, peer.restPort(), "/files/blob.bin", null));
    assertEquals(200, head.status());
    assertEquals(String.valueOf(data.length), head.header("content-length"));
    assertNull(head.body());
  }

  @Test
  void noPathLeadsOutOfTheShare() {
    List<String> attempts =
        List.of(
            "/files/../secret.txt",
            "/files/..%2fsecret.txt",
            "/files/%2e%2e/secret.txt",
            "/files/%2e%2e%2fsecret.txt",
            "/files//etc/passwd",
            "/files/%2fetc%2fpasswd",
            "/files/link.txt",
            "/files/notes%5c..%5c..%5csecret.txt",
            "/files/a%00b",
            "/files/%zz",
            "/files/" + "a".repeat(2000),
            "/files/.hidden");
    for (String attempt : attempts) {
      int status = rawStatus(attempt);
      assertTrue(status == 400 || status == 404, attempt + " -> " + status);
    }
  }

  @Test
  void downloadRateLimitAnswers429WithRetryAfter(Vertx vertx) {
    Path share = Peers.folderWith(tmp, "limited", Map.of("a.txt", "a"));
    PeerVerticle limited =
        Peers.started(
            vertx,
            "l",
            share,
            List.of(),
            new JsonObject().put("rate_limit", new JsonObject().put("downloads_per_minute", 2)));
    http.get(limited, "/files/a.txt");
    http.get(limited, "/files/a.txt");

    Reply third = http.get(limited, "/files/a.txt");
    assertEquals(429, third.status());
    assertTrue(Integer.parseInt(third.header("retry-after")) > 0);
    assertEquals("rate_limited", third.error());
    assertEquals(
        200, http.get(limited, "/search?query=a").status(), "searches are not download-limited");
  }

  @Test
  void aSmallFileChangedSinceItWasIndexedIsNotServedUnderItsOldEtag() throws Exception {
    Files.writeString(tmp.resolve("share/notes/read me ü.txt"), "hello, changed and longer");
    Reply r = get("/files/notes/read%20me%20%C3%BC.txt");
    assertEquals(409, r.status());
    assertEquals("changed", r.error());
  }
}
