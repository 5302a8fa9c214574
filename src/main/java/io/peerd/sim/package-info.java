/**
 * The search simulator ({@code peer.jar simulate}): builds networks of up to tens of thousands of
 * peers in memory, places files, and runs queries in discrete-event time through the daemon's own
 * routing code ({@link io.peerd.routing.Strategy}), with no sockets, to compare strategies at sizes
 * a test network cannot reach. Same seed, same numbers. The same experiment on real peers is {@code
 * sim.live}.
 *
 * <p>Must not use anything that runs a peer: only {@code routing}.
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
  "io.peerd.transfer",
  "io.peerd.wire",
  "io.peerd.sim.live",
  "io.vertx",
  "io.micrometer"
})
package io.peerd.sim;
