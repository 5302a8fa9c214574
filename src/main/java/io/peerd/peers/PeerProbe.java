package io.peerd.peers;

import io.vertx.core.Future;

/** The network seam of peer management: ask another peer whether it is alive, or introduce us. */
public interface PeerProbe {

  /**
   * @return the round-trip time in ms of a {@code GET /health} that answered 200
   */
  Future<Long> health(String peerUrl, long timeoutMillis);

  /**
   * The URLs in the other peer's {@code GET /peers} ({@code all_peers}), unvalidated, at most
   * {@code max}.
   */
  Future<java.util.List<String>> peersOf(String peerUrl, int max, long timeoutMillis);

  /** {@code POST /register {"url": self}} on the other peer. */
  Future<Void> register(String peerUrl, String self, long timeoutMillis);
}
