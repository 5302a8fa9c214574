package io.peerd.index;

import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.function.Consumer;

/**
 * The JDK {@link WatchService} on every directory of a shared folder (inotify on Linux), drained by
 * one thread of its own, since {@link WatchService#take()} blocks. It only reports names: which
 * ones changed, or that events were lost (an overflow); {@link FileIndex} decides what to rescan.
 *
 * <p>{@link #register} is called by the scans as they meet directories, so a directory created
 * after start is watched by the walk that indexes it, before its files are read.
 */
final class FolderWatch implements AutoCloseable {

  /** What one drain of the queue saw. {@code overflow}: events were lost, rescan everything. */
  record Batch(Set<String> names, boolean overflow) {}

  /** A drain hands over at most this many names at a time; more come in the next batch. */
  static final int MAX_BATCH = 10_000;

  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(FolderWatch.class);

  private final Path realRoot;
  private final WatchService service;
  private final Map<WatchKey, Path> keys = new ConcurrentHashMap<>();
  private final Map<Path, WatchKey> dirs = new ConcurrentHashMap<>();
  private final int maxWatches;
  private final Consumer<Batch> sink;
  private final Thread thread;

  /** Tests hold the drain to make the JDK coalesce a burst into an overflow; null otherwise. */
  private final CountDownLatch hold;

  private volatile String limitProblem;

  private FolderWatch(
      Path realRoot,
      WatchService service,
      int maxWatches,
      Consumer<Batch> sink,
      CountDownLatch hold) {
    this.realRoot = realRoot;
    this.service = service;
    this.maxWatches = maxWatches;
    this.sink = sink;
    this.hold = hold;
    this.thread = new Thread(this::drain, "peer-watch-" + realRoot.getFileName());
    this.thread.setDaemon(true);
  }

  /**
   * Starts watching; nothing is registered yet. Blocking (it opens an inotify instance).
   *
   * @param maxWatches directories watched at most: past it, as when the kernel's own limit ({@code
   *     fs.inotify.max_user_watches}) is reached, {@link #limitProblem()} says why and the index
   *     falls back to periodic scans
   * @param sink called on the watch thread with each batch
   */
  static FolderWatch open(Path realRoot, int maxWatches, Consumer<Batch> sink, CountDownLatch hold)
      throws IOException {
    FolderWatch w =
        new FolderWatch(
            realRoot, FileSystems.getDefault().newWatchService(), maxWatches, sink, hold);
    w.thread.start();
    return w;
  }

  /**
   * Watches one directory (called from the index worker during walks; thread-safe). Registering one
   * already watched is a no-op in the kernel.
   */
  void register(Path dir) {
    if (limitProblem != null) {
      return;
    }
    WatchKey held = dirs.get(dir);
    if (held != null && held.isValid() && dir.equals(keys.get(held))) {
      return; // every scan meets every directory again
    }
    if (held == null && dirs.size() >= maxWatches) {
      limitProblem =
          "watching at most "
              + maxWatches
              + " directories of "
              + realRoot
              + ": new files are found by periodic scans";
      return;
    }
    try {
      WatchKey key =
          dir.register(
              service,
              StandardWatchEventKinds.ENTRY_CREATE,
              StandardWatchEventKinds.ENTRY_DELETE,
              StandardWatchEventKinds.ENTRY_MODIFY);
      Path before = keys.put(key, dir);
      if (before != null && !before.equals(dir)) {
        // The same inode under a new name (a directory renamed): its old name holds nothing now.
        dirs.remove(before, key);
      }
      dirs.put(dir, key);
    } catch (ClosedWatchServiceException closed) {
      // Closing: nothing more to watch.
    } catch (IOException e) {
      String why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
      if (why.contains("limit") || why.contains("space")) {
        // ENOSPC from inotify_add_watch: fs.inotify.max_user_watches is spent.
        limitProblem =
            "the system's inotify watch limit was reached after "
                + dirs.size()
                + " directories of "
                + realRoot
                + " ("
                + why
                + "; raise fs.inotify.max_user_watches): new files are found by periodic scans";
      }
      // Otherwise the directory went away under us: its parent's event rescans it.
    }
  }

  /**
   * A name the watch reported that is no longer there: if it was a watched directory (deleted, or
   * moved out of the share), its watch and those under it are cancelled. Called from the index
   * worker.
   */
  void forgetIfGone(Path path) {
    if (!dirs.containsKey(path) || java.nio.file.Files.isDirectory(path)) {
      return;
    }
    String prefix = path + java.io.File.separator;
    for (Map.Entry<Path, WatchKey> e : dirs.entrySet()) {
      Path dir = e.getKey();
      if (dir.equals(path) || dir.toString().startsWith(prefix)) {
        WatchKey key = e.getValue();
        if (dir.equals(keys.get(key))) {
          key.cancel();
          keys.remove(key);
        }
        dirs.remove(dir, key);
      }
    }
  }

  /** Why not every directory is watched, or null. */
  String limitProblem() {
    return limitProblem;
  }

  int watched() {
    return dirs.size();
  }

  private void drain() {
    try {
      if (hold != null) {
        hold.await();
      }
      while (true) {
        WatchKey key = service.take();
        Set<String> names = new HashSet<>();
        boolean overflow = false;
        while (key != null) {
          Path dir = keys.get(key);
          for (WatchEvent<?> event : key.pollEvents()) {
            if (event.kind() == StandardWatchEventKinds.OVERFLOW) {
              overflow = true;
            } else if (dir != null && event.context() instanceof Path child) {
              String name = Scanner.relativeName(realRoot, dir.resolve(child));
              // Hidden names are temporary files of uploads and downloads: not shared, and
              // written to all the time.
              if (name != null && !Scanner.hiddenSegment(name)) {
                names.add(name);
              }
            }
          }
          if (!key.reset()) {
            // The directory is gone; if it comes back, the walk of its parent registers it again.
            Path gone = keys.remove(key);
            if (gone != null) {
              dirs.remove(gone, key);
            }
          }
          key = names.size() < MAX_BATCH ? service.poll() : null;
        }
        sink.accept(new Batch(names, overflow));
      }
    } catch (ClosedWatchServiceException | InterruptedException closed) {
      // Closed: the index is closing.
    } catch (RuntimeException e) {
      LOG.warn("watch of {} stopped: {}", realRoot, e.toString());
      limitProblem = "the watch of " + realRoot + " stopped: " + e.getMessage();
      sink.accept(new Batch(Set.of(), true));
    }
  }

  @Override
  public void close() {
    try {
      service.close();
    } catch (IOException e) {
      // Nothing to tell: the thread ends either way.
    }
    thread.interrupt();
  }
}
