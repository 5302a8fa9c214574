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
    Merkle.Layer layer) {

  /** Whether the file on disk still looks like what was hashed (the rehash trigger). */
  boolean sameStat(long otherSize, long otherMtimeMillis, Path otherPath) {
    return size == otherSize && mtimeMillis == otherMtimeMillis && path.equals(otherPath);
  }
}
