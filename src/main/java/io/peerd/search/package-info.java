/**
 * Distributed search: query records, the duplicate-suppression cache, and the fan-out itself as
 * composed futures with a deadline per neighbour. Which neighbours get a query is decided by
 * {@link io.peerd.routing.Strategy} (flood, walk, summary); this package runs that decision on
 * the network: walkers' checks with their origin, and the neighbours' name summaries
 * ({@link io.peerd.search.Summaries}). The network is reached only through
 * {@link io.peerd.search.SearchTransport}, so tests can put a fake or hostile peer behind it.
 */
package io.peerd.search;
