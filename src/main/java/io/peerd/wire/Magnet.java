package io.peerd.wire;

import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A link to a file's content that can be pasted anywhere and fetched:
 *
 * <pre>magnet:?xt=urn:peerd:bep52:ROOT&amp;xl=SIZE&amp;dn=NAME&amp;x.pe=HOST:PORT</pre>
 *
 * <p>{@code xt} is the content's BEP 52 Merkle root (64 lowercase hex) under a name of our own: it
 * is a BitTorrent v2 per-file {@code pieces root}, not a torrent's info hash, so the BitTorrent
 * {@code urn:btmh:} would mislead a client. {@code xl} is the exact length, {@code dn} the name it
 * was shared under, and each {@code x.pe} a peer that has it (BEP 9's form, {@code host:port} of a
 * plain-HTTP peer, or a whole {@code https://} URL). Unknown parameters are ignored.
 *
 * @param peers the peers' REST URLs ({@code http://host:port})
 */
public record Magnet(String root, long size, String name, List<String> peers) {

  public static final String URN = "urn:peerd:bep52:";

  public Magnet {
    peers = List.copyOf(peers);
  }

  /** The link, for {@code /files} and search answers. */
  public String format() {
    StringBuilder sb = new StringBuilder("magnet:?xt=").append(URN).append(root);
    sb.append("&xl=").append(size);
    if (name != null) {
      sb.append("&dn=").append(URLEncoder.encode(name, StandardCharsets.UTF_8));
    }
    for (String peer : peers) {
      URI u = URI.create(peer);
      String address = "http".equals(u.getScheme()) ? u.getHost() + ":" + u.getPort() : peer;
      sb.append("&x.pe=").append(URLEncoder.encode(address, StandardCharsets.UTF_8));
    }
    return sb.toString();
  }

  /**
   * @throws IllegalArgumentException with a reason a person can act on
   */
  public static Magnet parse(String link) {
    if (link == null || !link.startsWith("magnet:?")) {
      throw new IllegalArgumentException("not a magnet link (magnet:?xt=...)");
    }
    String root = null;
    long size = -1;
    String name = null;
    List<String> peers = new ArrayList<>();
    for (String part : link.substring("magnet:?".length()).split("&")) {
      int eq = part.indexOf('=');
      if (eq <= 0) {
        continue;
      }
      String key = part.substring(0, eq);
      String value;
      try {
        value = URLDecoder.decode(part.substring(eq + 1), StandardCharsets.UTF_8);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("bad escape in " + key);
      }
      switch (key) {
        case "xt" -> {
          if (value.startsWith(URN)) {
            root = value.substring(URN.length()).toLowerCase(Locale.ROOT);
          }
        }
        case "xl" -> {
          try {
            size = Long.parseLong(value);
          } catch (NumberFormatException e) {
            throw new IllegalArgumentException("xl must be the length in bytes");
          }
        }
        case "dn" -> name = value;
        case "x.pe" -> peers.add(value.contains("://") ? value : "http://" + value);
        default -> {
          // Other clients' parameters (tr, ws, ...): not ours to judge.
        }
      }
    }
    if (root == null || !isRoot(root)) {
      throw new IllegalArgumentException("the link has no xt=" + URN + "<64 hex characters>");
    }
    if (size < 0) {
      throw new IllegalArgumentException("the link has no xl (length)");
    }
    return new Magnet(root, size, name, peers);
  }

  /** 64 lowercase hex characters: the form a root has on the wire. */
  public static boolean isRoot(String s) {
    return s != null
        && s.length() == 64
        && s.chars().allMatch(c -> c >= '0' && c <= '9' || c >= 'a' && c <= 'f');
  }
}
