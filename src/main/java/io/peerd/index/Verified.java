package io.peerd.index;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * A file this peer wrote and checked itself (a finished download: every piece against the root,
 * then the whole SHA-256): what a scan would compute of it, and the stat it is true for. The index
 * takes it instead of reading the file again for as long as the file's stat matches (the rule every
 * cached hash obeys, {@link FileEntry#sameStat}); a file written to since is hashed as any other.
 *
 * @param file where it is now, its real path inside shared_dir
 * @param fileKey device and inode, null where the file system has none
 */
public record Verified(
    Path file,
    long size,
    long mtimeMillis,
    String fileKey,
    String sha256,
    String root,
    Merkle.Layer layer) {

  /**
   * Blocking: {@code file}'s stat now. Taken before the file is linked or renamed into place: that
   * keeps its inode, size and mtime, and any write after this one is a stat that no longer matches.
   */
  public static Verified stat(Path file, String sha256, String root, Merkle.Layer layer)
      throws IOException {
    BasicFileAttributes a =
        Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    return new Verified(
        file,
        a.size(),
        a.lastModifiedTime().toMillis(),
        a.fileKey() == null ? null : a.fileKey().toString(),
        sha256,
        root,
        layer);
  }

  /** The same content and stat, at the real path it was placed at. */
  public Verified at(Path placed) {
    return new Verified(placed, size, mtimeMillis, fileKey, sha256, root, layer);
  }

  /** As the index's entry, named relative to its real root; null when it is not under it. */
  FileEntry entry(Path realRoot) {
    if (!file.startsWith(realRoot)) {
      return null;
    }
    String name = Scanner.relativeName(realRoot, file);
    if (name == null || Names.problem(name) != null || Scanner.hiddenSegment(name)) {
      return null;
    }
    return new FileEntry(
        name,
        file,
        size,
        mtimeMillis,
        sha256,
        Names.extension(name),
        Scanner.category(name),
        root,
        layer,
        fileKey);
  }
}
