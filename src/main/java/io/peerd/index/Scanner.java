package io.peerd.index;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Walks shared_dir and produces the entries of the next snapshot. Blocking by nature (directory
 * walks, hashing): {@link FileIndex} runs it on its own worker, never on an event loop.
 *
 * <p>A file is rehashed only when its (real path, size, mtime) differ from the previous scan, so
 * rescanning a folder with a 1 GiB file costs a stat, not a read.
 */
final class Scanner {

  /** Result of one walk. {@code hashed} counts files whose content was read this time. */
  record Result(List<FileEntry> entries, int hashed, int skipped, long hashedBytes) {}

  /** Deep trees are legal, runaway ones (or a loop we failed to see) are not. */
  static final int MAX_DEPTH = 64;

  /** Bound on the index so a share of millions of files cannot exhaust the heap. */
  static final int MAX_FILES = 200_000;

  private Scanner() {}

  static Result scan(Path root, Map<String, FileEntry> previous) throws IOException {
    Path realRoot = root.toRealPath();
    List<FileEntry> out = new ArrayList<>();
    int[] hashed = {0};
    int[] skipped = {0};
    Files.walkFileTree(
        realRoot,
        java.util.EnumSet.noneOf(java.nio.file.FileVisitOption.class),
        MAX_DEPTH,
        new SimpleFileVisitor<>() {
          @Override
          public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
            if (!dir.equals(realRoot) && Names.isHidden(dir.getFileName().toString())) {
              return FileVisitResult.SKIP_SUBTREE;
            }
            return FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
            if (out.size() >= MAX_FILES) {
              skipped[0]++;
              return FileVisitResult.CONTINUE;
            }
            try {
              FileEntry e = entryFor(realRoot, file, attrs, previous);
              if (e == null) {
                skipped[0]++;
              } else {
                if (e != previous.get(e.name())) {
                  hashed[0]++;
                }
                out.add(e);
              }
            } catch (IOException ex) {
              // Unreadable or vanished mid-scan: not offered this round, the next scan retries.
              skipped[0]++;
            }
            return FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult visitFileFailed(Path file, IOException exc) {
            skipped[0]++;
            return FileVisitResult.CONTINUE;
          }
        });
    long bytes = 0;
    for (FileEntry e : out) {
      if (e != previous.get(e.name())) {
        bytes += e.size();
      }
    }
    return new Result(out, hashed[0], skipped[0], bytes);
  }

  private static FileEntry entryFor(
      Path realRoot, Path file, BasicFileAttributes attrs, Map<String, FileEntry> previous)
      throws IOException {
    String name = relativeName(realRoot, file);
    if (name == null || Names.problem(name) != null) {
      return null;
    }
    for (String segment : name.split("/")) {
      if (Names.isHidden(segment)) {
        return null;
      }
    }
    Path target = file;
    if (attrs.isSymbolicLink()) {
      // A link is served only when what it points to is a regular file inside shared_dir.
      target = file.toRealPath();
      if (!target.startsWith(realRoot)) {
        return null;
      }
      attrs = Files.readAttributes(target, BasicFileAttributes.class);
    }
    if (!attrs.isRegularFile()) {
      return null;
    }
    long size = attrs.size();
    long mtime = attrs.lastModifiedTime().toMillis();
    String key = attrs.fileKey() == null ? null : attrs.fileKey().toString();
    FileEntry old = previous.get(name);
    if (old != null && old.sameStat(size, mtime, target, key)) {
      return old;
    }
    Sha256.Both hashes = Sha256.withTree(target, Merkle.defaultPieceSize(size));
    BasicFileAttributes after =
        Files.readAttributes(target, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    if (after.size() != size || after.lastModifiedTime().toMillis() != mtime) {
      // Written to while we hashed: the checksum describes no real state of the file.
      return null;
    }
    byte[] root = hashes.tree().root();
    return new FileEntry(
        name,
        target,
        size,
        mtime,
        hashes.sha256(),
        Names.extension(name),
        category(name),
        root == null ? null : java.util.HexFormat.of().formatHex(root),
        root == null ? null : hashes.tree().kept(),
        key);
  }

  static String relativeName(Path realRoot, Path file) {
    Path rel = realRoot.relativize(file);
    StringBuilder sb = new StringBuilder();
    for (Path part : rel) {
      if (sb.length() > 0) {
        sb.append('/');
      }
      sb.append(part.toString());
    }
    return sb.length() == 0 ? null : sb.toString();
  }

  /** The seed's coarse categories, kept so seed clients that print "type" keep working. */
  static String category(String name) {
    return switch (Names.extension(name)) {
      case ".txt", ".md", ".log", ".json", ".xml", ".csv" -> "text";
      case ".jpg", ".jpeg", ".png", ".gif", ".bmp", ".svg" -> "image";
      case ".mp4", ".avi", ".mkv", ".mov", ".wmv", ".flv" -> "video";
      case ".mp3", ".wav", ".flac", ".aac", ".ogg" -> "audio";
      case ".pdf", ".doc", ".docx", ".xls", ".xlsx", ".ppt", ".pptx" -> "document";
      case ".py", ".js", ".java", ".cpp", ".c", ".h", ".go", ".rs" -> "code";
      default -> "other";
    };
  }
}
