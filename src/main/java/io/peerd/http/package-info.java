/**
 * What every edge that answers HTTP shares: when one request's exchange is over ({@link
 * io.peerd.http.Exchange}), for the REST routes and the gRPC streams alike.
 *
 * <p>Must not use any other package of peerd: it sits under both edges ({@code api}, {@code rpc})
 * and the verticle that wires them, so it may depend on Vert.x alone.
 */
@io.peerd.MustNotUse({
  "io.peerd.api",
  "io.peerd.cli",
  "io.peerd.config",
  "io.peerd.discovery",
  "io.peerd.doctor",
  "io.peerd.downloads",
  "io.peerd.identity",
  "io.peerd.index",
  "io.peerd.metrics",
  "io.peerd.node",
  "io.peerd.peers",
  "io.peerd.remote",
  "io.peerd.routing",
  "io.peerd.rpc",
  "io.peerd.search",
  "io.peerd.sim",
  "io.peerd.store",
  "io.peerd.transfer",
  "io.peerd.wire"
})
package io.peerd.http;
