package io.peerd.index;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * Walks shared_dir and produces the entries of the next snapshot. Blocking by nature (directory
 * walks, hashing): {@link FileIndex} runs it on its own worker, never on an event loop.
 *
 * <p>A file is rehashed only when its (real path, size, mtime) differ from the previous scan, so
 * rescanning a folder with a 1 GiB file costs a stat, not a read.
 */
final class Scanner {

  /**
   * Result of one walk. {@code hashed} counts files whose content was read this time; {@code
   * unsettled} names files left out because they were modified too recently (still being written,
   * as far as we can tell): the caller looks at them again later; {@code lastUnsettled} is the
   * newest of their mtimes (epoch ms), or 0.
   */
  record Result(
      List<FileEntry> entries,
      int hashed,
      int skipped,
      long hashedBytes,
      List<String> unsettled,
      long lastUnsettled) {}

  /** Deep trees are legal, runaway ones (or a loop we failed to see) are not. */
  static final int MAX_DEPTH = 64;

  /** Bound on the index so a share of millions of files cannot exhaust the heap. */
  static final int MAX_FILES = 200_000;

  /**
   * Bound on the files a walk leaves for later as unsettled: past it they are indexed as they are.
   */
  static final int MAX_UNSETTLED = 10_000;

  private Scanner() {}

  /** The whole folder; every directory met is passed to {@code onDirectory} (to be watched). */
  static Result scan(Path root, Map<String, FileEntry> previous, Consumer<Path> onDirectory)
      throws IOException {
    Path realRoot = root.toRealPath();
    Walk walk = new Walk(realRoot, previous, Long.MAX_VALUE, onDirectory);
    walk.walk(realRoot, MAX_DEPTH);
    return walk.result(walk.out);
  }

  static Result scan(Path root, Map<String, FileEntry> previous) throws IOException {
    return scan(root, previous, dir -> {});
  }

  /**
   * Only what changed at those names (files or directories, relative to the root, as the watcher
   * saw them), applied to {@code previous}: a name that is gone takes whatever was at it or under
   * it out, a directory is walked whole (closing the race with files created in it before it was
   * watched), a file is rehashed if its stat changed. A file modified after {@code settleBefore}
   * (epoch ms) is left out and reported unsettled. {@code reuse}: the entries a file whose stat
   * matches keeps unhashed ({@code previous}, and what the index was vouched for).
   */
  static Result update(
      Path root,
      Map<String, FileEntry> previous,
      Map<String, FileEntry> reuse,
      Collection<String> names,
      long settleBefore,
      Consumer<Path> onDirectory)
      throws IOException {
    Path realRoot = root.toRealPath();
    TreeMap<String, FileEntry> next = new TreeMap<>(previous);
    Walk walk = new Walk(realRoot, reuse, settleBefore, onDirectory);
    for (String name : names) {
      next.remove(name);
      // Every name under "name/": '0' is the character after '/'.
      next.subMap(name + "/", name + "0").clear();
    }
    for (String name : names) {
      if (Names.problem(name) != null || hiddenSegment(name)) {
        continue;
      }
      Path path = realRoot.resolve(name);
      BasicFileAttributes attrs;
      try {
        attrs = Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
      } catch (IOException gone) {
        continue;
      }
      int depth = name.split("/").length;
      if (attrs.isDirectory()) {
        walk.walk(path, MAX_DEPTH - depth);
      } else if (depth <= MAX_DEPTH) {
        walk.file(path, attrs);
      }
    }
    for (FileEntry e : walk.out) {
      next.put(e.name(), e);
    }
    List<FileEntry> all = new ArrayList<>(next.values());
    if (all.size() > MAX_FILES) {
      all = all.subList(0, MAX_FILES);
    }
    return walk.result(all);
  }

  /** One walk's state: what it found, what it hashed, what it left for later. */
  private static final class Walk {
    final Path realRoot;
    final Map<String, FileEntry> previous;
    final long settleBefore;
    final long futureAfter;
    final Consumer<Path> onDirectory;
    final List<FileEntry> out = new ArrayList<>();
    final List<String> unsettled = new ArrayList<>();
    int hashed;
    int skipped;
    long lastUnsettled;

    Walk(
        Path realRoot,
        Map<String, FileEntry> previous,
        long settleBefore,
        Consumer<Path> onDirectory) {
      this.realRoot = realRoot;
      this.previous = previous;
      this.settleBefore = settleBefore;
      // settleBefore is "now - settle": past "now + settle", an mtime is one from the future.
      this.futureAfter =
          settleBefore == Long.MAX_VALUE
              ? Long.MAX_VALUE
              : 2 * (System.currentTimeMillis()) - settleBefore;
      this.onDirectory = onDirectory;
    }

    void walk(Path start, int maxDepth) throws IOException {
      if (maxDepth < 0) {
        return;
      }
      Files.walkFileTree(
          start,
          java.util.EnumSet.noneOf(java.nio.file.FileVisitOption.class),
          maxDepth,
          new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
              if (!dir.equals(realRoot) && Names.isHidden(dir.getFileName().toString())) {
                return FileVisitResult.SKIP_SUBTREE;
              }
              // Watched before its files are read: whatever changes after this is seen.
              onDirectory.accept(dir);
              return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
              if (attrs.isDirectory()) {
                return FileVisitResult.CONTINUE; // at the depth bound: not walked
              }
              Walk.this.file(file, attrs);
              return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException exc) {
              skipped++;
              return FileVisitResult.CONTINUE;
            }
          });
    }

    void file(Path file, BasicFileAttributes attrs) {
      if (out.size() >= MAX_FILES) {
        skipped++;
        return;
      }
      long mtime = attrs.lastModifiedTime().toMillis();
      // An mtime in the future (a clock ahead, touch -d) says nothing about writing: indexed.
      if (mtime > settleBefore && mtime <= futureAfter && unsettled.size() < MAX_UNSETTLED) {
        String name = relativeName(realRoot, file);
        if (name != null) {
          unsettled.add(name);
          lastUnsettled = Math.max(lastUnsettled, mtime);
          return;
        }
      }
      try {
        FileEntry e = entryFor(realRoot, file, attrs, previous);
        if (e == null) {
          skipped++;
        } else {
          if (e != previous.get(e.name())) {
            hashed++;
          }
          out.add(e);
        }
      } catch (IOException ex) {
        // Unreadable or vanished mid-scan: not offered this round, the next scan retries.
        skipped++;
      }
    }

    Result result(List<FileEntry> entries) {
      long bytes = 0;
      for (FileEntry e : out) {
        if (e != previous.get(e.name())) {
          bytes += e.size();
        }
      }
      return new Result(entries, hashed, skipped, bytes, List.copyOf(unsettled), lastUnsettled);
    }
  }

  static boolean hiddenSegment(String name) {
    for (String segment : name.split("/")) {
      if (Names.isHidden(segment)) {
        return true;
      }
    }
    return false;
  }

  private static FileEntry entryFor(
      Path realRoot, Path file, BasicFileAttributes attrs, Map<String, FileEntry> previous)
      throws IOException {
    String name = relativeName(realRoot, file);
    if (name == null || Names.problem(name) != null) {
      return null;
    }
    if (hiddenSegment(name)) {
      return null;
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
