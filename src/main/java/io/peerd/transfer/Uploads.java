package io.peerd.transfer;

import io.peerd.Monotonic;
import io.peerd.config.PeerConfig.UploadSettings;
import io.peerd.metrics.Metrics;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.buffer.Buffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one upload life cycle of a peer, written once for every wire: the HTTP {@code PUT} and the
 * gRPC {@code Upload} are adapters that feed a {@link Session} what their client sends and answer
 * what its {@link Session#result()} says.
 *
 * <p>A session: refused before any data when it cannot succeed (off, bad name, over quota, taken,
 * no room, or {@link #MAX_ACTIVE} uploads already running, whichever wire they came by); written to
 * a hidden temporary file with backpressure; cut after the idle timeout when the client sends
 * nothing, or when it goes away; verified and linked into place; then the index is refreshed, and
 * the receipt says whether that worked. Whatever ends it, the temporary file goes: a failed delete
 * is logged and counted, and the next start removes what is left.
 *
 * <p>Event-loop confined: one verticle's loop drives every session of its peer.
 */
public final class Uploads {

  private static final Logger LOG = LoggerFactory.getLogger(Uploads.class);

  /** Uploads at once, over both wires: each holds a file, and a worker slot at its ends. */
  public static final int MAX_ACTIVE = 16;

  /**
   * Data kept in memory while the temporary file is being opened; over it, the client is paused.
   */
  static final int PENDING_LIMIT = 4 << 20;

  /** How a session slows its client down: the wire's own flow control. */
  public interface Inlet {
    void pause();

    void resume();
  }

  private final Vertx vertx;
  private final WorkerExecutor worker;
  private final Path sharedRoot;
  private final UploadSettings settings;
  private final long idleMillis;
  private final Supplier<Future<?>> refreshIndex;
  private final Metrics metrics;
  private int active;
  private long cleanupFailures;

  /** Log lines of refused uploads: 60 a minute, the rest counted in the next line. */
  private final RateLimiter logBudget = new RateLimiter(60, 1);

  private long unlogged;

  /**
   * @param refreshIndex a rescan that sees what was just placed
   */
  public Uploads(
      Vertx vertx,
      WorkerExecutor worker,
      Path sharedRoot,
      UploadSettings settings,
      Duration idle,
      Supplier<Future<?>> refreshIndex,
      Metrics metrics) {
    this.vertx = vertx;
    this.worker = worker;
    this.sharedRoot = sharedRoot;
    this.settings = settings;
    this.idleMillis = idle.toMillis();
    this.refreshIndex = refreshIndex;
    this.metrics = metrics;
    metrics.gauge("peer_uploads_active", "Uploads running now, both wires", this, u -> u.active);
    metrics.counter(
        "peer_upload_cleanup_failures_total",
        "Temporary upload files that could not be deleted " + "(the next start removes them)",
        this,
        u -> u.cleanupFailures);
  }

  /** Uploads running now. */
  public int active() {
    return active;
  }

  /**
   * A new upload stream; its idle clock starts now.
   *
   * @param protocol "http" or "grpc", for metrics and logs
   * @param client the remote address, for logs
   */
  public Session open(String protocol, String client, Inlet inlet) {
    return new Session(protocol, client, inlet);
  }

  /** One upload, from its first byte on the wire to its answer. */
  public final class Session {

    private final String protocol;
    private final String client;
    private final Inlet inlet;
    private final Promise<UploadReceipt> result = Promise.promise();
    private final Promise<Void> ready = Promise.promise();
    private final Promise<Void> settled = Promise.promise();
    private Upload.Request request;
    private Upload upload;
    private Buffer pending = Buffer.buffer();
    private boolean slot;

    /** Paused because too much arrived while the file was being opened. */
    private boolean heldForOpen;

    private boolean ended;
    private boolean opening;
    private boolean over;
    private long lastActivity = Monotonic.millis();
    private final long idleTimer;

    private Session(String protocol, String client, Inlet inlet) {
      this.protocol = protocol;
      this.client = client;
      this.inlet = inlet;
      // One periodic check of the last activity, not a timer per message: a message can be a
      // 256 KiB chunk, and a gigabyte is thousands of them.
      idleTimer = vertx.setPeriodic(Math.max(25, Math.min(idleMillis / 4, 1000)), t -> checkIdle());
    }

    /** Completes with the receipt, or fails with an {@link UploadRefused}. */
    public Future<UploadReceipt> result() {
      return result.future();
    }

    /** Completes when the temporary file is open: a client held back until then may send. */
    public Future<Void> ready() {
      return ready.future();
    }

    /**
     * Completes once nothing of the session is left: its answer decided, its slot free, its
     * temporary file placed or deleted (or its deletion failed and was counted).
     */
    public Future<Void> settled() {
      return settled.future();
    }

    public boolean announced() {
      return request != null;
    }

    /**
     * What the client says it will send. Checks that need no disk run now; the rest on a worker.
     */
    public void announce(Upload.Request r) {
      if (over || request != null) {
        return;
      }
      request = r;
      lastActivity = Monotonic.millis();
      try {
        Upload.validate(settings, r);
      } catch (UploadRefused e) {
        fail(e);
        return;
      }
      if (active >= MAX_ACTIVE) {
        fail(
            new UploadRefused(
                UploadRefused.Kind.BUSY, MAX_ACTIVE + " uploads are already running: retry later"));
        return;
      }
      active++;
      slot = true;
      opening = true;
      Upload.begin(vertx, worker, sharedRoot, settings, r)
          .onComplete(
              ar -> {
                opening = false;
                lastActivity = Monotonic.millis();
                if (over) {
                  // Cut or timed out while the file was being prepared: only now is the worker's
                  // job done,
                  // so only now is the slot free and the file (if one was made) deleted.
                  if (ar.succeeded()) {
                    upload = ar.result();
                  }
                  release();
                  discard().onComplete(x -> settled.tryComplete());
                  return;
                }
                if (ar.failed()) {
                  fail(ar.cause());
                  return;
                }
                upload = ar.result();
                Buffer early = pending;
                pending = null;
                ready.tryComplete();
                if (early.length() > 0) {
                  write(early);
                }
                if (over) {
                  return;
                }
                if (ended) {
                  finish();
                } else if (heldForOpen) {
                  heldForOpen = false;
                  // When that first write filled the file's queue, its drain handler resumes the
                  // client.
                  if (!upload.writeQueueFull()) {
                    inlet.resume();
                  }
                }
              });
    }

    /** Bytes of the file, in order. */
    public void data(Buffer data) {
      if (over || data.length() == 0) {
        return;
      }
      lastActivity = Monotonic.millis();
      if (upload == null) {
        pending.appendBuffer(data);
        // Pausing the moment data arrives would also pause a stream that has already ended
        // (which upsets Vert.x's gRPC stream); only a lot of it is held back.
        if (pending.length() > PENDING_LIMIT && !heldForOpen) {
          heldForOpen = true;
          inlet.pause();
        }
        return;
      }
      write(data);
    }

    /** The client has sent everything. */
    public void end() {
      if (over) {
        return;
      }
      if (request == null) {
        fail(new UploadRefused(UploadRefused.Kind.BAD_REQUEST, "empty upload stream"));
      } else if (upload == null) {
        ended = true;
      } else {
        finish();
      }
    }

    /** The client went away, or the connection broke: nothing of the upload may stay. */
    public void cut() {
      if (!over) {
        fail(new UploadRefused(UploadRefused.Kind.CANCELLED, "the client went away"));
      }
    }

    private void write(Buffer data) {
      try {
        upload.write(data);
      } catch (UploadRefused e) {
        fail(e);
        return;
      }
      if (upload.writeQueueFull()) {
        inlet.pause();
        upload.drainHandler(v -> inlet.resume());
      }
    }

    private void finish() {
      over = true;
      vertx.cancelTimer(idleTimer);
      upload
          .finish()
          .onComplete(
              ar -> {
                release();
                if (ar.failed()) {
                  result.tryFail(refusal(ar.cause()));
                  told(ar.cause());
                  settled.tryComplete();
                  return;
                }
                Upload.Result r = ar.result();
                metrics.transferred(protocol, "received", r.size());
                // Answer once the index has it, so a search right after the upload finds the file.
                // The
                // file is safely in place either way; a failed rescan is said, not hidden.
                refreshIndex
                    .get()
                    .onComplete(
                        indexed -> {
                          metrics.upload(protocol, "ok");
                          result.tryComplete(
                              new UploadReceipt(
                                  r.sharedName(), r.size(), r.sha256(), indexed.succeeded()));
                          settled.tryComplete();
                        });
              });
    }

    /**
     * The client sent nothing for the idle timeout. Waiting on our own worker while it opens the
     * file is not the client's idleness: the clock starts again when the file is open.
     */
    private void checkIdle() {
      if (!opening && Monotonic.millis() - lastActivity > idleMillis) {
        fail(
            new UploadRefused(
                UploadRefused.Kind.TIMEOUT,
                (request == null ? "no announcement" : "no data")
                    + " within "
                    + idleMillis
                    + " ms"));
      }
    }

    private void fail(Throwable err) {
      if (over) {
        return;
      }
      over = true;
      vertx.cancelTimer(idleTimer);
      if (!opening) {
        // While the worker prepares the file, its completion frees the slot and settles (above):
        // a client that cuts at once must not free a slot its job still holds.
        release();
        discard().onComplete(x -> settled.tryComplete());
      }
      UploadRefused refusal = refusal(err);
      ready.tryFail(refusal);
      result.tryFail(refusal);
      told(refusal);
    }

    /**
     * Deletes the temporary file, if there is one yet; a delete that fails is said, never dropped.
     */
    private Future<Void> discard() {
      if (upload == null) {
        return Future.succeededFuture();
      }
      return upload
          .abort()
          .onFailure(
              err -> {
                cleanupFailures++;
                LOG.warn(
                    "upload {}: temporary file not removed (the next start removes it): {}",
                    printable(request.name()),
                    err.toString());
              });
    }

    private void release() {
      if (slot) {
        slot = false;
        active--;
      }
    }

    /**
     * One line for the operator per refused upload, within a budget: anyone may send uploads a peer
     * refuses, and that must not become a way to fill its log. The peer's own failures the edge
     * logs with an id.
     */
    private void told(Throwable err) {
      UploadRefused u = refusal(err);
      metrics.upload(protocol, u.kind().name().toLowerCase(Locale.ROOT));
      if (u.kind() == UploadRefused.Kind.IO) {
        return;
      }
      if (logBudget.acquire("refusals", Monotonic.millis()) > 0) {
        unlogged++;
        return;
      }
      LOG.info(
          "upload {} over {} from {} not taken: {}: {}{}",
          request == null ? "(unannounced)" : printable(request.name()),
          protocol,
          client,
          u.kind(),
          printable(u.getMessage()),
          unlogged == 0 ? "" : " (and " + unlogged + " more not logged)");
      unlogged = 0;
    }
  }

  /**
   * A client's text as one short log line: control characters (a forged line break) shown as {@code
   * ?}, at most 200 characters.
   */
  static String printable(String s) {
    String shown = s.length() > 200 ? s.substring(0, 200) + "..." : s;
    return shown.replaceAll("\\p{Cntrl}", "?");
  }

  /** Any failure as the kind the edges know; an unexpected one is the peer's own ({@code IO}). */
  static UploadRefused refusal(Throwable err) {
    return err instanceof UploadRefused u
        ? u
        : new UploadRefused(UploadRefused.Kind.IO, "upload failed: " + err, err);
  }
}
