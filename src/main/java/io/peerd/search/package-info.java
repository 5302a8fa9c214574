/**
 * Distributed search: query records, the duplicate-suppression cache, and the fan-out itself as
 * composed futures with a deadline per neighbour. Which neighbours get a query is decided by {@link
 * io.peerd.routing.Strategy} (flood, walk, summary); this package runs that decision on the
 * network: walkers' checks with their origin, and the neighbours' name summaries ({@link
 * io.peerd.search.Summaries}). The network is reached only through {@link
 * io.peerd.search.SearchTransport}, so tests can put a fake or hostile peer behind it.
 *
 * <p>Must not use {@code remote} (which implements the seam), {@code api}, {@code rpc}, {@code
 * transfer}, {@code wire} (the JSON is the edges' business), {@code node}, {@code cli}, {@code
 * sim}, nor Micrometer.
 */
@io.peerd.MustNotUse({
  "io.peerd.remote",
  "io.peerd.api",
  "io.peerd.rpc",
  "io.peerd.transfer",
  "io.peerd.wire",
  "io.peerd.node",
  "io.peerd.cli",
  "io.peerd.sim",
  "io.peerd.config",
  "io.peerd.index",
  "io.peerd.metrics",
  "io.micrometer"
})
package io.peerd.search;
