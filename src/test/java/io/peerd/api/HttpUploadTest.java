package io.peerd.api;

import static io.peerd.testkit.Await.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.peerd.node.PeerVerticle;
import io.peerd.testkit.Await;
import io.peerd.testkit.Http;
import io.peerd.testkit.Listing;
import io.peerd.testkit.Peers;
import io.peerd.testkit.TestFiles;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetSocket;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
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
  static final int IDLE_MS = 600;

  /**
   * How long a peer may take to create or delete a temporary file: milliseconds of work on a
   * worker, possibly after it has answered; the rest is room for a loaded 2-core machine.
   */
  static final Duration ON_A_WORKER = Duration.ofSeconds(10);

  @TempDir Path tmp;
  Path share;
  PeerVerticle peer;
  Http http;

  @BeforeEach
  void start(Vertx vertx) {
    http = new Http(vertx);
    share = Peers.folderWith(tmp, "share", Map.of("a.txt", "aaaa"));
    peer =
        Peers.started(
            vertx,
            "up",
            share,
            List.of(),
            new JsonObject()
                .put("accept_uploads", true)
                .put("upload_max_bytes", MAX)
                .put("api_token", TOKEN)
                .put("stream_idle_timeout_ms", IDLE_MS));
  }

  /**
   * A PUT with the token (unless {@code withToken} is false) and the given header name, value
   * pairs.
   */
  Http.Reply put(String path, boolean withToken, Buffer body, String... headers) {
    HttpRequest<Buffer> req = http.client().put(peer.restPort(), "127.0.0.1", path);
    if (withToken) {
      req.putHeader("Authorization", "Bearer " + TOKEN);
    }
    for (int i = 0; i < headers.length; i += 2) {
      req.putHeader(headers[i], headers[i + 1]);
    }
    HttpResponse<Buffer> r = await(req.sendBuffer(body));
    return new Http.Reply(r.statusCode(), r.headers(), r.body());
  }

  Path uploads() {
    return share.resolve("uploads");
  }

  /** What is in the upload folder, temporary files included. */
  List<String> uploadDir() {
    return Listing.files(uploads());
  }

  static void assertError(Http.Reply r, int status, String error) {
    assertEquals(status, r.status(), r.text());
    assertEquals("application/json", r.header("content-type"));
    assertEquals(error, r.error(), r.text());
  }

  @Test
  void anUploadIsVerifiedPlacedIndexedAndServed() {
    TestFiles.Written local =
        TestFiles.random(tmp.resolve("local"), "big one.bin", 3 << 20, 3 << 20);
    byte[] data = local.bytes();
    String sha = local.sha256();

    Http.Reply r = put("/upload/docs/big%20one.bin", true, Buffer.buffer(data), "X-Sha256", sha);
    assertEquals(201, r.status(), r.text());
    JsonObject body = r.json();
    assertEquals("uploads/docs/big one.bin", body.getString("name"));
    assertEquals(data.length, body.getLong("size"));
    assertEquals(sha, body.getString("sha256"));
    assertEquals(peer.selfUrl() + "/files/uploads/docs/big%20one.bin", body.getString("rest_url"));
    assertEquals(true, body.getBoolean("indexed"), "the answer came after the index had the file");

    // Indexed before the answer: a search right after finds it.
    JsonObject found = http.getJson(peer, "/search?query=big%20one&ttl=0");
    assertEquals(1, found.getJsonArray("results").getJsonObject(0).getJsonArray("files").size());

    assertArrayEquals(data, http.get(peer, "/files/uploads/docs/big%20one.bin").body().getBytes());
    assertEquals(List.of("docs/big one.bin"), uploadDir());
  }

  @Test
  void withoutAHashTheSizeIsStillCheckedAndAnExistingNameIsAConflict() throws Exception {
    Http.Reply first = put("/upload/x.txt", true, Buffer.buffer("first"));
    assertEquals(201, first.status(), first.text());

    assertError(put("/upload/x.txt", true, Buffer.buffer("second")), 409, "exists");

    Http.Reply overwrite = put("/upload/x.txt?overwrite=true", true, Buffer.buffer("third"));
    assertError(overwrite, 400, "bad_request");
    assertTrue(overwrite.json().getString("detail").contains("overwriting"), overwrite.text());
    assertEquals("first", Files.readString(uploads().resolve("x.txt")));
    assertEquals(List.of("x.txt"), uploadDir());
  }

  @Test
  void refusalsAreJsonWithTheirStatusAndLeaveNothing() {
    Buffer body = Buffer.buffer("data");

    Http.Reply noToken = put("/upload/no-token.txt", false, body);
    assertError(noToken, 401, "unauthorized");
    assertEquals("Bearer", noToken.header("WWW-Authenticate"));
    assertError(put("/upload/.hidden", true, body), 400, "bad_request");
    assertError(put("/upload/a/..%2F..%2Fescape.txt", true, body), 400, "bad_request");
    // The router itself refuses a malformed escape, as on every other path.
    Http.Reply malformed = put("/upload/%zz", true, body);
    assertError(malformed, 400, "bad_request");
    assertEquals(
        "malformed request",
        malformed.json().getString("detail"),
        "refused by the router, not the upload");
    assertError(put("/upload/h.txt", true, body, "X-Sha256", "0".repeat(64)), 422, "hash_mismatch");
    assertError(put("/upload/h2.txt", true, body, "X-Sha256", "not-a-hash"), 400, "bad_request");
    assertError(put("/upload/o.txt?overwrite=maybe", true, body), 400, "bad_parameter");

    assertEquals(List.of(), uploadDir());
    assertFalse(Files.exists(tmp.resolve("escape.txt")));
  }

  /**
   * A raw HTTP/1.1 exchange; {@code answer} is all the peer sent until it closed the connection.
   */
  record Raw(NetSocket socket, Future<Buffer> answer) {}

  /**
   * What a client that lies, stalls or vanishes sends: {@code head} (\n for CRLF), then {@code
   * body}.
   */
  Raw raw(Vertx vertx, String head, Buffer body) {
    Promise<Buffer> answer = Promise.promise();
    NetSocket socket =
        await(
            vertx
                .createNetClient()
                .connect(peer.restPort(), "127.0.0.1")
                .map(
                    s -> {
                      Buffer got = Buffer.buffer();
                      s.handler(got::appendBuffer);
                      s.closeHandler(v -> answer.tryComplete(got));
                      s.write(Buffer.buffer(head.replace("\n", "\r\n")).appendBuffer(body));
                      return s;
                    }));
    return new Raw(socket, answer.future());
  }

  static String headers(String path, long length) {
    return "PUT "
        + path
        + " HTTP/1.1\nHost: 127.0.0.1\nAuthorization: Bearer "
        + TOKEN
        + "\nContent-Length: "
        + length
        + "\n\n";
  }

  @Test
  void aBodyOverTheQuotaIsRefusedFromItsLengthBeforeAnyDataAndTheConnectionClosed(Vertx vertx) {
    String text =
        await(raw(vertx, headers("/upload/huge.bin", MAX + 1L), Buffer.buffer()).answer())
            .toString();
    assertTrue(text.startsWith("HTTP/1.1 413 "), text);
    assertTrue(text.contains("\"error\":\"too_large\""), text);
    assertEquals(List.of(), uploadDir());
  }

  @Test
  void anUploadWithoutContentLengthIsRefused(Vertx vertx) {
    String head =
        "PUT /upload/chunked.txt HTTP/1.1\nHost: 127.0.0.1\nAuthorization: Bearer "
            + TOKEN
            + "\nTransfer-Encoding: chunked\n\n";
    String text =
        await(raw(vertx, head, Buffer.buffer("4\r\ndata\r\n0\r\n\r\n")).answer()).toString();
    assertTrue(text.startsWith("HTTP/1.1 411 "), text);
    assertTrue(text.contains("\"error\":\"length_required\""), text);
    assertEquals(List.of(), uploadDir());
  }

  @Test
  void aClientThatGoesAwayHalfWayLeavesNothingBehind(Vertx vertx) {
    Raw cut = raw(vertx, headers("/upload/cut.bin", 100_000), Buffer.buffer(new byte[30_000]));
    // The client vanishes once the temporary file exists and has taken data.
    Await.until("a temporary file with data", ON_A_WORKER, () -> Listing.anyWithData(uploads()));
    await(cut.socket().close());

    Listing.emptyWithin("the temporary file was removed", uploads(), ON_A_WORKER);
    assertFalse(http.get(peer, "/files").text().contains("cut.bin"));
  }

  @Test
  void aClientThatStallsIsCutAfterTheIdleTimeout(Vertx vertx) {
    long start = System.nanoTime();
    Raw stalled =
        raw(vertx, headers("/upload/stalled.bin", 100_000), Buffer.buffer(new byte[10_000]));
    String text = await(stalled.answer()).toString();
    long ms = (System.nanoTime() - start) / 1_000_000;

    assertTrue(text.startsWith("HTTP/1.1 408 "), text);
    // Not before the 600 ms idle timeout; after it, only the 60 s idle connection timeout would
    // end the upload: a quarter of that tells the two apart with room for a loaded 2-core machine.
    assertTrue(ms >= 500 && ms < 15_000, ms + " ms");
    Listing.emptyWithin("the temporary file was removed", uploads(), ON_A_WORKER);
  }
}
