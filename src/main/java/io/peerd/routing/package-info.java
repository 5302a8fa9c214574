/**
 * Who gets a query next: the routing strategies ({@link io.peerd.routing.Strategy flood, walk,
 * summary}) and the neighbour summaries they read ({@link io.peerd.routing.NameSummary}).
 *
 * <p>Pure code with no network and no clock, on purpose: the daemon's search and the simulator call
 * the same {@link io.peerd.routing.Strategy#next} on every hop, so what the simulator measures is
 * what the daemon does.
 *
 * <p>Must not use any other package of peerd, nor Vert.x or Micrometer.
 */
@io.peerd.MustNotUse({
  "io.peerd.api",
  "io.peerd.cli",
  "io.peerd.config",
  "io.peerd.index",
  "io.peerd.metrics",
  "io.peerd.node",
  "io.peerd.peers",
  "io.peerd.remote",
  "io.peerd.rpc",
  "io.peerd.search",
  "io.peerd.sim",
  "io.peerd.transfer",
  "io.peerd.wire",
  "io.vertx",
  "io.micrometer"
})
package io.peerd.routing;
