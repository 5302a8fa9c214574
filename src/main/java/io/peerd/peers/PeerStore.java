package io.peerd.peers;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.file.CopyOptions;
import io.vertx.core.file.FileSystem;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Saves the peer table to {@code <state_dir>/peers.json} and reads it back at start, so a restarted
 * peer finds the network again without its friends. Writes are atomic (a temporary file in the same
 * folder, then a rename), so a crash mid-write leaves the previous table; all I/O goes through the
 * async file system.
 */
public final class PeerStore {

  /** The id a saved peer proved before: it must prove the same one after a restart. */
  private static Trust savedTrust(JsonObject p) {
    return Trust.saved(
        p.getValue("id") instanceof String s ? io.peerd.identity.PeerId.tryParse(s) : null);
  }

  static final int FORMAT = 1;
  static final String FILE = "peers.json";

  /** What a load found: the peers, or why the file was ignored. */
  public record Loaded(List<PeerState> peers, String problem) {}

  private final FileSystem fs;
  private final Path dir;
  private long savedVersion = -1;
  private Future<Void> inFlight = Future.succeededFuture();

  public PeerStore(Vertx vertx, Path dir) {
    this.fs = vertx.fileSystem();
    this.dir = dir;
  }

  public Path file() {
    return dir.resolve(FILE);
  }

  /**
   * A missing file is an empty table; a corrupt one is reported in {@link Loaded#problem()} and
   * ignored.
   */
  public Future<Loaded> load(int maxPeers) {
    String file = file().toString();
    return fs.mkdirs(dir.toString())
        .compose(v -> fs.exists(file))
        .compose(
            exists ->
                exists
                    ? fs.readFile(file).map(buf -> parse(buf, maxPeers))
                    : Future.succeededFuture(new Loaded(List.of(), null)));
  }

  static Loaded parse(Buffer buf, int maxPeers) {
    try {
      JsonObject o = buf.toJsonObject();
      if (o.getInteger("format", -1) != FORMAT || !(o.getValue("peers") instanceof JsonArray arr)) {
        return new Loaded(List.of(), "unknown format");
      }
      List<PeerState> out = new ArrayList<>();
      for (int i = 0; i < arr.size() && out.size() < maxPeers; i++) {
        if (!(arr.getValue(i) instanceof JsonObject p)) {
          continue;
        }
        String url = PeerUrl.tryParse(p.getString("url"));
        if (url == null) {
          continue;
        }
        out.add(
            new PeerState(
                url,
                false,
                p.getLong("last_seen", 0L),
                p.getInteger("failures", 0),
                p.getLong("rtt_ms", -1L),
                0,
                p.getBoolean("pinned", false),
                p.getLong("added", 0L),
                savedTrust(p)));
      }
      return new Loaded(out, null);
    } catch (RuntimeException e) {
      return new Loaded(List.of(), "not valid JSON: " + e.getMessage());
    }
  }

  /**
   * Writes the table if it changed since the last write; one write at a time. Calls made while a
   * write runs share one write queued behind it, which takes the table as it is when it starts:
   * however many calls come, at most two writes are ever waiting, and each call's change is in the
   * write its future stands for.
   */
  public Future<Void> saveIfChanged(PeerTable table) {
    if (table.version() == savedVersion) {
      return inFlight;
    }
    if (queued != null) {
      return queued;
    }
    boolean[] started = {false};
    Future<Void> write =
        inFlight.transform(
            ignored -> {
              started[0] = true;
              queued = null;
              return write(table);
            });
    inFlight = write;
    if (!started[0]) {
      queued = write;
    }
    return write;
  }

  /** A write queued behind the one running, not started yet: later calls join it. */
  private Future<Void> queued;

  private Future<Void> write(PeerTable table) {
    long version = table.version();
    if (version == savedVersion) {
      return Future.succeededFuture();
    }
    Buffer body = encode(table.all()).toBuffer();
    String tmp = dir.resolve(FILE + ".tmp").toString();
    return fs.writeFile(tmp, body)
        .compose(
            v ->
                fs.move(
                    tmp,
                    file().toString(),
                    new CopyOptions().setReplaceExisting(true).setAtomicMove(true)))
        .onSuccess(v -> savedVersion = Math.max(savedVersion, version));
  }

  static JsonObject encode(List<PeerState> peers) {
    JsonArray arr = new JsonArray();
    for (PeerState p : peers) {
      arr.add(
          new JsonObject()
              .put("url", p.url())
              .put("last_seen", p.lastSeenMillis())
              .put("failures", p.failures())
              .put("rtt_ms", p.rttMs())
              .put("pinned", p.pinned())
              .put("added", p.addedMillis())
              .put("id", p.trust().bound() ? p.trust().id().toString() : null));
    }
    return new JsonObject()
        .put("format", FORMAT)
        .put("saved_at", System.currentTimeMillis())
        .put("peers", arr);
  }
}
