package io.peerd.index;

import java.nio.file.Path;

/**
 * One shared file as the index knows it.
 *
 * @param name path relative to shared_dir, '/'-separated: the file's identity on the wire
 * @param path the real (symlink-resolved) path inside shared_dir that is opened to serve it
 * @param mtimeMillis last modification, epoch milliseconds
 * @param checksum full SHA-256, lowercase hex
 * @param type the seed's category from the extension: text, image, video, audio, document, code,
 *     other
 * @param root the BEP 52 Merkle root, lowercase hex: the content's identity, whatever its name;
 *     null for an empty file
 * @param layer the tree's layer at {@link Merkle#defaultPieceSize}; wider layers follow from it
 * @param fileKey the file system's identity of the file (device and inode), null where there is
 *     none: a file replaced by another with the same size and mtime is hashed again
 */
public record FileEntry(
    String name,
    Path path,
    long size,
    long mtimeMillis,
    String checksum,
    String extension,
    String type,
    String root,
    Merkle.Layer layer,
    String fileKey) {

  /** Whether the file on disk still looks like what was hashed (the rehash trigger). */
  boolean sameStat(long otherSize, long otherMtimeMillis, Path otherPath, String otherKey) {
    return size == otherSize
        && mtimeMillis == otherMtimeMillis
        && path.equals(otherPath)
        && java.util.Objects.equals(fileKey, otherKey);
  }
}
