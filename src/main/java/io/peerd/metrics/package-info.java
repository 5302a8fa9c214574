/**
 * Metrics: the Prometheus registry of a peer, the Vert.x instance that feeds HTTP metrics into it
 * (labelled by route, never by raw path, so label cardinality is bounded), and the peer's own
 * meters (search, peers, transfers, gRPC calls). Other packages keep plain counters or report
 * events through {@link io.peerd.metrics.Metrics}; only this package and the edges ({@code api},
 * {@code rpc}, {@code node}, {@code cli}) know Micrometer.
 *
 * <p>Must not use any other package of peerd: everything may report here.
 */
@io.peerd.MustNotUse({
  "io.peerd.api",
  "io.peerd.cli",
  "io.peerd.config",
  "io.peerd.index",
  "io.peerd.node",
  "io.peerd.peers",
  "io.peerd.remote",
  "io.peerd.routing",
  "io.peerd.rpc",
  "io.peerd.search",
  "io.peerd.sim",
  "io.peerd.transfer",
  "io.peerd.wire"
})
package io.peerd.metrics;
