package io.peerd.routing;

import java.util.function.IntPredicate;

/**
 * What the peer holding a query knows when it decides where the query goes next. Neighbours are
 * indices 0..degree-1 into the holder's own neighbour list, whatever that list is (URLs in the
 * daemon, node numbers in the simulator).
 *
 * @param sender the neighbour the query came from, or -1 (a client's query, or an unknown sender)
 * @param origin true at the peer that started the search
 * @param ttl hops the query may still travel from here
 * @param hops hops it has travelled to get here
 * @param duplicate this peer has seen the query id before
 * @param localHits matches in this peer's own files
 * @param excluded neighbours that must not get it (the origin, the sender's other targets)
 * @param mayMatch neighbours whose known summary may hold a match; false when no summary is known
 *     or the query is too short to judge (summary routing then walks)
 */
public record Hop(
    int degree,
    int sender,
    boolean origin,
    int ttl,
    int hops,
    boolean duplicate,
    int localHits,
    IntPredicate excluded,
    IntPredicate mayMatch) {

  static final IntPredicate NONE = i -> false;
  static final IntPredicate ALL = i -> true;

  /** A hop with no exclusions, every neighbour's summary matching. */
  public static Hop of(
      int degree, int sender, boolean origin, int ttl, int hops, boolean duplicate, int localHits) {
    return new Hop(degree, sender, origin, ttl, hops, duplicate, localHits, NONE, ALL);
  }
}
