package io.peerd.downloads;

import io.peerd.config.PeerConfig;
import io.peerd.index.FileEntry;
import io.peerd.index.FileIndex;
import io.peerd.index.Names;
import io.peerd.index.Verified;
import io.peerd.remote.ContentSources;
import io.peerd.search.PeerCallException;
import io.peerd.store.Db;
import io.peerd.transfer.Durable;
import io.peerd.transfer.PartialContent;
import io.peerd.transfer.Swarm;
import io.peerd.transfer.TransferFailure;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The download queue. Lives on the verticle's event loop: every field is touched there only, the
 * database and the disk are reached through futures. A row is written before a call is answered, so
 * a download the API confirmed is in the database; its verified pieces follow at most a second
 * behind (the engine's batched record), and a restart re-fetches at most the pieces that were in
 * flight.
 */
public final class Downloads implements PartialContent {

  /** Rows kept: finished and failed ones make room for new ones, oldest first. */
  public static final int MAX_DOWNLOADS = 1000;

  /** The first wait before a download nobody has is looked for again; it doubles up to the max. */
  static final long FIRST_RETRY_MS = 5_000;

  static final long MAX_RETRY_MS = 5 * 60_000;

  /** Open {@code /downloads/stream} connections at once. */
  public static final int MAX_WATCHERS = 32;

  /** Where partial data waits, inside download_dir: hidden, so never indexed nor served. */
  public static final String PARTS = ".peerd-parts";

  /** How often progress is told: a few times a second per download at most. */
  static final long TICK_MS = 250;

  /** A call's answer: the download, and whether this call created it. */
  public record Added(String id, JsonObject download, boolean created) {}

  /** One download and what it does now. */
  private static final class Entry {
    Download d;
    Swarm.Running running;

    /** Why it is being stopped: "pause", "cancel", "shutdown"; null when it is not. */
    String stopping;

    /** Holds a slot from the lookup until the engine has let go of the part. */
    boolean busy;

    /**
     * Waiting for sources ({@code retries} > 0): not begun again before this, in System.nanoTime.
     * Monotonic: on the wall clock, a step back of 10 minutes while it waited (NTP) postponed the
     * next look by 10 minutes.
     */
    long retryAt;

    int retries;

    String said = "";

    /** When {@code said} was said, in System.nanoTime. */
    long saidAt;

    double rate;
    long rateBytes;
    long rateAt = System.nanoTime();
    boolean dirty;
    List<Swarm.Report> sources = List.of();

    Entry(Download d) {
      this.d = d;
    }
  }

  private final Vertx vertx;
  private final DownloadStore store;
  private final Swarm swarm;
  private final ContentSources lookup;
  private final FileIndex index;
  private final Path sharedDir;
  private final Path dir;
  private final Path parts;
  private final int maxActive;
  private final Map<String, Entry> byId = new LinkedHashMap<>();
  private final Set<Consumer<JsonObject>> watchers = new LinkedHashSet<>();
  private long ticker = -1;
  private String problem;
  private boolean closed;
  private boolean started;

  private Downloads(
      Vertx vertx,
      DownloadStore store,
      Swarm swarm,
      ContentSources lookup,
      FileIndex index,
      Path sharedDir,
      PeerConfig.DownloadSettings settings) {
    this.vertx = vertx;
    this.store = store;
    this.swarm = swarm;
    this.lookup = lookup;
    this.index = index;
    this.sharedDir = sharedDir;
    this.dir = sharedDir.resolve(settings.dir());
    this.parts = dir.resolve(PARTS);
    this.maxActive = settings.maxActive();
  }

  /** The database's schema for the queue. */
  public static List<List<String>> schema() {
    return DownloadStore.SCHEMA;
  }

  /**
   * Reads the queue back and starts what was running when the peer stopped (or crashed).
   * download_dir is made by the first download (a peer that never downloads leaves shared_dir as it
   * is); when it cannot be, that download fails and says why.
   */
  public static Future<Downloads> open(
      Vertx vertx,
      Db db,
      Swarm swarm,
      ContentSources lookup,
      FileIndex index,
      Path sharedDir,
      PeerConfig.DownloadSettings settings) {
    Downloads d =
        new Downloads(vertx, new DownloadStore(db), swarm, lookup, index, sharedDir, settings);
    return d.store
        .all()
        .map(
            rows -> {
              d.restore(rows);
              return d;
            });
  }

  private void restore(List<Download> rows) {
    long now = now();
    for (Download row : rows) {
      Entry e = new Entry(row);
      byId.put(row.id(), e);
      if (row.state().running()) {
        // Interrupted by a stop or a crash: back in line, its verified pieces kept.
        save(e, row.in(State.QUEUED, "the peer restarted; waiting for a free slot", now));
      }
    }
    ticker = vertx.setPeriodic(TICK_MS, t -> tick());
    sweep(java.util.Set.copyOf(byId.keySet()));
  }

  /**
   * Lets downloads run, once the index has had its first scan: a download that a crash caught after
   * its file got its name, before its row said done, then finds the file shared and is done,
   * instead of fetching it again under a numbered name.
   */
  public void start() {
    started = true;
    schedule();
  }

  /**
   * Removes partial data no row owns: a crash between a cancel's row delete and its files' removal
   * leaves some. The row goes first, so a crash never brings a cancelled download back.
   */
  private void sweep(java.util.Set<String> ids) {
    vertx
        .executeBlocking(
            () -> {
              if (!Files.isDirectory(parts)) {
                return null;
              }
              try (var all = Files.list(parts)) {
                for (Path f : all.toList()) {
                  String id = f.getFileName().toString().replaceFirst("\\.part$", "");
                  if (!ids.contains(id)) {
                    Files.deleteIfExists(f);
                  }
                }
              }
              return null;
            },
            false)
        .onFailure(err -> problem = "cannot clean " + parts + ": " + err.getMessage());
  }

  // --- the API's calls ---------------------------------------------------------------------

  /** Asks for a content: the download that has it already, or a new one in the queue. */
  public Future<Added> add(JsonObject body) {
    Ask ask = Ask.parse(body);
    for (Entry e : byId.values()) {
      if (e.d.key().equals(ask.key()) || ask.root() != null && ask.root().equals(e.d.root())) {
        if (e.d.state() == State.FAILED) {
          requeue(e, "asked again; waiting for a free slot");
        }
        return Future.succeededFuture(new Added(e.d.id(), view(e), false));
      }
    }
    if (byId.size() >= MAX_DOWNLOADS && !evictOne()) {
      return Future.failedFuture(
          new Problem(
              Problem.Kind.FULL, "the queue holds " + MAX_DOWNLOADS + " downloads still going"));
    }
    long now = now();
    String id = UUID.randomUUID().toString().replace("-", "").substring(0, 16);
    FileEntry here = sharedHere(ask.root(), ask.sha256(), ask.what());
    Download d =
        here != null
            ? new Download(
                id,
                ask,
                ask.key(),
                leaf(here.name()),
                here.size(),
                here.root(),
                here.checksum(),
                State.DONE,
                "already shared here",
                here.size(),
                now,
                now,
                here.name())
            : new Download(
                id,
                ask,
                ask.key(),
                leaf(ask.shownName()),
                -1,
                ask.root(),
                ask.sha256(),
                State.QUEUED,
                "waiting for a free slot",
                0,
                now,
                now,
                null);
    Entry e = new Entry(d);
    return store
        .insert(d)
        .recover(err -> Future.failedFuture(Problem.diskFull(err, "cannot queue the download")))
        .map(
            v -> {
              byId.put(id, e);
              publish(e);
              schedule();
              return new Added(id, view(e), here == null);
            });
  }

  /** How many downloads are in that state (at most {@link #MAX_DOWNLOADS} to count). */
  public int count(State state) {
    int n = 0;
    for (Entry e : byId.values()) {
      if (e.d.state() == state) {
        n++;
      }
    }
    return n;
  }

  public JsonObject list() {
    JsonArray all = new JsonArray();
    byId.values().forEach(e -> all.add(view(e)));
    return new JsonObject().put("downloads", all).put("problem", problem);
  }

  public JsonObject get(String id) {
    return view(entry(id));
  }

  public Future<JsonObject> pause(String id) {
    Entry e = entry(id);
    switch (e.d.state()) {
      case PAUSED -> {}
      case QUEUED -> save(e, e.d.in(State.PAUSED, "paused by the user", now()));
      case RESOLVING, ACTIVE, VERIFYING -> {
        e.stopping = "pause";
        if (e.running != null) {
          e.running.stop("paused by the user");
        }
        save(e, e.d.in(State.PAUSED, "paused by the user", now()));
      }
      default -> throw conflict(e, "pause");
    }
    return Future.succeededFuture(view(e));
  }

  public Future<JsonObject> resume(String id) {
    Entry e = entry(id);
    switch (e.d.state()) {
      case PAUSED, FAILED -> requeue(e, "waiting for a free slot");
      case QUEUED -> requeue(e, "waiting for a free slot"); // now, not at its next retry
      case RESOLVING, ACTIVE, VERIFYING -> {}
      default -> throw conflict(e, "resume");
    }
    return Future.succeededFuture(view(e));
  }

  /** Cancels: the row and the partial data go; a finished file stays where it is. */
  public Future<JsonObject> cancel(String id) {
    Entry e = entry(id);
    e.stopping = "cancel";
    Future<?> stopped = Future.succeededFuture();
    // Held here: a run stopped before its file is open ends at once, and its end clears e.running.
    Swarm.Running running = e.running;
    if (running != null) {
      running.stop("cancelled by the user");
      stopped = running.result().otherwiseEmpty();
    }
    byId.remove(id);
    return stopped
        .transform(x -> store.delete(id))
        .recover(
            err -> {
              Throwable why = Problem.diskFull(err, "cannot cancel the download");
              if (why instanceof Problem) {
                // Its row is still there, so the download is too (a restart would bring it back):
                // kept, stopped, for a cancel once there is room, rather than gone from the API.
                byId.put(id, e);
                e.stopping = null;
                if (!e.d.state().equals(State.DONE) && !e.d.state().equals(State.FAILED)) {
                  save(e, e.d.in(State.PAUSED, "not cancelled: the disk is full", now()));
                }
              }
              return Future.failedFuture(why);
            })
        .compose(v -> removeParts(id))
        .map(
            v -> {
              watchers.forEach(w -> w.accept(new JsonObject().put("removed", id)));
              schedule();
              return new JsonObject().put("id", id).put("cancelled", true);
            });
  }

  /**
   * Tells {@code watcher} every change from now on (a download's new view, or {@code {removed:
   * id}}), after the views of all downloads as they are.
   *
   * @return call it to stop watching
   */
  public Runnable watch(Consumer<JsonObject> watcher) {
    if (watchers.size() >= MAX_WATCHERS) {
      throw new Problem(
          Problem.Kind.FULL, MAX_WATCHERS + " streams are open already; close one and retry");
    }
    byId.values().forEach(e -> watcher.accept(view(e)));
    watchers.add(watcher);
    return () -> watchers.remove(watcher);
  }

  /** A download of that root running here: its verified pieces may be served to others. */
  @Override
  public Partial find(String root) {
    for (Entry e : byId.values()) {
      if (e.running != null && root.equals(e.d.root())) {
        return e.running.partial(e.d.name());
      }
    }
    return null;
  }

  /** Stops every download, keeping its verified pieces; the queue resumes at the next start. */
  public Future<Void> close() {
    closed = true;
    vertx.cancelTimer(ticker);
    List<Future<?>> stopped = new ArrayList<>();
    for (Entry e : byId.values()) {
      Swarm.Running running = e.running; // cleared by its end, which a stop may bring at once
      if (running != null) {
        e.stopping = "shutdown";
        running.stop("the peer is stopping");
        stopped.add(running.result());
      }
    }
    return Future.join(stopped).<Void>mapEmpty().otherwiseEmpty().timeout(10, TimeUnit.SECONDS);
  }

  // --- running them ------------------------------------------------------------------------

  private void schedule() {
    if (closed || !started) {
      return;
    }
    long busy = byId.values().stream().filter(e -> e.busy).count();
    for (Entry e : new ArrayList<>(byId.values())) {
      if (busy >= maxActive) {
        return;
      }
      if (e.d.state() == State.QUEUED && !e.busy && due(e)) {
        busy++;
        begin(e);
      }
    }
  }

  private void begin(Entry e) {
    e.busy = true;
    e.stopping = null;
    save(e, e.d.in(State.RESOLVING, "looking for sources", now()));
    folders()
        .compose(
            v ->
                lookup
                    .resolve(e.d.ask().what(), e.d.ask().sha256())
                    .timeout(lookup.deadlineMillis() + 1000, TimeUnit.MILLISECONDS))
        .compose(t -> fetch(e, t))
        .onComplete(
            ar -> {
              e.running = null;
              e.busy = false;
              if (byId.get(e.d.id()) != e) {
                schedule(); // cancelled: its row and data are gone
                return;
              }
              if (ar.succeeded()) {
                save(e, e.d.finished(ar.result(), now()));
              } else {
                ended(e, ar.cause());
              }
              schedule();
            });
  }

  /** The engine's run of a looked-up content, then the file in place: its name in shared_dir. */
  private Future<String> fetch(Entry e, ContentSources.Target t) {
    if (e.stopping != null) {
      return Future.failedFuture(new TransferFailure(TransferFailure.Reason.FAILED, "STOPPED", ""));
    }
    if (t.single() != null || t.root() == null) {
      return Future.failedFuture(
          failure(
              "only seed peers have "
                  + t.name()
                  + " (no root to check pieces against); "
                  + "fetch it with peer.jar download"));
    }
    if (e.d.ask().sha256() != null && !e.d.ask().sha256().equals(t.sha256())) {
      return Future.failedFuture(
          failure("the sources found have " + t.name() + " with another SHA-256"));
    }
    save(e, e.d.resolved(leaf(t.name()), t.size(), t.root(), t.sha256(), now()));
    FileEntry here = sharedHere(t.root(), null, null);
    if (here != null) {
      return Future.succeededFuture(here.name());
    }
    List<Swarm.Source> sources = new ArrayList<>(others(t.sources()));
    e.d.ask().sources().forEach(url -> sources.add(ContentSources.peerSource(url)));
    Swarm.Request r =
        new Swarm.Request(
            t.root(), t.size(), t.sha256(), sources, parts.resolve(e.d.id()), resume(e));
    save(e, e.d.in(State.ACTIVE, "", now()));
    e.retryAt = 0;
    e.retries = 0;
    Swarm.Running running =
        swarm.start(r, root -> lookup.find(root).map(this::others), listener(e));
    e.running = running;
    return running
        .result()
        .onComplete(
            ar -> {
              // What each source gave in the end, not at the last tick.
              if (ar.succeeded()) {
                e.sources = ar.result().sources();
              } else if (ar.cause() instanceof Swarm.Failed f) {
                e.sources = f.sources();
              }
              e.d = e.d.progress(running.have());
            })
        .compose(done -> place(e, done))
        .compose(placed -> index.refresh(placed.verified()).map(placed.name()));
  }

  /** Sources but this peer itself: its own download of the content answers its own searches. */
  private List<Swarm.Source> others(List<Swarm.Source> found) {
    return found.stream().filter(s -> !s.url().equals(lookup.peerUrl())).toList();
  }

  private void ended(Entry e, Throwable err) {
    String why = err.getMessage() == null ? err.getClass().getSimpleName() : err.getMessage();
    if (err instanceof TransferFailure f) {
      why = f.detail().isEmpty() ? f.code() : f.detail();
    }
    if (e.stopping != null) {
      // Already said: paused (or queued again since), or left as it was for the next start.
      e.stopping = null;
      publish(e);
      return;
    }
    if (err instanceof TransferFailure f && "LOCAL".equals(f.code())) {
      // Our disk, not the sources: nothing half-written is kept.
      removeParts(e.d.id()).onComplete(x -> store.clearPieces(e.d.id()));
      save(e, e.d.progress(0).in(State.FAILED, why, now()));
    } else if (sourcesMayComeBack(err)) {
      // Nobody has it now, or nobody answers: a user expects it to wait for sources, not to
      // fail. Looked for again later, less and less often; its verified pieces are kept.
      e.retries++;
      long wait = Math.min(MAX_RETRY_MS, FIRST_RETRY_MS << Math.min(e.retries - 1, 10));
      e.retryAt = System.nanoTime() + wait * 1_000_000;
      save(
          e,
          e.d.in(
              State.QUEUED,
              (err instanceof PeerCallException p
                              && ("not_found".equals(p.reason())
                                  || "unreachable".equals(p.reason()))
                          || err instanceof TransferFailure t
                              && t.reason() == TransferFailure.Reason.NOT_FOUND
                      ? "no source found yet"
                      : "no source answers: " + why)
                  + "; looking again in "
                  + wait / 1000
                  + " s",
              now()));
    } else {
      save(e, e.d.in(State.FAILED, why, now()));
    }
  }

  /**
   * No source has it, none answers, or the peers asked are busy or slow: another search later may
   * find one. A lookup that timed out or met a peer shedding load (its own included, under load: it
   * looks up through its own REST API) is no reason to give up; the chaos soak lost downloads to
   * both before.
   */
  private static boolean sourcesMayComeBack(Throwable err) {
    if (err instanceof PeerCallException p) {
      return switch (p.reason()) {
        case "not_found", "unreachable", "busy", "timeout", "refused", "error" -> true;
        default -> false;
      };
    }
    if (err instanceof java.util.concurrent.TimeoutException) {
      return true; // the lookup's own bound (Future.timeout)
    }
    return err instanceof TransferFailure f
        && (f.reason() == TransferFailure.Reason.NOT_FOUND
            || f.reason() == TransferFailure.Reason.UNREACHABLE)
        && !"LOCAL".equals(f.code());
  }

  private Swarm.Listener listener(Entry e) {
    return new Swarm.Listener() {
      @Override
      public void moved(long bytes, int sourcesInUse) {
        e.dirty = true;
      }

      @Override
      public void said(String line) {
        e.said = line;
        e.saidAt = System.nanoTime();
        e.dirty = true;
      }
    };
  }

  /** The engine's record of verified pieces, in the download's row. */
  private Swarm.Resume resume(Entry e) {
    String id = e.d.id();
    return new Swarm.Resume() {
      @Override
      public Future<BitSet> load(String root, long size, int pieceSize) {
        return store
            .pieces(id)
            .map(
                p ->
                    p != null
                            && p.root().equals(root)
                            && p.size() == size
                            && p.pieceSize() == pieceSize
                        ? p.verified()
                        : null);
      }

      @Override
      public Future<Void> save(String root, long size, int pieceSize, BitSet verified) {
        long bytes = e.running == null ? e.d.bytesDone() : e.running.have();
        return store.savePieces(
            id, new DownloadStore.Pieces(root, size, pieceSize, verified), bytes);
      }

      @Override
      public Future<Void> clear() {
        return store.clearPieces(id);
      }
    };
  }

  /** Progress: rates, states, and at most one event per download per tick. */
  private void tick() {
    if (byId.values().stream().anyMatch(e -> e.retries > 0 && due(e) && !e.busy)) {
      schedule();
    }
    long now = System.nanoTime();
    for (Entry e : byId.values()) {
      if (e.running != null) {
        long have = e.running.have();
        double seconds = (now - e.rateAt) / 1e9;
        if (seconds >= 1) {
          double r = Math.max(0, (have - e.rateBytes) / seconds);
          e.rate = e.rate == 0 ? r : 0.5 * e.rate + 0.5 * r;
          e.rateBytes = have;
          e.rateAt = now;
        }
        e.sources = e.running.sources();
        e.d = e.d.progress(have);
        if (e.d.state() == State.ACTIVE && e.d.size() > 0 && have == e.d.size()) {
          save(e, e.d.in(State.VERIFYING, "checking the whole file's SHA-256", now()));
        }
      }
      if (e.dirty) {
        e.dirty = false;
        publish(e);
      }
    }
  }

  // --- the file in place -------------------------------------------------------------------

  /** A finished download in shared_dir: its shared name, and what the index may take of it. */
  private record Placed(String name, Verified verified) {}

  /**
   * Gives the verified file its name in download_dir: a hard link that fails when the name is taken
   * (then the next number is tried), and the staged name removed. Never replaces a file.
   */
  private Future<Placed> place(Entry e, Swarm.Result done) {
    String wanted = e.d.name();
    Path staged = done.file();
    return vertx.executeBlocking(
        () -> {
          Verified checked = Verified.stat(staged, done.sha256(), done.root(), done.layer());
          Path at = null;
          for (int n = 0; n < 1000 && at == null; n++) {
            Path candidate = dir.resolve(numbered(wanted, n));
            try {
              Files.createLink(candidate, staged);
              at = candidate;
            } catch (FileAlreadyExistsException taken) {
              // the next number
            } catch (UnsupportedOperationException | IOException noLinks) {
              if (Files.exists(candidate)) {
                continue;
              }
              Files.move(staged, candidate); // no hard links here: not replacing, checked above
              at = candidate;
            }
          }
          if (at == null) {
            throw new IOException("1000 files named like " + wanted + " in " + dir);
          }
          Files.deleteIfExists(staged);
          Durable.syncFolder(dir);
          Path real = at.toRealPath();
          return new Placed(
              sharedDir.toRealPath().relativize(real).toString().replace('\\', '/'),
              checked.at(real));
        },
        false);
  }

  static String numbered(String name, int n) {
    if (n == 0) {
      return name;
    }
    int dot = name.lastIndexOf('.');
    return dot > 0
        ? name.substring(0, dot) + " (" + n + ")" + name.substring(dot)
        : name + " (" + n + ")";
  }

  /** The last segment of a shared name, made a safe, visible file name. */
  static String leaf(String name) {
    String last = name.substring(name.lastIndexOf('/') + 1);
    if (Names.problem(last) != null || last.equals(".") || last.equals("..")) {
      last = "download";
    }
    return Names.isHidden(last) ? "_" + last.substring(1) : last;
  }

  private Future<Void> folders() {
    return vertx.executeBlocking(
        () -> {
          try {
            Files.createDirectories(parts);
          } catch (IOException e) {
            throw local("cannot make " + parts + ": " + e.getMessage());
          }
          if (!Files.isWritable(parts)) {
            throw local(parts + " is not writable");
          }
          return null;
        },
        false);
  }

  private static TransferFailure local(String why) {
    return new TransferFailure(TransferFailure.Reason.FAILED, "LOCAL", why);
  }

  private Future<Void> removeParts(String id) {
    return vertx.executeBlocking(
        () -> {
          Files.deleteIfExists(parts.resolve(id + ".part"));
          Files.deleteIfExists(parts.resolve(id));
          return null;
        },
        false);
  }

  private FileEntry sharedHere(String root, String sha256, String name) {
    if (root != null) {
      List<FileEntry> have = index.snapshot().withRoot(root);
      return have.isEmpty() ? null : have.get(0);
    }
    if (sha256 != null && name != null) {
      FileEntry f = index.snapshot().get(name);
      return f != null && sha256.equals(f.checksum()) ? f : null;
    }
    return null;
  }

  // --- state -------------------------------------------------------------------------------

  private void requeue(Entry e, String why) {
    e.retryAt = 0;
    e.retries = 0;
    save(e, e.d.in(State.QUEUED, why, now()));
    schedule();
  }

  /** The new facts in memory at once, in the database next, and told to the watchers. */
  private void save(Entry e, Download next) {
    e.d = next;
    store
        .update(next)
        .onSuccess(v -> problem = null)
        .onFailure(err -> problem = "cannot save download " + next.id() + ": " + err.getMessage());
    publish(e);
  }

  /** The database's last failure, until a write succeeds again; null when there is none. */
  public String problem() {
    return problem;
  }

  private void publish(Entry e) {
    if (watchers.isEmpty()) {
      return;
    }
    JsonObject v = view(e);
    new ArrayList<>(watchers).forEach(w -> w.accept(v));
  }

  private boolean evictOne() {
    for (Entry e : byId.values()) {
      if (e.d.state() == State.DONE || e.d.state() == State.FAILED) {
        byId.remove(e.d.id());
        removeParts(e.d.id()).onComplete(x -> store.delete(e.d.id()));
        return true;
      }
    }
    return false;
  }

  private Entry entry(String id) {
    Entry e = id == null ? null : byId.get(id);
    if (e == null) {
      throw new Problem(Problem.Kind.NOT_FOUND, "no download " + id);
    }
    return e;
  }

  private static Problem conflict(Entry e, String what) {
    return new Problem(
        Problem.Kind.CONFLICT, "cannot " + what + " a download that is " + e.d.state().wire());
  }

  private static TransferFailure failure(String why) {
    return new TransferFailure(TransferFailure.Reason.REFUSED, "REFUSED", why);
  }

  /** Whether a download waiting for sources may be looked for again: no wait, or it is over. */
  private static boolean due(Entry e) {
    return e.retries == 0 || System.nanoTime() - e.retryAt >= 0;
  }

  /**
   * The wall clock, for the rows' timestamps only (what a person reads); every wait is measured on
   * System.nanoTime. A field so that a test can step it as NTP would.
   */
  static volatile java.util.function.LongSupplier wallClock = System::currentTimeMillis;

  private static long now() {
    return wallClock.getAsLong();
  }

  /** What the API shows of a download. */
  private JsonObject view(Entry e) {
    Download d = e.d;
    boolean moving = e.running != null && d.state() == State.ACTIVE;
    double rate = moving ? e.rate : 0;
    JsonArray sources = new JsonArray();
    for (Swarm.Report s : e.sources) {
      sources.add(
          new JsonObject()
              .put("url", s.url())
              .put("state", s.state())
              .put("bytes", s.bytes())
              .put("rate", Math.round(s.rate()))
              .put("bad_pieces", s.badPieces())
              .put("banned", s.banned())
              .put("error", s.error())
              .put("wire", s.wire()));
    }
    return new JsonObject()
        .put("id", d.id())
        .put("name", d.name())
        .put("size", d.size())
        .put("root", d.root())
        .put("sha256", d.sha256())
        .put("state", d.state().wire())
        .put("reason", reason(e))
        .put("bytes_done", d.bytesDone())
        .put("rate", Math.round(rate))
        .put(
            "eta_s",
            rate > 0 && d.size() > 0 ? (Long) Math.round((d.size() - d.bytesDone()) / rate) : null)
        .put("created", d.created())
        .put("updated", d.updated())
        .put("file", d.file())
        .put("sources", sources);
  }

  /** Why it is not moving, when it is not: the engine's latest word, or what the sources do. */
  private String reason(Entry e) {
    if (e.d.state() != State.ACTIVE) {
      return e.d.reason();
    }
    if (e.sources.isEmpty()) {
      return "no source found yet";
    }
    if (e.sources.stream().allMatch(s -> s.banned())) {
      return "every source is banned";
    }
    if (e.rate > 0 && System.nanoTime() - e.saidAt > 10_000_000_000L) {
      return "";
    }
    if (!e.said.isEmpty()) {
      return e.said;
    }
    return e.rate > 0 ? "" : "waiting for the sources' first bytes";
  }
}
