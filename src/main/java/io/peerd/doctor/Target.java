package io.peerd.doctor;

import io.peerd.identity.PeerId;
import io.peerd.peers.PeerUrl;
import java.net.URI;

/**
 * The peer to check.
 *
 * @param url its URL, normalised ({@code scheme://host:port})
 * @param expect the id its certificate must have, or null when there is none to check
 * @param secureUrl where its secure port is, when already known (the peer table's), else null: the
 *     TLS step of a plain URL with an id to check then asks the peer's {@code /health}
 */
public record Target(String url, PeerId expect, String secureUrl) {

  /**
   * @throws IllegalArgumentException with a reason a person can act on
   */
  public static Target parse(String rawUrl, String rawId) {
    String url = PeerUrl.parse(rawUrl);
    PeerId id = rawId == null || rawId.isBlank() ? null : PeerId.parse(rawId);
    return new Target(url, id, url.startsWith("https:") ? url : null);
  }

  public Target withExpected(PeerId id, String secure) {
    return new Target(url, id, secure == null ? secureUrl : secure);
  }

  /** The host as a resolver takes it: an IPv6 literal without its brackets. */
  public String host() {
    String h = URI.create(url).getHost();
    return h.startsWith("[") && h.endsWith("]") ? h.substring(1, h.length() - 1) : h;
  }

  public int port() {
    return URI.create(url).getPort();
  }

  public boolean secure() {
    return url.startsWith("https:");
  }
}
