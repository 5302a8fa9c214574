package io.peerd.index;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The index of one peer. Created and used on the owning verticle's context: {@link #snapshot()} is
 * a field read, {@link #rescan()} hands the walk to a one-thread worker so that at most one scan
 * runs and the event loop never waits on the disk.
 */
public final class FileIndex implements AutoCloseable {

  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(FileIndex.class);

  /** Outcome of a scan, for logs and the rescan endpoint. */
  /**
   * @param hashedBytes bytes read to hash files that were new or changed
   */
  public record ScanReport(
      IndexSnapshot snapshot, int hashed, int skipped, long hashedBytes, long tookMillis) {}

  private final Path root;
  private final WorkerExecutor worker;
  private volatile IndexSnapshot snapshot = IndexSnapshot.EMPTY;
  private Future<ScanReport> inFlight;

  /** Where hashes outlive the process; null: in memory only, a restart hashes everything. */
  private HashCache cache;

  /** What the cache held at start, until the first scan has used it. */
  private boolean seeded;

  private String cacheProblem;

  public FileIndex(Vertx vertx, Path root, String workerName) {
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

  public IndexSnapshot snapshot() {
    return snapshot;
  }

  /** Starts a scan, or joins the one already running: on-demand and periodic rescans coalesce. */
  public Future<ScanReport> rescan() {
    if (inFlight != null) {
      return inFlight;
    }
    IndexSnapshot previous = snapshot;
    long started = System.nanoTime();
    Promise<ScanReport> done = Promise.promise();
    inFlight = done.future();
    known(previous)
        .compose(
            known ->
                worker
                    .<Scanner.Result>executeBlocking(() -> Scanner.scan(root, known), false)
                    .compose(
                        result ->
                            cache == null
                                ? Future.succeededFuture(result)
                                : cache
                                    .save(known, result.entries())
                                    .transform(
                                        saved -> {
                                          // The scan stands; only the next restart pays for it.
                                          cacheProblem =
                                              saved.failed()
                                                  ? "hashes not saved: "
                                                      + saved.cause().getMessage()
                                                  : null;
                                          return Future.succeededFuture(result);
                                        })))
        .onComplete(
            ar -> {
              inFlight = null;
              if (ar.failed()) {
                done.fail(ar.cause());
                return;
              }
              Scanner.Result result = ar.result();
              IndexSnapshot next =
                  changed(previous, result.entries())
                      ? IndexSnapshot.of(
                          previous.generation() + 1, result.entries(), System.currentTimeMillis())
                      : previous;
              snapshot = next;
              ScanReport report =
                  new ScanReport(
                      next,
                      result.hashed(),
                      result.skipped(),
                      result.hashedBytes(),
                      TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
              if (next != previous) {
                // One line per change of what is shared; a rescan that finds nothing new says
                // nothing.
                LOG.info(
                    "index of {}: {} files, {} bytes (generation {}; {} hashed, {} skipped, {} ms)",
                    root,
                    next.size(),
                    next.totalBytes(),
                    next.generation(),
                    report.hashed(),
                    report.skipped(),
                    report.tookMillis());
              }
              done.complete(report);
            });
    return done.future();
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

  /**
   * A scan that starts after this call: what a caller just changed on disk is in its result.
   * (Joining a scan already running would not do: it may have walked past the change.)
   */
  public Future<ScanReport> refresh() {
    return inFlight == null ? rescan() : inFlight.transform(ignored -> rescan());
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
    worker.close();
  }
}
