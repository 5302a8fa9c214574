package io.peerd.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.peerd.index.Sha256;
import io.peerd.node.PeerVerticle;
import io.peerd.testkit.Peers;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetSocket;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** {@code PUT /upload/{name}} on a real peer: the gRPC Upload's rules, over HTTP. */
@ExtendWith(VertxExtension.class)
@Tag("peer")
class HttpUploadTest {

  static final String TOKEN = "0123456789abcdef-token";
  static final int MAX = 4 << 20;

  @TempDir
  Path tmp;
  Path share;
  PeerVerticle peer;
  WebClient http;

  @BeforeEach
  void start(Vertx vertx, VertxTestContext ctx) {
    http = WebClient.create(vertx);
    share = Peers.folderWith(tmp, "share", Map.of("a.txt", "aaaa"));
    Peers.start(vertx, Peers.config("up", share, List.of(), new JsonObject()
            .put("accept_uploads", true).put("upload_max_bytes", MAX).put("api_token", TOKEN)
            .put("stream_idle_timeout_ms", 600)))
        .onComplete(ctx.succeeding(p -> {
          peer = p;
          ctx.completeNow();
        }));
  }

  HttpRequest<Buffer> put(String path, boolean withToken) {
    HttpRequest<Buffer> req = http.put(peer.restPort(), "127.0.0.1", path);
    return withToken ? req.putHeader("Authorization", "Bearer " + TOKEN) : req;
  }

  static byte[] random(int n) {
    byte[] b = new byte[n];
    new Random(n).nextBytes(b);
    return b;
  }

  /** What is in the upload folder, temporary files included. */
  List<String> uploadDir() throws IOException {
    Path dir = share.resolve("uploads");
    // The peer deletes temporary files on a worker while we look: a file that vanishes during
    // the walk (NoSuchFileException inside the stream) means "look again", not a test error.
    for (int attempt = 0; ; attempt++) {
      if (!Files.exists(dir)) {
        return List.of();
      }
      try (Stream<Path> s = Files.walk(dir)) {
        return s.filter(Files::isRegularFile).map(p -> dir.relativize(p).toString()).sorted().toList();
      } catch (java.io.UncheckedIOException e) {
        if (!(e.getCause() instanceof java.nio.file.NoSuchFileException) || attempt >= 10) {
          throw e.getCause();
        }
      } catch (java.nio.file.NoSuchFileException e) {
        if (attempt >= 10) {
          throw e;
        }
      }
    }
  }

  static void assertError(HttpResponse<Buffer> r, int status, String error) {
    assertEquals(status, r.statusCode(), r.bodyAsString());
    assertEquals("application/json", r.getHeader("content-type"));
    assertEquals(error, r.bodyAsJsonObject().getString("error"), r.bodyAsString());
  }

  @Test
  void anUploadIsVerifiedPlacedIndexedAndServed(VertxTestContext ctx) {
    byte[] data = random(3 << 20);
    String sha = java.util.HexFormat.of().formatHex(Sha256.digest().digest(data));
    put("/upload/docs/big%20one.bin", true).putHeader("X-Sha256", sha).sendBuffer(Buffer.buffer(data))
        .compose(r -> {
          ctx.verify(() -> {
            assertEquals(201, r.statusCode(), r.bodyAsString());
            JsonObject body = r.bodyAsJsonObject();
            assertEquals("uploads/docs/big one.bin", body.getString("name"));
            assertEquals(data.length, body.getLong("size"));
            assertEquals(sha, body.getString("sha256"));
            assertEquals(peer.selfUrl() + "/files/uploads/docs/big%20one.bin", body.getString("rest_url"));
            assertEquals(true, body.getBoolean("indexed"), "the answer came after the index had the file");
          });
          // Indexed before the answer: a search right after finds it.
          return http.get(peer.restPort(), "127.0.0.1", "/search?query=big%20one&ttl=0").send();
        })
        .compose(r -> {
          ctx.verify(() -> assertEquals(1, r.bodyAsJsonObject().getJsonArray("results").getJsonObject(0)
              .getJsonArray("files").size()));
          return http.get(peer.restPort(), "127.0.0.1", "/files/uploads/docs/big%20one.bin").send();
        })
        .onComplete(ctx.succeeding(r -> ctx.verify(() -> {
          assertArrayEquals(data, r.bodyAsBuffer().getBytes());
          assertEquals(List.of("docs/big one.bin"), uploadDir());
          ctx.completeNow();
        })));
  }

  @Test
  void withoutAHashTheSizeIsStillCheckedAndAnExistingNameIsAConflict(VertxTestContext ctx) {
    put("/upload/x.txt", true).sendBuffer(Buffer.buffer("first"))
        .compose(r -> {
          ctx.verify(() -> assertEquals(201, r.statusCode(), r.bodyAsString()));
          return put("/upload/x.txt", true).sendBuffer(Buffer.buffer("second"));
        })
        .compose(r -> {
          ctx.verify(() -> assertError(r, 409, "exists"));
          return put("/upload/x.txt?overwrite=true", true).sendBuffer(Buffer.buffer("third"));
        })
        .onComplete(ctx.succeeding(r -> ctx.verify(() -> {
          assertError(r, 400, "bad_request");
          assertTrue(r.bodyAsJsonObject().getString("detail").contains("overwriting"), r.bodyAsString());
          assertEquals("first", Files.readString(share.resolve("uploads/x.txt")));
          assertEquals(List.of("x.txt"), uploadDir());
          ctx.completeNow();
        })));
  }

  @Test
  void refusalsAreJsonWithTheirStatusAndLeaveNothing(VertxTestContext ctx) {
    Buffer body = Buffer.buffer("data");
    Future.all(List.of(
            put("/upload/no-token.txt", false).sendBuffer(body),
            put("/upload/.hidden", true).sendBuffer(body),
            put("/upload/a/..%2F..%2Fescape.txt", true).sendBuffer(body),
            put("/upload/%zz", true).sendBuffer(body),
            put("/upload/h.txt", true).putHeader("X-Sha256", "0".repeat(64)).sendBuffer(body),
            put("/upload/h2.txt", true).putHeader("X-Sha256", "not-a-hash").sendBuffer(body),
            put("/upload/o.txt?overwrite=maybe", true).sendBuffer(body)))
        .onComplete(ctx.succeeding(all -> ctx.verify(() -> {
          assertError(all.resultAt(0), 401, "unauthorized");
          assertEquals("Bearer", all.<HttpResponse<Buffer>>resultAt(0).getHeader("WWW-Authenticate"));
          assertError(all.resultAt(1), 400, "bad_request");
          assertError(all.resultAt(2), 400, "bad_request");
          // The router itself refuses a malformed escape, as on every other path.
          assertEquals(400, all.<HttpResponse<Buffer>>resultAt(3).statusCode());
          assertError(all.resultAt(4), 422, "hash_mismatch");
          assertError(all.resultAt(5), 400, "bad_request");
          assertError(all.resultAt(6), 400, "bad_parameter");
          assertEquals(List.of(), uploadDir());
          assertFalse(Files.exists(tmp.resolve("escape.txt")));
          ctx.completeNow();
        })));
  }

  /** A raw HTTP/1.1 exchange: what a client that lies, stalls or vanishes sends. */
  Future<NetSocket> raw(Vertx vertx, String head, Buffer body, Promise<Buffer> answer) {
    return vertx.createNetClient().connect(peer.restPort(), "127.0.0.1").map(s -> {
      Buffer got = Buffer.buffer();
      s.handler(got::appendBuffer);
      s.closeHandler(v -> answer.tryComplete(got));
      s.write(Buffer.buffer(head.replace("\n", "\r\n")).appendBuffer(body));
      return s;
    });
  }

  static String headers(String path, long length) {
    return "PUT " + path + " HTTP/1.1\nHost: 127.0.0.1\nAuthorization: Bearer " + TOKEN
        + "\nContent-Length: " + length + "\n\n";
  }

  @Test
  void aBodyOverTheQuotaIsRefusedFromItsLengthBeforeAnyDataAndTheConnectionClosed(Vertx vertx, VertxTestContext ctx) {
    Promise<Buffer> answer = Promise.promise();
    raw(vertx, headers("/upload/huge.bin", MAX + 1L), Buffer.buffer(), answer)
        .compose(s -> answer.future())
        .onComplete(ctx.succeeding(got -> ctx.verify(() -> {
          String text = got.toString();
          assertTrue(text.startsWith("HTTP/1.1 413 "), text);
          assertTrue(text.contains("\"error\":\"too_large\""), text);
          assertEquals(List.of(), uploadDir());
          ctx.completeNow();
        })));
  }

  @Test
  void anUploadWithoutContentLengthIsRefused(Vertx vertx, VertxTestContext ctx) {
    Promise<Buffer> answer = Promise.promise();
    String head = "PUT /upload/chunked.txt HTTP/1.1\nHost: 127.0.0.1\nAuthorization: Bearer " + TOKEN
        + "\nTransfer-Encoding: chunked\n\n";
    raw(vertx, head, Buffer.buffer("4\r\ndata\r\n0\r\n\r\n"), answer)
        .compose(s -> answer.future())
        .onComplete(ctx.succeeding(got -> ctx.verify(() -> {
          String text = got.toString();
          assertTrue(text.startsWith("HTTP/1.1 411 "), text);
          assertTrue(text.contains("\"error\":\"length_required\""), text);
          assertEquals(List.of(), uploadDir());
          ctx.completeNow();
        })));
  }

  @Test
  void aClientThatGoesAwayHalfWayLeavesNothingBehind(Vertx vertx, VertxTestContext ctx) {
    Promise<Buffer> answer = Promise.promise();
    raw(vertx, headers("/upload/cut.bin", 100_000), Buffer.buffer(random(30_000)), answer)
        .compose(s -> {
          Promise<Void> later = Promise.promise();
          // Long enough for the temporary file to exist and take data, then the client vanishes.
          vertx.setTimer(300, t -> s.close().onComplete(later));
          return later.future();
        })
        .compose(v -> waitUntilEmpty(vertx, 40))
        .compose(v -> http.get(peer.restPort(), "127.0.0.1", "/files").send())
        .onComplete(ctx.succeeding(r -> ctx.verify(() -> {
          assertFalse(r.bodyAsString().contains("cut.bin"));
          ctx.completeNow();
        })));
  }

  @Test
  void aClientThatStallsIsCutAfterTheIdleTimeout(Vertx vertx, VertxTestContext ctx) {
    Promise<Buffer> answer = Promise.promise();
    long start = System.nanoTime();
    raw(vertx, headers("/upload/stalled.bin", 100_000), Buffer.buffer(random(10_000)), answer)
        .compose(s -> answer.future())
        .onComplete(ctx.succeeding(got -> ctx.verify(() -> {
          long ms = (System.nanoTime() - start) / 1_000_000;
          String text = got.toString();
          assertTrue(text.startsWith("HTTP/1.1 408 "), text);
          assertTrue(ms >= 500 && ms < 5000, ms + " ms");
          waitUntilEmpty(vertx, 40).onComplete(ctx.succeedingThenComplete());
        })));
  }

  /** The temporary file goes on a worker after the cut: poll, bounded. */
  Future<Void> waitUntilEmpty(Vertx vertx, int tries) {
    try {
      if (uploadDir().isEmpty()) {
        return Future.succeededFuture();
      }
      if (tries == 0) {
        return Future.failedFuture(new AssertionError("left in the upload folder: " + uploadDir()));
      }
    } catch (IOException e) {
      return Future.failedFuture(e);
    }
    Promise<Void> p = Promise.promise();
    vertx.setTimer(50, t -> waitUntilEmpty(vertx, tries - 1).onComplete(p));
    return p.future();
  }
}
