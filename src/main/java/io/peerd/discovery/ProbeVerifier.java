package io.peerd.discovery;

import io.peerd.identity.PeerId;
import io.peerd.peers.PeerProbe;
import io.peerd.peers.PeerUrl;
import io.vertx.core.Future;

/**
 * The check of a heard URL, over the probe the health checker uses: its plain {@code /health}
 * answers, and when the announcement names an id, that answer names the same id and its secure port
 * presents a certificate of it. An announcement proves nothing by itself: anyone on the segment can
 * send one naming any URL and any id.
 */
public final class ProbeVerifier implements LocalDiscovery.Verifier {

  private final PeerProbe probe;
  private final long timeoutMillis;
  private final boolean checkIds;

  /**
   * @param checkIds whether this peer can check ids (it has one itself); without, an announced id
   *     is ignored and the URL is taken as a plain peer, as a registration would be
   */
  public ProbeVerifier(PeerProbe probe, long timeoutMillis, boolean checkIds) {
    this.probe = probe;
    this.timeoutMillis = timeoutMillis;
    this.checkIds = checkIds;
  }

  @Override
  public Future<LocalDiscovery.Verified> verify(String url, PeerId id) {
    return probe
        .health(url, null, timeoutMillis)
        .compose(
            h -> {
              if (checkIds && id == null && h.claimedId() != null) {
                // Else anyone could have a peer that is not on this segment added by naming it
                // without its id; a peer without an id announces none.
                return failed(url + " names an id the announcement does not");
              }
              if (id == null || !checkIds) {
                return Future.succeededFuture(
                    new LocalDiscovery.Verified(url, null, null, h.rttMs()));
              }
              if (!id.equals(h.claimedId())) {
                return failed(
                    url
                        + " names "
                        + (h.claimedId() == null ? "no id" : h.claimedId().shortForm() + "…")
                        + ", the announcement "
                        + id.shortForm()
                        + "…");
              }
              String secure = h.secureUrl() == null ? null : PeerUrl.tryParse(h.secureUrl());
              if (secure == null || !secure.startsWith("https:")) {
                return failed(url + " names no https secure URL to prove " + id.shortForm() + "…");
              }
              return probe
                  .health(secure, id, timeoutMillis)
                  .compose(
                      s ->
                          id.equals(s.presented())
                              ? Future.succeededFuture(
                                  new LocalDiscovery.Verified(url, id, secure, h.rttMs()))
                              : failed(
                                  secure
                                      + " presented "
                                      + (s.presented() == null
                                          ? "no certificate"
                                          : s.presented().shortForm() + "…")
                                      + ", not "
                                      + id.shortForm()
                                      + "…"));
            });
  }

  private static Future<LocalDiscovery.Verified> failed(String why) {
    return Future.failedFuture(new LocalDiscovery.Refused(why));
  }
}
