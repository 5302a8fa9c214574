package io.peerd.api;

import static io.peerd.testkit.Await.until;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.peerd.node.PeerVerticle;
import io.peerd.testkit.Await;
import io.peerd.testkit.Peers;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A client holding many connections open cannot take every connection. (Vert.x hands a connection
 * to the limiter once its first request line is complete; sockets that never send one are closed by
 * the idle timeout instead.)
 */
@ExtendWith(VertxExtension.class)
@Tag("peer")
class ConnectionLimitTest {

  @TempDir Path tmp;

  /**
   * A request on a connection of its own, read to the end: "" when the peer closes it unanswered.
   */
  static String get(int port, String path) {
    try (Socket s = new Socket("127.0.0.1", port)) {
      s.setSoTimeout((int) Await.BOUND.toMillis());
      s.getOutputStream()
          .write(
              ("GET " + path + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                  .getBytes(StandardCharsets.US_ASCII));
      return new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Test
  void connectionsOverThePerClientCapAreClosedAndFreedOnesCountAgain(Vertx vertx) throws Exception {
    PeerVerticle p =
        Peers.started(
            vertx,
            "c",
            Peers.folderWith(tmp, "s", Map.of()),
            List.of(),
            new JsonObject().put("max_connections_per_client", 5));
    List<Socket> held = new ArrayList<>();
    try {
      for (int i = 0; i < 5; i++) {
        Socket s = new Socket("127.0.0.1", p.restPort());
        s.setSoTimeout((int) Await.BOUND.toMillis());
        // One complete request, then the connection is kept open and idle.
        s.getOutputStream()
            .write("GET /health HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        assertTrue(s.getInputStream().read(new byte[4096]) > 0, "connection " + i + " is served");
        held.add(s);
      }
      String refused = get(p.restPort(), "/health");
      assertEquals("", refused, "the sixth connection from the same address is closed at once");
    } finally {
      for (Socket s : held) {
        s.close();
      }
    }

    // The peer frees a slot when it sees the close, which may take a moment on a loaded machine;
    // a request that comes before is refused as well, and so counted too.
    int[] refusals = {1};
    until(
        "served again once the held connections are gone",
        Duration.ofSeconds(10),
        () -> {
          String answer = get(p.restPort(), "/health");
          refusals[0] += answer.isEmpty() ? 1 : 0;
          return answer.startsWith("HTTP/1.1 200");
        });
    String counted = "peer_connections_refused_total{peer=\"c\"} " + (double) refusals[0];
    assertTrue(
        get(p.restPort(), "/metrics").contains(counted), "the refusal is counted: " + counted);
  }

  @Test
  void slowlorisSocketsDoNotStarveOtherClients(Vertx vertx) throws Exception {
    PeerVerticle p =
        Peers.started(vertx, "sl", Peers.folderWith(tmp, "s2", Map.of()), List.of(), null);
    List<Socket> held = new ArrayList<>();
    try {
      // 300 connections that send a byte of a request now and then and never finish it: no
      // thread is parked per connection, so a normal request is still answered at once.
      for (int i = 0; i < 300; i++) {
        Socket s = new Socket("127.0.0.1", p.restPort());
        s.getOutputStream().write('G');
        held.add(s);
      }
      for (int round = 0; round < 3; round++) {
        for (Socket s : held) {
          s.getOutputStream().write('E');
        }
        long t0 = System.nanoTime();
        String ok = get(p.restPort(), "/health");
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertTrue(ok.startsWith("HTTP/1.1 200"), ok);
        // Starved, the request would wait for the 60 s idle timeout to free the server; a
        // loopback answer takes milliseconds, and 5 s leaves room for a loaded 2-core machine.
        assertTrue(ms < 5000, "answered in " + ms + " ms while 300 slow clients hang on");
      }
    } finally {
      for (Socket s : held) {
        s.close();
      }
    }
  }
}
