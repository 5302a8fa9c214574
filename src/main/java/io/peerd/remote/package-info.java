/**
 * Calls to other peers over HTTP: the one implementation of the search and peer-probe seams ({@link
 * io.peerd.remote.HttpPeerClient}), and where a named file can be fetched ({@link
 * io.peerd.remote.Locator}). Every call here has a hard deadline (the request is reset when it
 * passes), a cap on the body it will read, and fails with a {@link
 * io.peerd.search.PeerCallException} whose reason a user can read: refused, timeout, bad_response,
 * error. The JSON it reads is {@code wire}'s.
 *
 * <p>Must not use {@code api} (the server side of the same wire), {@code rpc}, {@code node}, {@code
 * cli}, {@code sim}, nor Micrometer.
 */
@io.peerd.MustNotUse({
  "io.peerd.api",
  "io.peerd.rpc",
  "io.peerd.node",
  "io.peerd.cli",
  "io.peerd.sim",
  "io.micrometer"
})
package io.peerd.remote;
