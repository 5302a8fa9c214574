/**
 * The gRPC edge, both sides: the server binds the seed's {@code p2p.FileTransfer} service (plus
 * gRPC health and reflection, {@link io.peerd.rpc.FileTransferRpc}), the client implements the
 * transfer seam ({@link io.peerd.rpc.TransferClient}). Generated proto messages ({@code
 * io.peerd.rpc.proto}) are converted to and from the project's own types here and only here
 * (including {@link io.peerd.rpc.ChunkWire}, which writes a download's FileChunk bytes without
 * copying the file's); a failure is always a gRPC status, never an OK carrying an error text.
 *
 * <p>Must not use {@code api} (the REST edge is a sibling), {@code remote}, {@code search}, {@code
 * node}, {@code cli}, {@code sim}.
 */
@io.peerd.MustNotUse({
  "io.peerd.api",
  "io.peerd.remote",
  "io.peerd.search",
  "io.peerd.node",
  "io.peerd.cli",
  "io.peerd.sim"
})
package io.peerd.rpc;
