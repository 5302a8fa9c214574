package io.peerd.peers;

/**
 * What this peer knows about another one. Immutable: the table swaps whole values.
 *
 * @param lastSeenMillis last successful contact (epoch ms), 0 = never
 * @param failures consecutive failures since the last success
 * @param rttMs round-trip of the last successful probe, -1 = unknown
 * @param nextProbeMillis when the health checker may probe again (backoff after failures)
 * @param pinned configured friends: never evicted nor forgotten
 * @param trust what is known of its identity ({@link Trust#NONE} for a plain peer)
 */
public record PeerState(
    String url,
    boolean healthy,
    long lastSeenMillis,
    int failures,
    long rttMs,
    long nextProbeMillis,
    boolean pinned,
    long addedMillis,
    Trust trust) {

  PeerState succeeded(long now, long rtt, long nextProbe) {
    return new PeerState(
        url, true, now, 0, rtt < 0 ? rttMs : rtt, nextProbe, pinned, addedMillis, trust);
  }

  PeerState failed(long nextProbe) {
    return new PeerState(
        url, false, lastSeenMillis, failures + 1, rttMs, nextProbe, pinned, addedMillis, trust);
  }

  PeerState pin() {
    return pinned
        ? this
        : new PeerState(
            url,
            healthy,
            lastSeenMillis,
            failures,
            rttMs,
            nextProbeMillis,
            true,
            addedMillis,
            trust);
  }

  PeerState with(Trust t) {
    return new PeerState(
        url, healthy, lastSeenMillis, failures, rttMs, nextProbeMillis, pinned, addedMillis, t);
  }

  /** The id this peer proved, or null. */
  public io.peerd.identity.PeerId authenticatedId() {
    return trust.authenticated() ? trust.id() : null;
  }
}
