/**
 * Who a peer is: its Ed25519 key and self-signed certificate ({@link io.peerd.identity.Identity},
 * one file in {@code state_dir}), the id derived from that certificate ({@link
 * io.peerd.identity.PeerId}, readable aloud, with check characters), the signed records that bind a
 * peer's URLs to its id ({@link io.peerd.identity.PeerRecord}), and the TLS pieces that present the
 * certificate and read the other side's ({@link io.peerd.identity.Tls}). An id is checked against a
 * certificate, never against a certificate authority.
 *
 * <p>Plain Java and the JDK's own crypto (the certificate's few DER fields are encoded by {@code
 * SelfSigned}): must not use Vert.x nor any other package of peerd, so that every layer may use its
 * values.
 */
@io.peerd.MustNotUse({
  "io.peerd.api",
  "io.peerd.cli",
  "io.peerd.config",
  "io.peerd.downloads",
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
  "io.peerd.wire",
  "io.vertx",
  "io.micrometer"
})
package io.peerd.identity;
