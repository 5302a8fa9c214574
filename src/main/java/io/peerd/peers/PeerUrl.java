package io.peerd.peers;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;

/**
 * Peer addresses are normalised to {@code scheme://host:port} so that one peer has exactly one key
 * in the table, whatever trailing slash or letter case another peer used.
 */
public final class PeerUrl {

  /** Longer than any sane host:port; stops a registration from parking megabytes in the table. */
  static final int MAX_LENGTH = 512;

  private PeerUrl() {}

  /**
   * @return the normalised URL
   * @throws IllegalArgumentException with a short reason a client can be shown
   */
  public static String parse(String raw) {
    if (raw == null || raw.isBlank()) {
      throw new IllegalArgumentException("empty URL");
    }
    String s = raw.trim();
    if (s.length() > MAX_LENGTH) {
      throw new IllegalArgumentException("URL longer than " + MAX_LENGTH + " characters");
    }
    URI uri;
    try {
      uri = new URI(s);
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("not a URL: " + e.getReason());
    }
    String scheme = uri.getScheme() == null ? null : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!"http".equals(scheme) && !"https".equals(scheme)) {
      throw new IllegalArgumentException("scheme must be http or https");
    }
    if (uri.getRawUserInfo() != null) {
      throw new IllegalArgumentException("user info is not allowed in a peer URL");
    }
    String host = uri.getHost();
    if (host == null || host.isEmpty()) {
      throw new IllegalArgumentException("URL has no host");
    }
    int port = uri.getPort();
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("URL needs an explicit port 1-65535");
    }
    String path = uri.getRawPath();
    if ((path != null && !path.isEmpty() && !path.equals("/"))
        || uri.getRawQuery() != null
        || uri.getRawFragment() != null) {
      throw new IllegalArgumentException("a peer URL is scheme://host:port, without path or query");
    }
    return scheme + "://" + host.toLowerCase(Locale.ROOT) + ":" + port;
  }

  /**
   * @return the normalised URL, or null when the input is not a valid peer URL
   */
  public static String tryParse(String raw) {
    try {
      return parse(raw);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  public static String host(String url) {
    return URI.create(url).getHost();
  }
}
