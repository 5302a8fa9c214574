/**
 * Peers: validated peer URLs, the bounded table of known peers with their health, and the periodic
 * health checker and peer exchange that keep the table honest. Other packages ask this one which
 * peers are healthy and report failures to it; nobody else mutates peer state. The network is
 * reached only through {@link io.peerd.peers.PeerProbe}.
 *
 * <p>Each entry also holds what is known of the peer's identity ({@link io.peerd.peers.Trust}), and
 * the table says how a call must reach it ({@link io.peerd.peers.Link}): over its secure port
 * checking its id, plain, or not at all.
 *
 * <p>Must not use any other package of peerd but the values of {@code identity} (in particular not
 * {@code remote}, which implements its seam), nor Micrometer.
 */
@io.peerd.MustNotUse({
  "io.peerd.api",
  "io.peerd.cli",
  "io.peerd.config",
  "io.peerd.index",
  "io.peerd.metrics",
  "io.peerd.node",
  "io.peerd.remote",
  "io.peerd.routing",
  "io.peerd.rpc",
  "io.peerd.search",
  "io.peerd.sim",
  "io.peerd.transfer",
  "io.peerd.wire",
  "io.micrometer"
})
package io.peerd.peers;
