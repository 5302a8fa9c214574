package io.peerd.transfer;

import static io.peerd.testkit.Await.await;
import static io.peerd.testkit.Await.until;
import static io.peerd.testkit.Grpc.header;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.peerd.node.PeerVerticle;
import io.peerd.rpc.proto.UploadChunk;
import io.peerd.rpc.proto.UploadResult;
import io.peerd.testkit.Grpc;
import io.peerd.testkit.Http;
import io.peerd.testkit.Peers;
import io.peerd.testkit.TestFiles;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.grpc.client.GrpcClientRequest;
import io.vertx.grpc.common.GrpcStatus;
import io.vertx.junit5.VertxExtension;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * HTTP {@code PUT /upload} and gRPC {@code Upload} are two doors to one upload life cycle: they
 * share one cap on uploads at once, give the same answer on success (indexed included) and refuse
 * the same requests for the same reasons, each in its own wire's words.
 */
@ExtendWith(VertxExtension.class)
@Tag("peer")
class UploadWiresTest {

  @TempDir Path tmp;
  Path share;
  PeerVerticle peer;
  Http http;
  Grpc grpc;
  final List<Socket> held = new ArrayList<>();
  final List<GrpcClientRequest<UploadChunk, UploadResult>> calls = new ArrayList<>();

  @BeforeEach
  void start(Vertx vertx) {
    http = new Http(vertx);
    grpc = new Grpc(vertx);
    share = Peers.folderWith(tmp, "share", Map.of("uploads/taken.txt", "t"));
    peer =
        Peers.started(
            vertx,
            "doors",
            share,
            List.of(),
            new JsonObject()
                .put("accept_uploads", true)
                .put("upload_max_bytes", 1 << 20)
                .put("stream_idle_timeout_ms", 30_000));
  }

  @AfterEach
  void release() throws Exception {
    for (Socket s : held) {
      s.close();
    }
    calls.forEach(GrpcClientRequest::cancel);
  }

  HttpResponse<Buffer> put(String name, byte[] body, String sha) {
    HttpRequest<Buffer> req = http.client().put(peer.restPort(), "127.0.0.1", "/upload/" + name);
    if (sha != null) {
      req.putHeader("X-Sha256", sha);
    }
    return await(req.sendBuffer(Buffer.buffer(body)));
  }

  static Http.Reply reply(HttpResponse<Buffer> r) {
    return new Http.Reply(r.statusCode(), r.headers(), r.body());
  }

  /** The head of an upload without its body, and what the peer answers before it closes. */
  Http.Reply refusedPut(String name, long size, String sha) throws Exception {
    try (Socket s = new Socket("127.0.0.1", peer.restPort())) {
      s.setSoTimeout(30_000);
      s.getOutputStream()
          .write(
              ("PUT /upload/"
                      + name
                      + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: "
                      + size
                      + "\r\nX-Sha256: "
                      + sha
                      + "\r\n\r\n")
                  .getBytes(StandardCharsets.US_ASCII));
      String answer = new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      int status = Integer.parseInt(answer.substring(9, 12));
      String body = answer.substring(answer.indexOf("\r\n\r\n") + 4);
      return new Http.Reply(
          status, io.vertx.core.MultiMap.caseInsensitiveMultiMap(), Buffer.buffer(body));
    }
  }

  Grpc.Upload grpcUpload(String name, long size, String sha, byte[] body) {
    return grpc.upload(peer.restPort(), header(name, size, sha), body);
  }

  /** An HTTP upload that announced 1000 bytes and sent 10: it holds its slot. */
  Socket holdOverHttp(String name) throws Exception {
    Socket s = new Socket("127.0.0.1", peer.restPort());
    OutputStream out = s.getOutputStream();
    out.write(
        ("PUT /upload/"
                + name
                + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 1000\r\n\r\n0123456789")
            .getBytes(StandardCharsets.US_ASCII));
    out.flush();
    held.add(s);
    return s;
  }

  double active() {
    Matcher m =
        Pattern.compile("(?m)^peer_uploads_active\\{[^}]*} (\\S+)$")
            .matcher(http.get(peer, "/metrics").text());
    assertTrue(m.find(), "the gauge is published");
    return Double.parseDouble(m.group(1));
  }

  @Test
  void bothWiresShareOneCap() throws Exception {
    byte[] ten = "0123456789".getBytes(StandardCharsets.US_ASCII);
    for (int i = 0; i < Uploads.MAX_ACTIVE / 2; i++) {
      calls.add(
          await(
              grpc.startUpload(
                  peer.restPort(), header("g" + i + ".bin", 1000, TestFiles.sha256(ten)), ten)));
      holdOverHttp("h" + i + ".bin");
    }
    until("16 uploads running", Duration.ofSeconds(10), () -> active() == Uploads.MAX_ACTIVE);

    HttpResponse<Buffer> overHttp = put("one-more.txt", ten, null);
    assertEquals(503, overHttp.statusCode(), overHttp.bodyAsString());
    assertEquals("busy", overHttp.bodyAsJsonObject().getString("error"));
    assertEquals("1", overHttp.getHeader("Retry-After"));
    Grpc.Upload overGrpc = grpcUpload("one-more.bin", ten.length, TestFiles.sha256(ten), ten);
    assertEquals(GrpcStatus.UNAVAILABLE, overGrpc.status(), overGrpc.message());

    // One client goes away: its slot serves the next upload, whichever door it comes by.
    held.get(0).close();
    until("a slot freed", Duration.ofSeconds(10), () -> active() == Uploads.MAX_ACTIVE - 1);
    Grpc.Upload next = grpcUpload("next.bin", ten.length, TestFiles.sha256(ten), ten);
    assertEquals(GrpcStatus.OK, next.status(), next.message());
  }

  @Test
  void bothWiresAnswerASuccessAlike() {
    byte[] data = "same answer".getBytes(StandardCharsets.UTF_8);
    String sha = TestFiles.sha256(data);
    JsonObject viaHttp = put("a.txt", data, sha).bodyAsJsonObject();
    UploadResult viaGrpc = grpcUpload("b.txt", data.length, sha, data).result();

    assertEquals("uploads/a.txt", viaHttp.getString("name"));
    assertEquals("uploads/b.txt", viaGrpc.getFilename());
    assertEquals(data.length, viaHttp.getLong("size"));
    assertEquals(data.length, viaGrpc.getSize());
    assertEquals(sha, viaHttp.getString("sha256"));
    assertEquals(sha, viaGrpc.getSha256());
    assertEquals(true, viaHttp.getBoolean("indexed"));
    assertTrue(viaGrpc.getIndexed(), "gRPC says whether the index has it, as HTTP does");
    assertEquals(3, http.getJson(peer, "/files").getJsonArray("files").size(), "both are shared");
  }

  /**
   * One refusal, as each wire says it.
   *
   * @param afterData refused only once the data is in (the rest before any byte is read)
   */
  record Case(
      String what,
      String name,
      long size,
      String sha,
      boolean afterData,
      int http,
      String error,
      GrpcStatus grpc) {}

  @Test
  void bothWiresRefuseAlike() throws Exception {
    byte[] five = "12345".getBytes(StandardCharsets.UTF_8);
    String sha = TestFiles.sha256(five);
    String wrong = TestFiles.sha256("other".getBytes(StandardCharsets.UTF_8));
    List<Case> cases =
        List.of(
            new Case(
                "a hidden name",
                ".hidden",
                5,
                sha,
                false,
                400,
                "bad_request",
                GrpcStatus.INVALID_ARGUMENT),
            new Case(
                "an escape",
                "..%2Fout.txt",
                5,
                sha,
                false,
                400,
                "bad_request",
                GrpcStatus.INVALID_ARGUMENT),
            new Case(
                "over the quota",
                "big.bin",
                2 << 20,
                sha,
                false,
                413,
                "too_large",
                GrpcStatus.RESOURCE_EXHAUSTED),
            new Case(
                "a taken name",
                "taken.txt",
                5,
                sha,
                false,
                409,
                "exists",
                GrpcStatus.ALREADY_EXISTS),
            new Case(
                "another hash",
                "hash.txt",
                5,
                wrong,
                true,
                422,
                "hash_mismatch",
                GrpcStatus.DATA_LOSS));
    for (Case c : cases) {
      // A refusal before the body closes the connection, so its body is not sent: the close could
      // otherwise reset the connection under the answer (a real client sends Expect: 100-continue).
      Http.Reply h =
          c.afterData()
              ? reply(put(c.name(), five, c.sha()))
              : refusedPut(c.name(), c.size(), c.sha());
      assertEquals(c.http(), h.status(), c.what() + " over HTTP: " + h.text());
      assertEquals(c.error(), h.error(), c.what());
      Grpc.Upload g =
          grpcUpload(c.name().replace("%2F", "/"), c.size(), c.sha(), c.afterData() ? five : null);
      assertEquals(c.grpc(), g.status(), c.what() + " over gRPC: " + g.message());
    }
    assertEquals(
        List.of("uploads/taken.txt"),
        http.getJson(peer, "/files").getJsonArray("files").stream()
            .map(f -> ((JsonObject) f).getString("name"))
            .toList(),
        "nothing of any of them is shared");
  }
}
