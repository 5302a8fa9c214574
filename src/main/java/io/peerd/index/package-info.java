/**
 * The local file index: which files under {@code shared_dir} are offered, with size, mtime and full
 * SHA-256. Scans run on a dedicated worker and rehash only what changed; readers get an immutable
 * {@link io.peerd.index.IndexSnapshot} from memory. The folder is watched ({@code FolderWatch},
 * inotify on Linux) so that what changes in it is applied within about half a second; full scans
 * remain the safety net. Also owns the rules for what a valid shared-file name is ({@link
 * io.peerd.index.Names}), so no request can name a path outside the folder.
 *
 * <p>Must not use any other package of peerd, nor Micrometer: it is the bottom layer that the API,
 * the transfers and the configuration build on.
 */
@io.peerd.MustNotUse({
  "io.peerd.api",
  "io.peerd.cli",
  "io.peerd.config",
  "io.peerd.metrics",
  "io.peerd.node",
  "io.peerd.peers",
  "io.peerd.remote",
  "io.peerd.routing",
  "io.peerd.rpc",
  "io.peerd.search",
  "io.peerd.sim",
  "io.peerd.transfer",
  "io.peerd.wire",
  "io.micrometer"
})
package io.peerd.index;
