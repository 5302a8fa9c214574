/**
 * Configuration: every key declared once ({@link io.peerd.config.Keys}: name, type and rule,
 * default, documentation), read from the seed-compatible JSON file and the {@code PEER_<KEY>}
 * environment variables into one immutable {@link io.peerd.config.PeerConfig}. Nothing outside this
 * package reads raw JSON configuration.
 *
 * <p>Must not use anything that runs a peer ({@code api}, {@code rpc}, {@code remote}, {@code
 * search}, {@code transfer}, {@code node}, {@code cli}, {@code sim}, {@code metrics}, {@code
 * wire}); it borrows only the rules of names ({@code index}), peer URLs ({@code peers}) and routing
 * modes ({@code routing}).
 */
@io.peerd.MustNotUse({
  "io.peerd.api",
  "io.peerd.rpc",
  "io.peerd.remote",
  "io.peerd.search",
  "io.peerd.transfer",
  "io.peerd.node",
  "io.peerd.cli",
  "io.peerd.sim",
  "io.peerd.metrics",
  "io.peerd.wire",
  "io.micrometer"
})
package io.peerd.config;
