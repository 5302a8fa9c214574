/**
 * Distributed search: query records, the duplicate-suppression cache, neighbour choice, and the
 * fan-out itself as composed futures with a deadline per neighbour. The network is reached only
 * through {@link io.peerd.search.SearchTransport}, so tests can put a fake or hostile peer behind it.
 */
package io.peerd.search;
