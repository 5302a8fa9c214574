package io.peerd.peers;

import io.peerd.identity.PeerId;

/**
 * How to reach a peer right now: which URL, and which id its certificate must have. A call over a
 * link with {@code expect} goes over mutual TLS and is refused before anything is sent when the
 * other side presents another certificate.
 *
 * @param url where to send the call
 * @param expect the id to check, or null for a plain (unauthenticated) call
 * @param refused why this peer must not be called at all, or null
 */
public record Link(String url, PeerId expect, String refused) {

  public static Link plain(String url) {
    return new Link(url, null, null);
  }

  public static Link secure(String url, PeerId expect) {
    return new Link(url, expect, null);
  }

  public static Link refuse(String url, String why) {
    return new Link(url, null, why);
  }
}
