package io.peerd.search;

import java.util.List;

/** One peer's matches, and how many hops from the origin it answered. */
public record PeerResult(String peer, List<FileHit> files, int hops) {
  public PeerResult {
    files = List.copyOf(files);
  }
}
