/**
 * Metrics: the Prometheus registry of a peer, the Vert.x instance that feeds HTTP metrics into
 * it (labelled by route, never by raw path, so label cardinality is bounded), and the peer's own
 * meters (search, peers, transfers, gRPC calls). Other packages keep plain counters or report
 * events; only this package and the edges know Micrometer.
 */
package io.peerd.metrics;
