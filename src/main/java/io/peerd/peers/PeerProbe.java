package io.peerd.peers;

import io.peerd.identity.PeerId;
import io.peerd.identity.PeerRecord;
import io.vertx.core.Future;
import java.util.List;

/** The network seam of peer management: ask another peer whether it is alive, or introduce us. */
public interface PeerProbe {

  /**
   * What a {@code GET /health} that answered 200 said.
   *
   * @param rttMs its round trip
   * @param claimedId the id the answer names (anyone can write any: proved only by {@code
   *     presented} on a secure call), null when it names none
   * @param secureUrl the secure URL it names, or null
   * @param presented the id of the certificate the other side presented, null on a plain call
   * @param record the signed record it carried, unverified, or null
   */
  record Health(
      long rttMs, PeerId claimedId, String secureUrl, PeerId presented, PeerRecord record) {}

  /**
   * @param expect null for a plain call to {@code url}; otherwise {@code url} is a secure URL,
   *     called over mutual TLS, and the answer says which id was presented there (the caller
   *     decides what a mismatch means)
   */
  Future<Health> health(String url, PeerId expect, long timeoutMillis);

  /** A peer's {@code GET /peers}: its URLs ({@code all_peers}) and signed records, unverified. */
  record PeerList(List<String> urls, List<PeerRecord> records) {}

  /** At most {@code max} URLs and {@code max} records, read from the other peer's answer. */
  Future<PeerList> peersOf(String peerUrl, int max, long timeoutMillis);

  /** {@code POST /register {"url": self}} on the other peer. */
  Future<Void> register(String peerUrl, String self, long timeoutMillis);
}
