package io.peerd.search;

import io.peerd.routing.Mode;
import java.util.List;

/**
 * A query as it travels. {@code ttl} is how many more hops it may travel from the peer holding it:
 * the origin's ttl=N reaches peers up to N hops away.
 *
 * @param budgetMillis time left for this peer to answer, measured from when it received the query
 * @param origin URL of the peer that started the search (null when unknown, e.g. a seed peer)
 * @param from URL of the neighbour that sent it here (null for a client's search)
 * @param alsoSentTo the other neighbours the sender forwarded this query to: they get it at the
 *     same distance already, so forwarding it to them again could only make a duplicate
 * @param mode how each peer picks the next neighbours (a seed peer ignores it and floods)
 * @param walkers walkers the origin starts (walk and summary modes)
 * @param wanted results after which a walker that found them stops
 * @param root a BEP 52 Merkle root: the search is for that content under any name, and {@code text}
 *     is ignored; null for a search by name
 */
public record SearchQuery(
    String id,
    String text,
    int ttl,
    int hops,
    int fanout,
    long budgetMillis,
    String origin,
    String from,
    List<String> alsoSentTo,
    Mode mode,
    int walkers,
    int wanted,
    String root) {

  public SearchQuery {
    alsoSentTo = List.copyOf(alsoSentTo);
  }

  /** A search by name. */
  public SearchQuery(
      String id,
      String text,
      int ttl,
      int hops,
      int fanout,
      long budgetMillis,
      String origin,
      String from,
      List<String> alsoSentTo,
      Mode mode,
      int walkers,
      int wanted) {
    this(
        id,
        text,
        ttl,
        hops,
        fanout,
        budgetMillis,
        origin,
        from,
        alsoSentTo,
        mode,
        walkers,
        wanted,
        null);
  }

  /** A flooding query as a client sends it to its peer: not forwarded by anyone yet. */
  public static SearchQuery fromClient(
      String id, String text, int ttl, int fanout, long budgetMillis) {
    return new SearchQuery(
        id, text, ttl, 0, fanout, budgetMillis, null, null, List.of(), Mode.FLOOD, 1, 1);
  }

  /** The copy sent to one neighbour: one hop further, one ttl less, a smaller budget. */
  public SearchQuery forwarded(String self, long childBudgetMillis, List<String> siblings) {
    return new SearchQuery(
        id,
        text,
        ttl - 1,
        hops + 1,
        fanout,
        childBudgetMillis,
        origin == null ? self : origin,
        self,
        siblings,
        mode,
        walkers,
        wanted,
        root);
  }
}
