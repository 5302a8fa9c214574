/**
 * The local file index: which files under {@code shared_dir} are offered, with size, mtime and
 * full SHA-256. Scans run on a dedicated worker and rehash only what changed; readers get an
 * immutable {@link io.peerd.index.IndexSnapshot} from memory. Also owns the rules for what a
 * valid shared-file name is ({@link io.peerd.index.Names}), so no request can name a path
 * outside the folder.
 */
package io.peerd.index;
