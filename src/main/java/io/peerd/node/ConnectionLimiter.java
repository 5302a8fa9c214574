package io.peerd.node;

import io.vertx.core.http.HttpConnection;
import java.util.HashMap;
import java.util.Map;

/**
 * At most {@code perClient} open connections per remote address: one client (a slowloris among
 * them, holding connections open with half-sent requests) cannot take every connection a peer can
 * serve. Over the cap a new connection is closed at once. The map holds only addresses with open
 * connections, so it is bounded by the connections themselves. Event-loop confined.
 */
final class ConnectionLimiter {

  private final int perClient;
  private final Map<String, Integer> open = new HashMap<>();
  private long refused;

  ConnectionLimiter(int perClient) {
    this.perClient = perClient;
  }

  void handle(HttpConnection conn) {
    String host = conn.remoteAddress() == null ? "unknown" : conn.remoteAddress().host();
    int n = open.merge(host, 1, Integer::sum);
    conn.closeHandler(v -> open.computeIfPresent(host, (k, c) -> c <= 1 ? null : c - 1));
    if (n > perClient) {
      refused++;
      conn.close();
    }
  }

  /** Connections closed for being over the cap, for /metrics. */
  long refused() {
    return refused;
  }
}
