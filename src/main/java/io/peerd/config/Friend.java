package io.peerd.config;

import io.peerd.identity.PeerId;
import io.peerd.peers.PeerUrl;

/**
 * A configured friend: its URL, and the id it must prove when one is pinned ({@code ID@URL}).
 *
 * @param id null when the friend is not pinned (its id is learned on first authenticated contact)
 */
public record Friend(String url, PeerId id) {

  /**
   * Reads {@code URL} or {@code ID@URL}, the id as {@code peer.jar id} prints it.
   *
   * @throws IllegalArgumentException with a short reason
   */
  public static Friend parse(String raw) {
    String s = raw == null ? "" : raw.trim();
    int at = s.indexOf('@');
    int scheme = s.indexOf("://");
    if (at > 0 && (scheme < 0 || at < scheme)) {
      PeerId id;
      try {
        id = PeerId.parse(s.substring(0, at));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("the id before @: " + e.getMessage());
      }
      return new Friend(PeerUrl.parse(s.substring(at + 1)), id);
    }
    return new Friend(PeerUrl.parse(s), null);
  }

  @Override
  public String toString() {
    return id == null ? url : id + "@" + url;
  }
}
