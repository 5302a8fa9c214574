package io.peerd.search;

import java.util.List;

/**
 * What a search returns, locally and on the wire. The seed's fields ({@code query, ttl,
 * fanout_used, results}) keep their meaning; the rest say how complete the answer is.
 *
 * @param partial true when a neighbour failed or the deadline cut the search
 * @param duplicate true when this peer had already seen the query id and answered nothing
 */
public record SearchAnswer(
    String id,
    String query,
    int ttl,
    int fanoutUsed,
    List<PeerResult> results,
    List<Unreachable> unreachable,
    boolean partial,
    int peersAnswered,
    long elapsedMs,
    boolean duplicate) {

  public SearchAnswer {
    results = List.copyOf(results);
    unreachable = List.copyOf(unreachable);
  }
}
