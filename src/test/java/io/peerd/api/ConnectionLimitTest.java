package io.peerd.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.peerd.node.PeerVerticle;
import io.peerd.testkit.Peers;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A client holding many connections open cannot take every connection. (Vert.x hands a
 * connection to the limiter once its first request line is complete; sockets that never send one
 * are closed by the idle timeout instead.)
 */
@Tag("peer")
class ConnectionLimitTest {

  @TempDir
  Path tmp;
  Vertx vertx = Vertx.vertx();

  @AfterEach
  void close() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  static String get(int port, String path) throws Exception {
    try (Socket s = new Socket("127.0.0.1", port)) {
      s.setSoTimeout(5000);
      s.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
          .getBytes(StandardCharsets.US_ASCII));
      return new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
    }
  }

  @Test
  void connectionsOverThePerClientCapAreClosedAndFreedOnesCountAgain() throws Exception {
    PeerVerticle p = Peers.start(vertx, Peers.config("c", Peers.folderWith(tmp, "s", Map.of()), List.of(),
        new JsonObject().put("max_connections_per_client", 5))).toCompletionStage().toCompletableFuture()
        .get(20, TimeUnit.SECONDS);
    List<Socket> held = new ArrayList<>();
    try {
      for (int i = 0; i < 5; i++) {
        Socket s = new Socket("127.0.0.1", p.restPort());
        s.setSoTimeout(5000);
        // One complete request, then the connection is kept open and idle.
        s.getOutputStream().write("GET /health HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        assertTrue(s.getInputStream().read(new byte[4096]) > 0, "connection " + i + " is served");
        held.add(s);
      }
      Thread.sleep(200);
      String refused = get(p.restPort(), "/health");
      assertEquals("", refused, "the sixth connection from the same address is closed at once");
    } finally {
      for (Socket s : held) {
        s.close();
      }
    }
    String ok = "";
    for (int i = 0; i < 50 && !ok.startsWith("HTTP/1.1 200"); i++) {
      Thread.sleep(50);
      ok = get(p.restPort(), "/health");
    }
    assertTrue(ok.startsWith("HTTP/1.1 200"), "served again once the held connections are gone: " + ok);
    assertTrue(get(p.restPort(), "/metrics").contains("peer_connections_refused_total{peer=\"c\"} 1.0"),
        "the refusal is counted");
  }

  @Test
  void slowlorisSocketsDoNotStarveOtherClients() throws Exception {
    PeerVerticle p = Peers.start(vertx, Peers.config("sl", Peers.folderWith(tmp, "s2", Map.of()), List.of(), null))
        .toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
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
        assertTrue(ms < 1000, "answered in " + ms + " ms while 300 slow clients hang on");
      }
    } finally {
      for (Socket s : held) {
        s.close();
      }
    }
  }
}
