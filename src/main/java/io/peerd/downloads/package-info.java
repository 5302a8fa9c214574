/**
 * The downloads this peer runs for its users ({@code POST /downloads}): a queue that survives a
 * crash, each download on the shared swarm engine ({@link io.peerd.transfer.Swarm}) with its
 * verified pieces in the database ({@link io.peerd.store.Db}), at most {@code max_active_downloads}
 * at once. Partial data waits in a hidden folder of {@code download_dir}; a finished file gets its
 * final name (numbered when taken) only once every piece and its SHA-256 are checked, and is
 * indexed at once.
 *
 * <p>Must not use the REST or gRPC edges ({@code api}, {@code rpc}, gRPC itself), {@code node},
 * {@code cli}, {@code sim} or {@code routing}: sources are found through the {@code remote} client
 * side, like the command line does (whose failures are {@code search}'s data types).
 */
@io.peerd.MustNotUse({
  "io.peerd.api",
  "io.peerd.rpc",
  "io.vertx.grpc",
  "io.peerd.node",
  "io.peerd.cli",
  "io.peerd.sim",
  "io.peerd.routing",
  "io.micrometer"
})
package io.peerd.downloads;
