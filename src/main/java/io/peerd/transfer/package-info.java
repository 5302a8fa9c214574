/**
 * Moving file bytes, whatever the wire: reading a file (or a range of it) as numbered chunks with
 * backpressure ({@link io.peerd.transfer.FileStreamer}); the one upload life cycle that the HTTP
 * and gRPC edges adapt ({@link io.peerd.transfer.Upload}); the download and upload engines that the
 * command line and the daemon share ({@link io.peerd.transfer.FileDownload}, {@link
 * io.peerd.transfer.FileUpload}), behind the network seam {@link io.peerd.transfer.FileTransfers};
 * the swarm engine that fetches one content by its Merkle root from many sources at once, each
 * piece checked before it is written ({@link io.peerd.transfer.Swarm}, plain-HTTP sources behind
 * {@link io.peerd.transfer.WebSeeds}); byte-rate limits ({@link io.peerd.transfer.Bandwidth}) and
 * byte ranges.
 *
 * <p>Must not use {@code rpc} or {@code remote} (they implement its seam) nor gRPC itself, {@code
 * api}, {@code search}, {@code wire}, {@code node}, {@code cli}, {@code sim}.
 */
@io.peerd.MustNotUse({
  "io.peerd.rpc",
  "io.peerd.remote",
  "io.vertx.grpc",
  "io.peerd.api",
  "io.peerd.search",
  "io.peerd.wire",
  "io.peerd.node",
  "io.peerd.cli",
  "io.peerd.sim",
  "io.micrometer"
})
package io.peerd.transfer;
