/**
 * The seed's JSON wire, both directions, in one place ({@link io.peerd.wire.WireJson}): what a peer
 * answers on {@code /files} and {@code /search} and how it reads another peer's (ours or the
 * seed's) answers, plus the {@code {error, detail}} shape. Used by the server side ({@code api})
 * and the client side ({@code remote}) alike, so neither depends on the other.
 *
 * <p>Must not use either of them, nor {@code rpc}, {@code transfer}, {@code node}, {@code cli},
 * {@code sim}; it knows the records of {@code search} it converts.
 */
@io.peerd.MustNotUse({
  "io.peerd.api",
  "io.peerd.remote",
  "io.peerd.rpc",
  "io.peerd.transfer",
  "io.peerd.node",
  "io.peerd.cli",
  "io.peerd.sim",
  "io.micrometer"
})
package io.peerd.wire;
