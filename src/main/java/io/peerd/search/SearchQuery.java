package io.peerd.search;

/**
 * A query as it travels. {@code ttl} is how many more hops it may travel from the peer holding
 * it: the origin's ttl=N reaches peers up to N hops away.
 *
 * @param budgetMillis time left for this peer to answer, measured from when it received the query
 * @param origin URL of the peer that started the search (null when unknown, e.g. a seed peer)
 * @param from URL of the neighbour that sent it here (null for a client's search)
 */
public record SearchQuery(String id, String text, int ttl, int hops, int fanout,
    long budgetMillis, String origin, String from) {

  /** The copy sent to a neighbour: one hop further, one ttl less, a smaller budget. */
  public SearchQuery forwarded(String self, long childBudgetMillis) {
    return new SearchQuery(id, text, ttl - 1, hops + 1, fanout, childBudgetMillis,
        origin == null ? self : origin, self);
  }
}
