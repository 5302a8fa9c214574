package io.peerd.api;

import static io.peerd.testkit.Grpc.header;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.peerd.node.PeerVerticle;
import io.peerd.testkit.Grpc;
import io.peerd.testkit.Http;
import io.peerd.testkit.Peers;
import io.peerd.testkit.TestFiles;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.grpc.common.GrpcStatus;
import io.vertx.junit5.VertxExtension;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A failure of the peer's own reaches the client as a status and an id, never as the exception's
 * class, message or a path; the id is the one in the log line, and the failure is counted.
 */
@ExtendWith(VertxExtension.class)
@Tag("peer")
class InternalErrorsTest {

  @TempDir Path tmp;
  Path share;
  PeerVerticle peer;
  Http http;

  @BeforeEach
  void start(Vertx vertx) {
    http = new Http(vertx);
    share = Peers.folderWith(tmp, "share", Map.of("a.txt", "a"));
    peer =
        Peers.started(
            vertx, "inside", share, List.of(), new JsonObject().put("accept_uploads", true));
  }

  double internalErrors() {
    Matcher m =
        Pattern.compile("(?m)^peer_internal_errors_total\\{[^}]*} (\\S+)$")
            .matcher(http.get(peer, "/metrics").text());
    double sum = 0;
    while (m.find()) {
      sum += Double.parseDouble(m.group(1));
    }
    return sum;
  }

  static void assertSaysNothingOfTheInsides(String text) {
    assertFalse(text.contains(Path.of("").toAbsolutePath().getRoot() + "tmp"), "no path: " + text);
    assertFalse(text.contains("Exception"), "no exception class: " + text);
  }

  @Test
  void aRestFailureIsAnIdAndALogLine() throws Exception {
    // The shared folder vanishes under the peer: the next scan cannot walk it.
    Files.delete(share.resolve("a.txt"));
    Files.delete(share);

    Http.Reply r = http.post(peer, "/index/rescan", Buffer.buffer());
    assertEquals(500, r.status(), r.text());
    assertEquals("internal", r.error());
    assertTrue(
        r.json().getString("detail").matches("[0-9a-f]{1,12}"), "an id, no more: " + r.text());
    assertSaysNothingOfTheInsides(r.text());
    assertEquals(1.0, internalErrors(), "counted once");
  }

  @Test
  void anUploadThePeerCannotStoreIsInternalOnBothWires(Vertx vertx) throws Exception {
    // Where the upload folder should be there is a file: the peer cannot make the folder.
    Files.writeString(share.resolve("uploads"), "not a folder");
    byte[] data = "x".getBytes(StandardCharsets.UTF_8);

    Http.Reply viaHttp =
        io.peerd.testkit.Await.await(
            http.sendAsync(
                io.vertx.core.http.HttpMethod.PUT,
                peer.restPort(),
                "/upload/x.txt",
                Buffer.buffer(data)));
    assertEquals(500, viaHttp.status(), viaHttp.text());
    assertEquals("internal", viaHttp.error());
    assertSaysNothingOfTheInsides(viaHttp.text());

    Grpc.Upload viaGrpc =
        new Grpc(vertx).upload(peer.restPort(), header("x.txt", 1, TestFiles.sha256(data)), data);
    assertEquals(GrpcStatus.INTERNAL, viaGrpc.status());
    assertTrue(viaGrpc.message().matches("internal error [0-9a-f]{1,12}"), viaGrpc.message());
    assertEquals(2.0, internalErrors());
  }
}
