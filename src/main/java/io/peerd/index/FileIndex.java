package io.peerd.index;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The index of one peer. Created and used on the owning verticle's context: {@link #snapshot()} is
 * a field read; scans and updates run one at a time on a one-thread worker, so the event loop never
 * waits on the disk and each job starts from the snapshot the one before it left.
 *
 * <p>Two ways in: a full scan ({@link #rescan()}, {@link #refresh()}; periodic, on demand, and the
 * safety net) and, once {@link #watch} has started, the names the folder watch reports, collected
 * for a short quiet spell and applied as one update. A file modified in the last {@code
 * settleMillis} is left for later: a file still being written is indexed once it settles.
 */
public final class FileIndex implements AutoCloseable {

  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(FileIndex.class);

  /**
   * Outcome of a scan or update, for logs and the rescan endpoint.
   *
   * @param hashedBytes bytes read to hash files that were new or changed
   */
  public record ScanReport(
      IndexSnapshot snapshot, int hashed, int skipped, long hashedBytes, long tookMillis) {}

  /**
   * How the index follows the folder.
   *
   * @param quietMillis names are applied once no event came for this long...
   * @param maxDelayMillis ...or this long after the first of them, under constant change
   * @param settleMillis a file modified less than this long ago is looked at again later
   * @param maxWatches directories watched at most (the kernel's limit may come first)
   * @param fallbackMillis how often the folder is scanned when it cannot all be watched
   */
  public record Watching(
      long quietMillis,
      long maxDelayMillis,
      long settleMillis,
      int maxWatches,
      long fallbackMillis) {
    /**
     * 150 ms of quiet, 400 ms to settle: a new file is searchable about 0.5 s after its last write
     * (the README's figures), well inside the 2 s a user expects; {@code cp} of a large file writes
     * far more often than every 150 ms.
     */
    public static final Watching DEFAULTS = new Watching(150, 1000, 400, 100_000, 10_000);
  }

  /**
   * What the watch has done, for {@code /status}.
   *
   * @param events names the watch reported (a name changed many times within one drain counts once)
   * @param updates updates applied from those names
   * @param overflows times the JDK or the kernel lost events (each made one full scan)
   */
  public record WatchStats(
      boolean watching, int directories, long events, long updates, long overflows) {}

  /** Names waiting to be applied, at most: past it, one full scan does instead. */
  static final int MAX_PENDING = 10_000;

  private final Vertx vertx;
  private final Context context;
  private final Path root;
  private final WorkerExecutor worker;
  private volatile IndexSnapshot snapshot = IndexSnapshot.EMPTY;

  /** The last job queued: every scan and update starts after it. */
  private Future<?> tail = Future.succeededFuture();

  /** A full scan queued and not started: whoever asks for one now joins it. */
  private Future<ScanReport> queuedScan;

  private Future<ScanReport> runningScan;

  /** Where hashes outlive the process; null: in memory only, a restart hashes everything. */
  private HashCache cache;

  /** What the cache held at start, until the first scan has used it. */
  private boolean seeded;

  private String cacheProblem;

  private Watching watching;
  private FolderWatch watch;
  private String watchProblem;

  /** The full scan that lost events asked for failed; cleared by the next scan that succeeds. */
  private String rescanProblem;

  private final Set<String> pending = new LinkedHashSet<>();

  /** Files vouched for ({@link #refresh(Verified)}) that no full scan has settled yet. */
  private final Map<Path, Verified> vouched = new LinkedHashMap<>();

  /** Vouched files waiting at once, at most: the eldest past it is simply hashed. */
  static final int MAX_VOUCHED = 256;

  /** The names of the update queued and not started yet, or null: new names join it. */
  private Set<String> queuedNames;

  private boolean pendingOverflow;
  private long pendingSince;
  private long flushTimer = -1;
  private long fallbackTimer = -1;
  private long events;
  private long updates;
  private long overflows;
  private boolean closed;
  private final List<Consumer<IndexSnapshot>> listeners = new ArrayList<>();

  public FileIndex(Vertx vertx, Path root, String workerName) {
    this.vertx = vertx;
    this.context = vertx.getOrCreateContext();
    this.root = root;
    // One thread: scans are serialised, and hashing a huge file may legitimately take minutes.
    this.worker = vertx.createSharedWorkerExecutor(workerName, 1, 30, TimeUnit.MINUTES);
  }

  /** Keeps hashes in {@code cache} from now on; the next scan starts from what it holds. */
  public void useCache(HashCache cache) {
    this.cache = cache;
    this.seeded = false;
  }

  /** Why the last scan's hashes are not in the cache; null when they are. */
  public String cacheProblem() {
    return cacheProblem;
  }

  /** Why the folder is not watched whole, or null. */
  public String watchProblem() {
    FolderWatch w = watch;
    if (watchProblem != null) {
      return watchProblem;
    }
    String limit = w == null ? null : w.limitProblem();
    return limit != null ? limit : rescanProblem;
  }

  public WatchStats watchStats() {
    FolderWatch w = watch;
    return new WatchStats(
        w != null && w.limitProblem() == null,
        w == null ? 0 : w.watched(),
        events,
        updates,
        overflows);
  }

  public IndexSnapshot snapshot() {
    return snapshot;
  }

  /** Called on this index's context with every new snapshot (a scan or update changed it). */
  public void onChange(Consumer<IndexSnapshot> listener) {
    listeners.add(listener);
  }

  /**
   * Watches the folder from now on; the next scan registers its directories. When the folder cannot
   * be watched at all (no inotify instance left), it says why and scans every {@code
   * fallbackMillis} instead.
   */
  public Future<Void> watch(Watching how) {
    return watch(how, null);
  }

  /** {@link #watch(Watching)}, with the drain held until {@code hold} opens (tests only). */
  Future<Void> watch(Watching how, java.util.concurrent.CountDownLatch hold) {
    this.watching = how;
    return worker
        .executeBlocking(
            () -> FolderWatch.open(root.toRealPath(), how.maxWatches(), this::heard, hold), false)
        .map(
            w -> {
              if (closed) {
                w.close();
              } else {
                watch = w;
              }
              return (Void) null;
            })
        .recover(
            err -> {
              watchProblem =
                  "cannot watch "
                      + root
                      + " ("
                      + err.getMessage()
                      + "): new files are found by periodic scans";
              fallBack();
              return Future.succeededFuture();
            });
  }

  /** Starts a scan, or joins the one already running: on-demand and periodic rescans coalesce. */
  public Future<ScanReport> rescan() {
    if (queuedScan != null) {
      return queuedScan;
    }
    if (runningScan != null) {
      return runningScan;
    }
    return queueScan();
  }

  /**
   * A scan that starts after this call: what a caller just changed on disk is in its result.
   * (Joining a scan already running would not do: it may have walked past the change.)
   */
  public Future<ScanReport> refresh() {
    return queuedScan != null ? queuedScan : queueScan();
  }

  private Future<ScanReport> queueScan() {
    Promise<ScanReport> done = Promise.promise();
    Future<ScanReport> scan = done.future();
    queuedScan = scan;
    tail =
        tail.transform(
            ignored -> {
              queuedScan = null;
              runningScan = scan;
              // The walk sees whatever the watch reported before it started.
              pending.clear();
              pendingOverflow = false;
              return runScan()
                  .onComplete(
                      ar -> {
                        runningScan = null;
                        done.handle(ar);
                      });
            });
    return scan;
  }

  /**
   * A scan's or an update's outcome, with what costs O(files) already done on the worker: the next
   * snapshot (unchanged: the previous one) and the cache rows to write.
   */
  private record Prepared(Scanner.Result result, IndexSnapshot next, HashCache.Changes changes) {}

  /** On the worker. {@code known}: what the cache rows are compared with. */
  private static Prepared prepare(
      IndexSnapshot previous,
      java.util.Map<String, FileEntry> known,
      Scanner.Result result,
      boolean cached) {
    IndexSnapshot next =
        changed(previous, result.entries())
            ? IndexSnapshot.of(
                previous.generation() + 1, result.entries(), System.currentTimeMillis())
            : previous;
    return new Prepared(result, next, cached ? HashCache.diff(known, result.entries()) : null);
  }

  private Future<ScanReport> runScan() {
    IndexSnapshot previous = snapshot;
    List<Verified> taken = List.copyOf(vouched.values());
    long started = System.nanoTime();
    FolderWatch w = watch;
    boolean cached = cache != null;
    return known(previous)
        .compose(
            known ->
                worker.executeBlocking(
                    () ->
                        prepare(
                            previous,
                            known,
                            Scanner.scan(
                                root,
                                withVouched(known, taken),
                                w == null ? dir -> {} : w::register),
                            cached),
                    false))
        .compose(this::saved)
        .map(
            prepared -> {
              rescanProblem = null; // a scan after lost events that failed, now done
              return apply(previous, prepared, started, true);
            })
        // Used, or found stale (the file changed or went): either way this scan settled them.
        .onComplete(x -> taken.forEach(v -> vouched.remove(v.file(), v)));
  }

  /**
   * A scan that starts after this call and takes {@code v} as the entry of its file while the
   * file's stat matches, instead of reading it again: a finished download was already checked piece
   * by piece and whole, and hashing it once more cost 0.9 s a 512 MiB file before it was called
   * done.
   */
  public Future<ScanReport> refresh(Verified v) {
    vouched.remove(v.file());
    vouched.put(v.file(), v);
    if (vouched.size() > MAX_VOUCHED) {
      vouched.remove(vouched.keySet().iterator().next());
    }
    return refresh();
  }

  /** On the worker: {@code known}, with the vouched entries whose files are under the root. */
  private Map<String, FileEntry> withVouched(Map<String, FileEntry> known, List<Verified> taken)
      throws java.io.IOException {
    if (taken.isEmpty()) {
      return known;
    }
    Path realRoot = root.toRealPath();
    Map<String, FileEntry> reuse = new HashMap<>(known);
    for (Verified v : taken) {
      FileEntry e = v.entry(realRoot);
      if (e != null) {
        reuse.put(e.name(), e);
      }
    }
    return reuse;
  }

  /**
   * Applies the names the watch reported since the last update (on a timer, after a quiet spell).
   * Names heard while an update waits for its turn join it: at most one update is queued.
   */
  private void flush() {
    flushTimer = -1;
    if (closed || pending.isEmpty() && !pendingOverflow) {
      return;
    }
    if (pendingOverflow
        || pending.size() + (queuedNames == null ? 0 : queuedNames.size()) >= MAX_PENDING) {
      // Events were lost, or too many to apply one by one: the whole folder, once.
      pendingOverflow = false;
      pending.clear();
      refresh().onFailure(err -> rescanProblem = "the scan after lost events failed: " + err);
      return;
    }
    if (queuedScan != null) {
      pending.clear(); // a scan that has not started yet walks past all of them
      return;
    }
    if (queuedNames != null) {
      queuedNames.addAll(pending);
      pending.clear();
      return;
    }
    Set<String> names = new LinkedHashSet<>(pending);
    pending.clear();
    queuedNames = names;
    tail =
        tail.transform(
            ignored -> {
              if (queuedNames == names) {
                queuedNames = null;
              }
              return runUpdate(List.copyOf(names));
            });
  }

  private Future<ScanReport> runUpdate(List<String> names) {
    IndexSnapshot previous = snapshot;
    List<Verified> taken = List.copyOf(vouched.values());
    long started = System.nanoTime();
    long settleBefore = System.currentTimeMillis() - watching.settleMillis();
    FolderWatch w = watch;
    boolean cached = cache != null;
    return worker
        .executeBlocking(
            () -> {
              Scanner.Result result =
                  Scanner.update(
                      root,
                      previous.byName(),
                      withVouched(previous.byName(), taken),
                      names,
                      settleBefore,
                      w == null ? dir -> {} : w::register);
              if (w != null) {
                // A directory deleted or moved out: its watches go with it (inotify follows the
                // inode, so a moved one would go on reporting, and counting, under the old name).
                for (String name : names) {
                  w.forgetIfGone(root.toRealPath().resolve(name));
                }
              }
              return prepare(previous, previous.byName(), result, cached);
            },
            false)
        .compose(this::saved)
        .map(
            prepared -> {
              updates++;
              ScanReport report = apply(previous, prepared, started, false);
              Scanner.Result result = prepared.result();
              if (!result.unsettled().isEmpty()) {
                // Still being written: looked at again when the newest may have settled.
                long wait =
                    result.lastUnsettled() + watching.settleMillis() - System.currentTimeMillis();
                vertx.setTimer(
                    Math.max(10, Math.min(wait, watching.settleMillis())),
                    t -> pend(result.unsettled()));
              }
              return report;
            })
        .onFailure(
            err -> {
              LOG.warn("index of {}: update failed, rescanning: {}", root, err.toString());
              refresh();
            });
  }

  /** The watch thread's batch, handed to this index's context. */
  private void heard(FolderWatch.Batch batch) {
    context.runOnContext(v -> heardOnContext(batch.names(), batch.overflow()));
  }

  private void heardOnContext(java.util.Collection<String> names, boolean overflow) {
    if (closed) {
      return;
    }
    events += names.size();
    if (overflow) {
      overflows++;
      pendingOverflow = true;
    }
    pend(names);
  }

  /** Names to apply after the next quiet spell: heard from the watch, or unsettled last time. */
  private void pend(java.util.Collection<String> names) {
    if (closed) {
      return;
    }
    for (String name : names) {
      if (pending.size() >= MAX_PENDING) {
        pendingOverflow = true;
        break;
      }
      pending.add(name);
    }
    if (watch != null && watch.limitProblem() != null) {
      fallBack();
    }
    long now = System.currentTimeMillis();
    if (flushTimer == -1) {
      pendingSince = now;
    } else {
      vertx.cancelTimer(flushTimer);
    }
    long wait = Math.min(watching.quietMillis(), pendingSince + watching.maxDelayMillis() - now);
    flushTimer = vertx.setTimer(Math.max(1, wait), t -> flush());
  }

  /** Scans on a timer, because not every directory can be watched. */
  private void fallBack() {
    if (fallbackTimer == -1 && !closed) {
      LOG.warn("index of {}: {}", root, watchProblem());
      fallbackTimer = vertx.setPeriodic(watching.fallbackMillis(), t -> rescan());
    }
  }

  private Future<Prepared> saved(Prepared prepared) {
    if (cache == null || prepared.changes() == null || prepared.changes().isEmpty()) {
      return Future.succeededFuture(prepared);
    }
    return cache
        .save(prepared.changes())
        .transform(
            saved -> {
              // The scan stands; only the next restart pays for it.
              cacheProblem =
                  saved.failed() ? "hashes not saved: " + saved.cause().getMessage() : null;
              return Future.succeededFuture(prepared);
            });
  }

  private ScanReport apply(
      IndexSnapshot previous, Prepared prepared, long started, boolean fullScan) {
    Scanner.Result result = prepared.result();
    IndexSnapshot next = prepared.next();
    snapshot = next;
    if (watch != null && watch.limitProblem() != null) {
      fallBack(); // this walk met more directories than can be watched
    }
    ScanReport report =
        new ScanReport(
            next,
            result.hashed(),
            result.skipped(),
            result.hashedBytes(),
            TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
    if (next != previous) {
      // One line per change of what is shared; a scan that finds nothing new says nothing. A
      // watched update says it at debug: a busy folder changes many times a minute.
      if (fullScan) {
        LOG.info(
            "index of {}: {} files, {} bytes (generation {}; {} hashed, {} skipped, {} ms)",
            root,
            next.size(),
            next.totalBytes(),
            next.generation(),
            report.hashed(),
            report.skipped(),
            report.tookMillis());
      } else {
        LOG.debug(
            "index of {}: {} files after an update (generation {}, {} hashed, {} ms)",
            root,
            next.size(),
            next.generation(),
            report.hashed(),
            report.tookMillis());
      }
      for (Consumer<IndexSnapshot> l : listeners) {
        l.accept(next);
      }
    }
    return report;
  }

  /** The entries a scan may keep unhashed: the last scan's, or at first what the cache holds. */
  private Future<java.util.Map<String, FileEntry>> known(IndexSnapshot previous) {
    if (cache == null || seeded) {
      return Future.succeededFuture(previous.byName());
    }
    return cache
        .load()
        .map(
            rows -> {
              seeded = true;
              return rows;
            })
        .otherwise(
            err -> {
              LOG.warn(
                  "index of {}: hash cache unreadable, hashing everything: {}",
                  root,
                  err.getMessage());
              seeded = true;
              return previous.byName();
            });
  }

  private static boolean changed(IndexSnapshot previous, List<FileEntry> entries) {
    if (previous.generation() == 0 || entries.size() != previous.size()) {
      return true;
    }
    for (FileEntry e : entries) {
      if (previous.get(e.name()) != e) {
        return true;
      }
    }
    return false;
  }

  @Override
  public void close() {
    closed = true;
    if (flushTimer != -1) {
      vertx.cancelTimer(flushTimer);
    }
    if (fallbackTimer != -1) {
      vertx.cancelTimer(fallbackTimer);
    }
    FolderWatch w = watch;
    if (w != null) {
      // Closing a JDK WatchService waits for its poller thread to take the request: not on the
      // loop this is called from (a peer's stop).
      vertx.executeBlocking(
          () -> {
            w.close();
            return null;
          },
          false);
    }
    worker.close();
  }
}
