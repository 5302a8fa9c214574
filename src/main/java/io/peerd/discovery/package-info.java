/**
 * LAN discovery: this peer announces itself on its local network segments (IPv4 broadcast, IPv6
 * link-local multicast) and learns the peers it hears there, as Syncthing's local discovery does.
 * It owns the packet format ({@link io.peerd.discovery.Announcement}), the UDP sockets, the per
 * sender rate limit and the bounded cache of what was heard ({@link
 * io.peerd.discovery.LocalDiscovery}), and the check a heard URL must pass before the peer table
 * takes it ({@link io.peerd.discovery.ProbeVerifier}, behind the {@link
 * io.peerd.discovery.LocalDiscovery.Verifier} seam). The table itself is reached only through
 * {@link io.peerd.discovery.LocalDiscovery.Table}, which the verticle implements.
 *
 * <p>Must not use {@code api}, {@code cli}, {@code sim}, {@code rpc}, {@code node} (which wires
 * this package), {@code remote} (calls go through {@code peers}' probe seam), nor Micrometer.
 */
@io.peerd.MustNotUse({
  "io.peerd.api",
  "io.peerd.cli",
  "io.peerd.sim",
  "io.peerd.rpc",
  "io.peerd.node",
  "io.peerd.remote",
  "io.micrometer"
})
package io.peerd.discovery;
