/**
 * The peer's embedded database ({@code state_dir/peer.db}, SQLite in WAL mode): one file that holds
 * what must survive a crash and is too big or too often changed for a JSON file, the download queue
 * with each download's verified pieces. {@link io.peerd.store.Db} is its only door: every call runs
 * on the database's own single worker thread, in order, never on an event loop, and a schema is
 * created or moved forward at open.
 *
 * <p>Must not use any other package of peerd: the tables' owners ({@code downloads}) bring their
 * SQL here, not the other way round.
 */
@io.peerd.MustNotUse({
  "io.peerd.api",
  "io.peerd.cli",
  "io.peerd.config",
  "io.peerd.downloads",
  "io.peerd.index",
  "io.peerd.node",
  "io.peerd.peers",
  "io.peerd.remote",
  "io.peerd.routing",
  "io.peerd.rpc",
  "io.peerd.search",
  "io.peerd.sim",
  "io.peerd.transfer",
  "io.peerd.wire",
  "io.vertx.grpc",
  "io.micrometer"
})
package io.peerd.store;
