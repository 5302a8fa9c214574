package io.peerd.transfer;

import io.netty.buffer.Unpooled;
import io.peerd.Monotonic;
import io.peerd.index.Merkle;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.file.AsyncFile;
import io.vertx.core.file.OpenOptions;
import io.vertx.core.internal.buffer.BufferInternal;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.SocketAddress;
import io.vertx.core.streams.WriteStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.BitSet;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The swarm download engine: one content, by its Merkle root, from many sources at once, every
 * piece checked against the root before it touches the disk.
 *
 * <ol>
 *   <li>A piece layer is taken from a peer source and checked to hash up to the root; a source
 *       whose layer does not is dropped.
 *   <li>Pieces are asked of several sources at once (bounded: sources in use, requests per source,
 *       bytes in flight), the fastest sources first and with more requests; each piece is gathered
 *       in memory, checked against the layer, then written at its offset in {@code NAME.part}.
 *   <li>A source that sends a bad piece is banned for this download; one that sends nothing for the
 *       stall timeout, or fails, loses its piece to the others and is retried with backoff. At the
 *       end the last pieces may be asked of two sources, the first answer wins.
 *   <li>New sources are looked for while it runs. Verified pieces are recorded beside the part
 *       ({@code NAME.part.pieces}, written atomically), so a run after an interruption fetches only
 *       what is missing. Once every piece is in, the whole file's SHA-256 is checked when it is
 *       known, and the part is renamed into place.
 * </ol>
 *
 * <p>Event-loop confined; the disk's blocking work (hashing, renames) runs through {@code
 * executeBlocking}.
 */
public final class Swarm {

  /**
   * A place to fetch bytes from.
   *
   * @param url a peer's base URL, or for a web seed the file's own URL
   * @param grpc where the peer serves gRPC; null for a web seed (plain HTTP ranges)
   */
  public record Source(String url, SocketAddress grpc, boolean partial) {
    public Source(String url, SocketAddress grpc) {
      this(url, grpc, false);
    }

    public boolean webSeed() {
      return grpc == null;
    }
  }

  /**
   * What to download.
   *
   * @param sha256 the whole file's SHA-256 when a source advertised it (checked at the end), else
   *     null
   * @param out where the file goes; its part is {@code out + ".part"}
   */
  public record Request(
      String root, long size, String sha256, List<Source> sources, Path out, Resume resume) {
    public Request {
      sources = List.copyOf(sources);
    }

    /** Verified pieces recorded beside the part ({@link Resume#beside}). */
    public Request(String root, long size, String sha256, List<Source> sources, Path out) {
      this(root, size, sha256, sources, out, null);
    }
  }

  /**
   * Where a download keeps the list of pieces it has verified, so that a later run (after a crash)
   * fetches only the others. What it returns is a claim only: every recorded piece is hashed again
   * in the part before it counts. Called on the download's context; no call waits on the disk.
   */
  public interface Resume {
    /** The pieces saved for this content at this piece size; null when there is no such record. */
    Future<BitSet> load(String root, long size, int pieceSize);

    /** Replaces the record, atomically: a crash leaves the old one or the new one. */
    Future<Void> save(String root, long size, int pieceSize, BitSet verified);

    Future<Void> clear();

    /** A JSON file beside the part, {@code out + ".part.pieces"}: the command line's way. */
    static Resume beside(Vertx vertx, Path out) {
      Path record = out.resolveSibling(out.getFileName() + ".part.pieces");
      return new Resume() {
        @Override
        public Future<BitSet> load(String root, long size, int pieceSize) {
          return vertx.executeBlocking(
              () -> {
                if (!Files.exists(record)) {
                  return null;
                }
                try {
                  JsonObject saved = new JsonObject(Files.readString(record));
                  if (root.equals(saved.getString("root"))
                      && saved.getLong("size") == size
                      && saved.getInteger("piece_size") == pieceSize) {
                    return BitSet.valueOf(Base64.getDecoder().decode(saved.getString("verified")));
                  }
                } catch (RuntimeException unreadable) {
                  // A record that is not ours, or half written by hand: no proof of anything.
                }
                return null;
              },
              false);
        }

        @Override
        public Future<Void> save(String root, long size, int pieceSize, BitSet verified) {
          String json =
              new JsonObject()
                  .put("root", root)
                  .put("size", size)
                  .put("piece_size", pieceSize)
                  .put("verified", Base64.getEncoder().encodeToString(verified.toByteArray()))
                  .encode();
          return vertx.executeBlocking(
              () -> {
                Path tmp = record.resolveSibling(record.getFileName() + ".tmp");
                Files.writeString(tmp, json);
                Files.move(
                    tmp,
                    record,
                    StandardCopyOption.ATOMIC_MOVE,
                    StandardCopyOption.REPLACE_EXISTING);
                return null;
              },
              false);
        }

        @Override
        public Future<Void> clear() {
          return vertx.executeBlocking(
              () -> {
                Files.deleteIfExists(record);
                return null;
              },
              false);
        }
      };
    }
  }

  /**
   * A download under way, for whoever started it: what each source does now, and a way to stop it.
   * Touch it only on the context that started it.
   */
  public interface Running {
    Future<Result> result();

    /** What each source gave so far, and how it stands. */
    List<Report> sources();

    /** Verified bytes so far, this run's and an earlier run's. */
    long have();

    /** What others may be served of it now; null until its layer is known. */
    PartialContent.Partial partial(String name);

    /**
     * Stops it: requests are cut, the record of verified pieces saved and the part kept, and {@link
     * #result()} fails with {@code STOPPED} and the reason given.
     */
    void stop(String why);
  }

  /**
   * Limits and timings of a download.
   *
   * @param sourcesInUse sources asked at once
   * @param perSource requests in flight to one (fast) source
   * @param bytesInFlight piece bytes held in memory at once, over all sources
   * @param stallMillis a source that sends nothing for this long loses its piece
   * @param maxBackoffMillis the longest wait before a failing source is tried again
   * @param researchMillis how often new sources are looked for
   * @param giveUpMillis fail when no byte has arrived from any source for this long (0: never)
   */
  public record Options(
      int sourcesInUse,
      int perSource,
      long bytesInFlight,
      long stallMillis,
      long maxBackoffMillis,
      long researchMillis,
      long giveUpMillis) {

    public static Options defaults() {
      return defaults(Runtime.getRuntime().maxMemory());
    }

    /**
     * With piece bytes in memory at most an eighth of the heap, from 4 to 32 MiB: the pieces of a
     * fast download outlive several young collections, so what is in flight is old-generation data.
     * At 32 MiB, a daemon at -Xmx64m held 39-48 MiB live during a 1 GiB download from three
     * loopback sources (JFR, after each full collection) and collected its old generation 314-430
     * times in four rounds; the container's 48 MiB heap could not have held it at all.
     */
    public static Options defaults(long maxHeapBytes) {
      long inFlight = Math.max(4L << 20, Math.min(32L << 20, maxHeapBytes / 8));
      return new Options(8, 4, inFlight, 5_000, 30_000, 10_000, 120_000);
    }
  }

  /** New sources of a root, asked again and again while a download runs. */
  public interface Finder {
    Finder NONE = root -> Future.succeededFuture(List.of());

    Future<List<Source>> find(String root);
  }

  /**
   * Told how the download goes, on the event loop: progress, and each stall or ban as it happens.
   */
  public interface Listener {
    default void started(long have, long size) {}

    default void moved(long bytes, int sourcesInUse) {}

    /** One line a person should read now: a source stalled, failed or banned. */
    default void said(String line) {}
  }

  /**
   * What one source gave, and how it stands.
   *
   * @param state {@code active} (fetching), {@code idle}, {@code failing} (waiting out a backoff
   *     after an error), {@code busy} (it refused for load: left alone as long as it asked), {@code
   *     dropped} (no use for this content) or {@code banned}
   * @param rate bytes per second it delivered lately
   */
  public record Report(
      String url,
      long bytes,
      int pieces,
      int badPieces,
      boolean banned,
      String error,
      String state,
      double rate,
      String wire) {}

  /**
   * A finished download.
   *
   * @param layer its piece layer, proved against the root: what the index would compute of the file
   * @param fetched bytes of verified pieces this run fetched
   * @param resumedFrom bytes of pieces already verified by an earlier run
   */
  public record Result(
      Path file,
      long size,
      String sha256,
      String root,
      Merkle.Layer layer,
      long fetched,
      long resumedFrom,
      List<Report> sources) {

    public int pieceSize() {
      return layer.pieceSize();
    }
  }

  /** The bytes one request asks for at most: a run of pieces when they are small. */
  static final long RUN_BYTES = 1 << 20;

  /** How often a partial source is asked which pieces it has verified since. */
  static final long HAVE_EVERY_MS = 500;

  private final Vertx vertx;
  private final FileTransfers peers;
  private final WebSeeds webSeeds;
  private final Bandwidth bandwidth;
  private final Options options;

  public Swarm(
      Vertx vertx, FileTransfers peers, WebSeeds webSeeds, Bandwidth bandwidth, Options options) {
    this.vertx = vertx;
    this.peers = peers;
    this.webSeeds = webSeeds;
    this.bandwidth = bandwidth;
    this.options = options;
  }

  public Future<Result> run(Request r, Finder finder, Listener listener) {
    if (r.size() <= 0) {
      return Future.failedFuture(empty());
    }
    // Confined to one context, whoever calls: off an event loop (a test's thread, the CLI's main)
    // every timer and callback would otherwise land on an event loop of its own.
    Context ctx = vertx.getOrCreateContext();
    Promise<Result> result = Promise.promise();
    ctx.runOnContext(v -> new Run(r, finder, listener).start().onComplete(result));
    return result.future();
  }

  /** Starts a download on the caller's context (an event loop: the daemon's). */
  public Running start(Request r, Finder finder, Listener listener) {
    Run run = new Run(r, finder, listener);
    if (r.size() <= 0) {
      run.done.fail(empty());
    } else {
      run.start();
    }
    return run;
  }

  private static TransferFailure empty() {
    return new TransferFailure(
        TransferFailure.Reason.REFUSED, "EMPTY", "an empty file has no root to fetch by");
  }

  /**
   * How a source's bytes come. A peer's {@code /content/{root}} over plain HTTP is sent with
   * sendfile and costs both ends about half the CPU per byte of gRPC, whose every chunk is a framed
   * message (bench/swarm.sh: 512 MiB from one peer in 4 s instead of 7). So a peer is asked over
   * HTTP first, and over gRPC from then on when its HTTP door gives nothing: a seed-era or stand-in
   * peer with no {@code /content}, a proxy in the way.
   */
  enum Wire {
    /** A peer not asked yet: HTTP, pending its first answer. */
    HTTP_FIRST,
    HTTP,
    GRPC,
    /** A web seed: its own URL, plain HTTP ranges. */
    WEB
  }

  /** One source's standing in one download. */
  private static final class Peer {
    final Source source;
    Wire wire;
    double rate; // bytes per second over wall time, smoothed
    long windowStart = System.nanoTime();
    long windowBytes;
    long bytes;
    int pieces;
    int bad;
    boolean banned;
    boolean dropped;
    String error;
    int failures;
    long retryAt;

    /** Its last refusal was for load: {@link #retryAt} is the wait it asked for, not a backoff. */
    boolean busy;

    /** Busy spells in a row with no verified piece between: each holds twice as long. */
    int busySpells;

    /** Its requests in flight. */
    final Set<Ask> asks = new LinkedHashSet<>();

    /** The pieces a partial source has verified, as it last said; null for a whole source. */
    BitSet has;

    boolean hasPiece(int piece) {
      return has == null || has.get(piece);
    }

    Peer(Source source) {
      this.source = source;
      this.has = source.partial() ? new BitSet() : null;
      this.wire =
          source.webSeed()
              ? Wire.WEB
              : source.url() != null && source.url().matches("(?i)^https?://.*")
                  ? Wire.HTTP_FIRST
                  : Wire.GRPC;
    }

    boolean usable(long now) {
      return !banned && !dropped && now >= retryAt;
    }

    int inFlight() {
      return asks.size();
    }

    /**
     * @param over the download has ended: nothing is in flight any more, whatever is still being
     *     cut
     */
    Report report(boolean over) {
      String state =
          banned
              ? "banned"
              : dropped
                  ? "dropped"
                  : !over && !asks.isEmpty()
                      ? "active"
                      : Monotonic.millis() < retryAt ? (busy ? "busy" : "failing") : "idle";
      return new Report(
          source.url(), bytes, pieces, bad, banned, error, state, rate, wire.name().toLowerCase());
    }
  }

  /**
   * One request: a run of consecutive pieces from one source, in one stream. Each piece is checked
   * as soon as its last byte arrives; a request cut half-way keeps the pieces it delivered.
   */
  private static final class Ask {
    final Peer peer;
    final int first;
    final int count;

    /** The first piece not yet delivered. */
    int next;

    final Promise<Void> stop = Promise.promise();

    /** Cut by the download itself (the pieces came from elsewhere, a ban, the end): no failure. */
    boolean cut;

    boolean stalled;

    /** Waiting on our own download limit: no stall of the source's. */
    boolean held;

    /** Over, its undelivered pieces released. */
    boolean finished;

    long lastActivity = Monotonic.millis();
    long pieceStarted = System.nanoTime();

    Ask(Peer peer, int first, int count) {
      this.peer = peer;
      this.first = first;
      this.count = count;
      this.next = first;
    }

    boolean covers(int piece) {
      return piece >= next && piece < first + count;
    }

    void cutNow() {
      cut = true;
      stop.tryComplete();
    }
  }

  /** One download's state: touched only on the event loop. */
  final class Run implements Running {
    final Request r;
    final Finder finder;
    final Listener listener;
    final Promise<Result> done = Promise.promise();
    final Map<String, Peer> known = new LinkedHashMap<>();
    final Path part;
    final Resume resume;
    Merkle.Layer layer;
    int pieces;
    BitSet have = new BitSet();

    /**
     * How many requests cover each piece undelivered, plus one while it is checked and written: 0,
     * 1, or 2 near the end.
     */
    int[] asked;

    AsyncFile file;
    WholeDigest digest;
    PieceBuffers buffers;
    Future<Void> recordWrite = Future.succeededFuture();
    long inFlightBytes;
    long fetched;
    long resumedFrom;
    long lastPiece = Monotonic.millis();
    boolean recordDirty;
    boolean writingRecord;
    final List<Long> timers = new ArrayList<>();

    Run(Request r, Finder finder, Listener listener) {
      this.r = r;
      this.finder = finder;
      this.listener = listener;
      this.part = r.out().resolveSibling(r.out().getFileName() + ".part");
      this.resume = r.resume() != null ? r.resume() : Resume.beside(vertx, r.out());
      r.sources().forEach(this::add);
    }

    @Override
    public Future<Result> result() {
      return done.future();
    }

    @Override
    public List<Report> sources() {
      return reports();
    }

    @Override
    public long have() {
      return layer == null ? 0 : bytesOf(have);
    }

    @Override
    public PartialContent.Partial partial(String name) {
      if (layer == null || file == null || done.future().isComplete()) {
        return null;
      }
      return new PartialContent.Partial(
          r.root(), name, r.size(), r.sha256(), part, layer, (BitSet) have.clone());
    }

    @Override
    public void stop(String why) {
      fail(new TransferFailure(TransferFailure.Reason.FAILED, "STOPPED", why));
    }

    void add(Source s) {
      if (known.size() < 64) {
        known.putIfAbsent(s.url(), new Peer(s));
      }
    }

    Future<Result> start() {
      // The sources a search finds now may be the only ones that can give the layer.
      finder
          .find(r.root())
          .otherwise(List.of())
          .compose(
              found -> {
                found.forEach(this::add);
                return layerFrom(
                    known.values().stream().filter(p -> !p.source.webSeed()).toList(), 0);
              })
          .compose(this::openPart)
          .onSuccess(v -> running())
          .onFailure(this::fail);
      return done.future();
    }

    /** The first layer that proves the root; a source whose layer does not is dropped. */
    Future<Merkle.Layer> layerFrom(List<Peer> candidates, int i) {
      if (i >= candidates.size()) {
        return Future.failedFuture(
            new TransferFailure(
                TransferFailure.Reason.NOT_FOUND,
                "NOT_FOUND",
                "no source has root "
                    + r.root()
                    + (candidates.isEmpty() ? " (no peer source to ask)" : "")));
      }
      Peer p = candidates.get(i);
      int pieceSize = Merkle.defaultPieceSize(r.size());
      // Over the wire its bytes will come by: HTTP for a peer (an https one can only be asked
      // so, with the trust and token of the network), gRPC when its HTTP door has none.
      Future<FileTransfers.Layer> asked =
          p.wire == Wire.GRPC
              ? peers.pieces(p.source.grpc(), r.root(), pieceSize)
              : webSeeds
                  .pieces(p.source.url(), r.root(), pieceSize)
                  .recover(
                      err ->
                          refusedIdentity(err)
                              ? Future.failedFuture(err)
                              : peers.pieces(p.source.grpc(), r.root(), pieceSize));
      return asked
          // A source that does not answer is no reason to wait: the next one may.
          .timeout(
              Math.max(options.stallMillis(), 2000), java.util.concurrent.TimeUnit.MILLISECONDS)
          .compose(
              answer -> {
                if (answer.size() != r.size() || answer.layer().pieceSize() != pieceSize) {
                  return Future.failedFuture(
                      new TransferFailure(
                          TransferFailure.Reason.CORRUPT,
                          "DATA_LOSS",
                          "a layer of another size or piece size"));
                }
                byte[] proved = Merkle.rootOf(answer.layer(), r.size());
                if (!HexFormat.of().formatHex(proved).equals(r.root())) {
                  return Future.failedFuture(
                      new TransferFailure(
                          TransferFailure.Reason.CORRUPT,
                          "DATA_LOSS",
                          "a piece layer that does not prove the root"));
                }
                return Future.succeededFuture(answer.layer());
              })
          .recover(
              err -> {
                p.dropped = true;
                p.error = message(err);
                listener.said("source " + p.source.url() + " dropped: " + p.error);
                return layerFrom(candidates, i + 1);
              });
    }

    /** Opens the part, and takes from the record the pieces an earlier run verified. */
    Future<Void> openPart(Merkle.Layer verified) {
      layer = verified;
      pieces = layer.pieces();
      asked = new int[pieces];
      return earlier()
          .compose(
              earlier -> {
                have = earlier;
                resumedFrom = bytesOf(have);
                return vertx
                    .fileSystem()
                    .open(
                        part.toString(),
                        new OpenOptions().setRead(true).setWrite(true).setCreate(true));
              })
          .map(
              f -> {
                file = f;
                // As many free arrays as the bytes a download may hold: steady use cycles through
                // them.
                buffers =
                    new PieceBuffers(
                        layer.pieceSize(),
                        (int) Math.min(4096, options.bytesInFlight() / layer.pieceSize()) + 1);
                // Held by the digest, beside what is in flight: half as much again, at most.
                digest =
                    new WholeDigest(
                        vertx,
                        part,
                        layer.pieceSize(),
                        r.size(),
                        buffers,
                        options.bytesInFlight() / 2);
                return null;
              });
    }

    /** The pieces the record says are verified, when it is this content's; else none. */
    Future<BitSet> earlier() {
      return resume
          .load(r.root(), r.size(), layer.pieceSize())
          .compose(
              recorded ->
                  vertx.executeBlocking(
                      () -> {
                        if (recorded != null && Files.exists(part)) {
                          return stillThere(recorded);
                        }
                        // No record of this content: the part is no proof of anything.
                        Files.deleteIfExists(part);
                        return null;
                      },
                      false))
          .compose(
              good ->
                  good != null
                      ? Future.succeededFuture(good)
                      : resume.clear().map(v -> new BitSet()));
    }

    /**
     * The recorded pieces whose bytes in the part still hash right. The record is written without
     * waiting for the part's bytes to reach the disk (an fsync a second would hold a download to
     * the disk's pace, and on ext4 to the journal's): after a power cut a recorded piece may be
     * holes, and is fetched again. After a crash of the process alone nothing is lost.
     */
    BitSet stillThere(BitSet recorded) throws java.io.IOException {
      BitSet good = new BitSet();
      try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(part)) {
        ByteBuffer buf = ByteBuffer.allocate(layer.pieceSize());
        for (int i = recorded.nextSetBit(0); i >= 0 && i < pieces; i = recorded.nextSetBit(i + 1)) {
          buf.clear().limit((int) pieceLength(i));
          long at = (long) i * layer.pieceSize();
          while (buf.hasRemaining() && ch.read(buf, at + buf.position()) > 0) {
            // reads until the piece is whole or the part ends
          }
          buf.flip();
          if (buf.remaining() == pieceLength(i)
              && Arrays.equals(layer.hash(i), Merkle.pieceHash(buf, layer.pieceSize(), r.size()))) {
            good.set(i);
          }
        }
      }
      return good;
    }

    long pieceLength(int piece) {
      return Math.min(layer.pieceSize(), r.size() - (long) piece * layer.pieceSize());
    }

    long bytesOf(BitSet set) {
      long n = 0;
      for (int i = set.nextSetBit(0); i >= 0; i = set.nextSetBit(i + 1)) {
        n += pieceLength(i);
      }
      return n;
    }

    /**
     * Where this run starts picking pieces: a random one, so that downloads of the same content
     * running at once fetch different pieces first and have something to give each other.
     */
    int start;

    void running() {
      if (done.future().isComplete()) {
        file.close(); // stopped while it opened the part
        digest.close();
        return;
      }
      listener.started(resumedFrom, r.size());
      start = java.util.concurrent.ThreadLocalRandom.current().nextInt(pieces);
      // Others who fetch the same content now show up in searches as they start: look again
      // soon, then at the usual pace.
      timers.add(vertx.setTimer(500, t -> research()));
      timers.add(vertx.setTimer(1500, t -> research()));
      timers.add(vertx.setPeriodic(1000, t -> saveRecord()));
      timers.add(vertx.setPeriodic(Math.max(100, options.researchMillis()), t -> research()));
      timers.add(vertx.setPeriodic(250, t -> pump()));
      timers.add(vertx.setPeriodic(HAVE_EVERY_MS, t -> haves()));
      haves();
      research();
      pump();
    }

    /** What each partial source has verified by now: it is asked only for those pieces. */
    void haves() {
      for (Peer p : known.values()) {
        if (p.has == null || !p.usable(Monotonic.millis())) {
          continue;
        }
        webSeeds
            .have(p.source.url(), r.root(), layer.pieceSize())
            .timeout(HAVE_EVERY_MS, java.util.concurrent.TimeUnit.MILLISECONDS)
            .onSuccess(
                bits -> {
                  // Whole now (its download finished): a source like any other.
                  p.has = bits.cardinality() >= pieces ? null : bits;
                  pump();
                })
            .onFailure(err -> p.error = "cannot say which pieces it has: " + message(err));
      }
    }

    void research() {
      finder
          .find(r.root())
          .onSuccess(
              found -> {
                found.forEach(this::add);
                pump();
              });
    }

    /** Gives each usable source as much work as its rate earns, within the bounds. */
    void pump() {
      if (finishing || done.future().isComplete()) {
        return;
      }
      if (have.cardinality() == pieces) {
        finish();
        return;
      }
      long now = Monotonic.millis();
      if (options.giveUpMillis() > 0 && now - lastPiece > options.giveUpMillis()) {
        fail(
            new TransferFailure(
                TransferFailure.Reason.UNREACHABLE,
                "UNAVAILABLE",
                "nothing arrived from any source for " + options.giveUpMillis() / 1000 + " s"));
        return;
      }
      List<Peer> live = known.values().stream().filter(p -> !p.banned && !p.dropped).toList();
      if (live.isEmpty()) {
        fail(
            new TransferFailure(
                TransferFailure.Reason.UNREACHABLE,
                "UNAVAILABLE",
                known.values().stream().anyMatch(p -> p.banned)
                    ? "every source is banned"
                    : "no source left"));
        return;
      }
      double best = live.stream().mapToDouble(p -> p.rate).max().orElse(0);
      List<Peer> order = new ArrayList<>(live);
      order.sort(Comparator.comparingDouble((Peer p) -> -p.rate));
      int inUse = (int) known.values().stream().filter(p -> p.inFlight() > 0).count();
      // Round by round, one request per source each: every source gets work before any gets a
      // second request, so that a slow or hung one holds little and is found out early.
      for (int round = 1; round <= options.perSource(); round++) {
        for (Peer p : order) {
          if (!p.usable(now) || p.inFlight() >= round) {
            continue;
          }
          if (p.inFlight() == 0 && inUse >= options.sourcesInUse()) {
            continue;
          }
          // A source much slower than the best is kept to one request of about a second of its
          // bytes: it may not hold the end up (a single piece would hold it to one piece per
          // round trip, and its rate would then prove it slow for ever). The others get runs
          // of pieces, so that round trips and the cost of a request stay small beside the bytes.
          boolean slow = best > 0 && p.rate > 0 && p.rate < best / 4;
          if (slow && round > 1) {
            continue;
          }
          int first = next(p);
          if (first < 0) {
            if (p.has != null) {
              continue; // a partial source with nothing we need yet
            }
            return;
          }
          if (inFlightBytes + pieceLength(first) > options.bytesInFlight() && inFlightBytes > 0) {
            return;
          }
          int run =
              Math.max(
                  1, (int) (Math.min(RUN_BYTES, slow ? p.rate : RUN_BYTES) / layer.pieceSize()));
          int count = 1;
          long bytes = pieceLength(first);
          if (asked[first] == 0) {
            while (count < run
                && first + count < pieces
                && asked[first + count] == 0
                && !have.get(first + count)
                && p.hasPiece(first + count)
                && inFlightBytes + bytes + pieceLength(first + count) <= options.bytesInFlight()) {
              bytes += pieceLength(first + count);
              count++;
            }
          }
          if (p.inFlight() == 0) {
            inUse++;
          }
          ask(p, first, count);
        }
      }
    }

    /**
     * The next piece nobody has asked for that {@code p} has, from this run's starting point on.
     * From a whole source, first one that no partial source has: those are the pieces only it can
     * give, and downloads of the same content, started at different points, then have different
     * pieces to give each other. Near the end, a piece only one other source is fetching.
     */
    int next(Peer p) {
      BitSet elsewhere = p.has == null ? heldByPartials() : null;
      if (elsewhere != null) {
        int rare = scan(i -> asked[i] == 0 && !elsewhere.get(i));
        if (rare >= 0) {
          return rare;
        }
      }
      int any = scan(i -> asked[i] == 0 && p.hasPiece(i));
      return any >= 0 ? any : scan(i -> asked[i] == 1 && p.hasPiece(i) && coveredByOther(p, i));
    }

    /** The first missing piece from {@code start} on, wrapping round, that {@code ok} accepts. */
    int scan(java.util.function.IntPredicate ok) {
      for (int i = have.nextClearBit(start); i < pieces; i = have.nextClearBit(i + 1)) {
        if (ok.test(i)) {
          return i;
        }
      }
      for (int i = have.nextClearBit(0); i < start; i = have.nextClearBit(i + 1)) {
        if (ok.test(i)) {
          return i;
        }
      }
      return -1;
    }

    /** What the usable partial sources have between them; null when there are none. */
    BitSet heldByPartials() {
      BitSet held = null;
      long now = Monotonic.millis();
      for (Peer q : known.values()) {
        if (q.has != null && q.usable(now)) {
          if (held == null) {
            held = new BitSet(pieces);
          }
          held.or(q.has);
        }
      }
      return held;
    }

    /** Still coming from one other source (not being checked already, not from this one). */
    boolean coveredByOther(Peer p, int piece) {
      boolean other = false;
      for (Peer q : known.values()) {
        for (Ask a : q.asks) {
          if (a.covers(piece)) {
            if (q == p) {
              return false;
            }
            other = true;
          }
        }
      }
      return other;
    }

    void ask(Peer p, int first, int count) {
      Ask a = new Ask(p, first, count);
      long offset = (long) first * layer.pieceSize();
      long length = 0;
      for (int i = first; i < first + count; i++) {
        asked[i]++;
        length += pieceLength(i);
      }
      inFlightBytes += length;
      p.asks.add(a);
      Gather into = new Gather(this, a);
      long watch =
          vertx.setPeriodic(
              Math.max(50, Math.min(options.stallMillis() / 4, 1000)),
              t -> {
                if (!a.held && Monotonic.millis() - a.lastActivity > options.stallMillis()) {
                  a.stalled = true;
                  a.stop.tryComplete();
                }
              });
      Wire wire = p.wire;
      Future<Long> fetch =
          switch (wire) {
            case WEB -> webSeeds.range(p.source.url(), offset, length, into, a.stop.future());
            case HTTP, HTTP_FIRST ->
                webSeeds.content(p.source.url(), r.root(), offset, length, into, a.stop.future());
            case GRPC ->
                peers.range(p.source.grpc(), r.root(), offset, length, into, a.stop.future());
          };
      fetch.onComplete(
          ar -> {
            vertx.cancelTimer(watch);
            a.finished = true;
            p.asks.remove(a);
            // Busy (it sheds load, or holds to a rate) is not down: no failure, no backoff.
            TransferFailure busy =
                ar.failed()
                        && !a.cut
                        && !a.stalled
                        && ar.cause() instanceof TransferFailure tf
                        && tf.reason() == TransferFailure.Reason.LIMITED
                    ? tf
                    : null;
            boolean gaveNothing =
                ar.failed() && a.next == a.first && !a.cut && !a.stalled && busy == null;
            if (ar.failed() && refusedIdentity(ar.cause()) && !p.banned) {
              // Not a door that gRPC might open: this peer is not to be used at all.
              refuse(p, message(ar.cause()));
            }
            if (wire == Wire.HTTP_FIRST && p.wire == Wire.HTTP_FIRST) {
              // A request cut by us, or stalled, says nothing of the door: the next one will.
              if (gaveNothing) {
                p.wire = Wire.GRPC;
              } else if (ar.succeeded() || a.next > a.first) {
                p.wire = Wire.HTTP;
              }
            }
            // Its HTTP door refused at first ask: no failure of the source's, which gRPC may serve.
            boolean switched = wire == Wire.HTTP_FIRST && gaveNothing;
            boolean missing = false;
            for (int i = a.next; i < a.first + a.count; i++) {
              asked[i]--;
              inFlightBytes -= pieceLength(i);
              missing |= !have.get(i);
            }
            boolean counts =
                !a.cut && !switched && missing && !p.banned && !done.future().isComplete();
            if (counts && busy != null) {
              busy(p, busy);
            } else if (counts && (ar.failed() || a.next < a.first + a.count)) {
              failed(
                  p,
                  a.stalled
                      ? "sent nothing for " + options.stallMillis() / 1000.0 + " s"
                      : ar.succeeded()
                          ? "ended its answer " + (a.first + a.count - a.next) + " piece(s) short"
                          : message(ar.cause()));
            }
            pump();
          });
    }

    /** A piece's last byte arrived: it is checked, and stays asked until it is settled. */
    void delivered(Ask a, int piece, byte[] data) {
      if (a.finished) {
        // The request is over and released its pieces: bytes after that count for nothing.
        buffers.give(data);
        return;
      }
      a.next = piece + 1;
      double seconds = (System.nanoTime() - a.pieceStarted) / 1e9;
      a.pieceStarted = System.nanoTime();
      Peer p = a.peer;
      Future<Void> settled;
      if (p.banned || done.future().isComplete()) {
        buffers.give(data);
        settled = Future.succeededFuture();
      } else {
        settled = check(p, piece, data, seconds);
      }
      settled.onComplete(
          x -> {
            asked[piece]--;
            inFlightBytes -= pieceLength(piece);
            pump();
          });
    }

    /** Checks a piece against the layer; a good one is written and counted, a bad one bans. */
    Future<Void> check(Peer p, int piece, byte[] data, double seconds) {
      return vertx
          .<Boolean>executeBlocking(
              () ->
                  Arrays.equals(
                      layer.hash(piece),
                      Merkle.pieceHash(ByteBuffer.wrap(data), layer.pieceSize(), r.size())),
              false)
          .compose(
              good -> {
                if (p.banned || done.future().isComplete()) {
                  buffers.give(data);
                  return Future.succeededFuture();
                }
                if (!good) {
                  ban(p, piece); // even when another source was first: these bytes were bad
                  buffers.give(data);
                  return Future.succeededFuture();
                }
                if (have.get(piece)) {
                  buffers.give(data);
                  return Future.succeededFuture();
                }
                // Not given back when the write fails: what the file system still holds is unclear.
                return file.write(wrap(data), (long) piece * layer.pieceSize())
                    .onSuccess(
                        v -> {
                          verified(p, piece, data.length, seconds);
                          if (!digest.verified(piece, data, have)) {
                            buffers.give(data);
                          }
                        })
                    .recover(
                        err -> {
                          fail(
                              new TransferFailure(
                                  TransferFailure.Reason.FAILED,
                                  "LOCAL",
                                  "cannot write " + part + ": " + err.getMessage()));
                          return Future.succeededFuture();
                        });
              });
    }

    void ban(Peer p, int piece) {
      p.bad++;
      p.banned = true;
      p.error = "sent a bad piece (" + piece + ")";
      // What else it is sending is not waited for, nor checked.
      new ArrayList<>(p.asks).forEach(Ask::cutNow);
      listener.said(
          "source "
              + p.source.url()
              + " sent piece "
              + piece
              + ", which fails its hash: banned for this download");
    }

    /** Its identity was refused: not asked again in this download, over any wire. */
    void refuse(Peer p, String why) {
      p.banned = true;
      p.error = why;
      new ArrayList<>(p.asks).forEach(Ask::cutNow);
      listener.said("source " + p.source.url() + " " + why + ": not used");
    }

    void verified(Peer p, int piece, int bytes, double seconds) {
      if (have.get(piece)) {
        return; // two sources' same good bytes, both written: the first counts
      }
      have.set(piece);
      recordDirty = true;
      fetched += bytes;
      lastPiece = Monotonic.millis();
      p.bytes += bytes;
      p.pieces++;
      p.failures = 0;
      p.busySpells = 0;
      // Bytes a source delivered over wall time, in windows of half a second: a piece's own time
      // says little when a message holds many pieces or several requests share the source.
      p.windowBytes += bytes;
      long elapsed = System.nanoTime() - p.windowStart;
      if (elapsed >= 500_000_000L) {
        double rate = p.windowBytes / (elapsed / 1e9);
        p.rate = p.rate == 0 ? rate : 0.6 * p.rate + 0.4 * rate;
        p.windowBytes = 0;
        p.windowStart = System.nanoTime();
      }
      // Near the end two sources race for a piece: a request left with nothing it is the only
      // one still to give is cut.
      for (Peer q : known.values()) {
        for (Ask a : new ArrayList<>(q.asks)) {
          if (a.covers(piece) && nothingLeft(a)) {
            a.cutNow();
          }
        }
      }
      int inUse = (int) known.values().stream().filter(x -> x.inFlight() > 0).count();
      listener.moved(bytes, inUse);
    }

    boolean nothingLeft(Ask a) {
      for (int i = a.next; i < a.first + a.count; i++) {
        if (!have.get(i)) {
          return false;
        }
      }
      return true;
    }

    /**
     * A source that refused for load is left alone for as long as it asked (1 s when it did not
     * say), then asked again; its failures are not counted, so a source that sheds now and then
     * never grows a long backoff. Each of the download's requests to it may be refused so: one
     * spell, said once. A source that is busy spell after spell with no piece between (a web seed
     * answering 503 for good) is left alone twice as long each time, up to the longest backoff, as
     * the search does with a busy neighbour. One already failing keeps its backoff.
     */
    void busy(Peer p, TransferFailure why) {
      long now = Monotonic.millis();
      if (now < p.retryAt) {
        return; // a failure's backoff, which stands, or this spell: another request of it refused
      }
      p.busySpells++;
      long asked = why.retryAfterMillis() > 0 ? why.retryAfterMillis() : 1000;
      long hold =
          Math.max(
              100, Math.min(options.maxBackoffMillis(), asked << Math.min(p.busySpells - 1, 20)));
      p.busy = true;
      p.retryAt = now + hold;
      listener.said(
          "source "
              + p.source.url()
              + " is busy ("
              + why.getMessage()
              + "): asked again in "
              + hold / 1000.0
              + " s");
    }

    void failed(Peer p, String why) {
      if (Monotonic.millis() < p.retryAt && !p.busy) {
        return; // another request of the same outage: counted and said once
      }
      // Busy, and now failing too: the failure's backoff replaces the spell.
      p.busy = false;
      p.failures++;
      long backoff = Math.min(options.maxBackoffMillis(), 1000L << Math.min(p.failures - 1, 20));
      p.retryAt = Monotonic.millis() + backoff;
      p.error = why;
      listener.said(
          "source "
              + p.source.url()
              + " "
              + why
              + ": its pieces go to the others, retried in "
              + backoff / 1000.0
              + " s");
    }

    /**
     * The record of verified pieces, through a temporary file and a rename, after the part's bytes.
     */
    Future<Void> saveRecord() {
      if (!recordDirty || writingRecord || file == null) {
        return Future.succeededFuture();
      }
      recordDirty = false;
      writingRecord = true;
      BitSet snapshot = (BitSet) have.clone();
      int pieceSize = layer.pieceSize();
      // Atomic; the part is not fsynced first: a resume checks each recorded piece again
      // (stillThere), so a record ahead of the disk costs pieces, never a wrong byte.
      recordWrite =
          resume
              .save(r.root(), r.size(), pieceSize, snapshot)
              .eventually(
                  () -> {
                    writingRecord = false;
                    return Future.succeededFuture();
                  });
      return recordWrite;
    }

    boolean finishing;

    void finish() {
      if (finishing || done.future().isComplete()) {
        return;
      }
      finishing = true;
      stopTimers();
      // A record write still running must not put the record back after place() removed it.
      recordWrite
          .otherwiseEmpty()
          .compose(v -> file.flush())
          .eventually(() -> file.close())
          .compose(v -> digest.finish(pieces))
          .compose(sha -> vertx.executeBlocking(() -> place(sha), false))
          // The record goes with the part: after the file is in place, or after a wrong checksum.
          .transform(
              ar ->
                  resume
                      .clear()
                      .transform(
                          x ->
                              ar.succeeded()
                                  ? Future.succeededFuture(ar.result())
                                  : Future.<Result>failedFuture(ar.cause())))
          .onComplete(x -> digest.close())
          .onSuccess(done::tryComplete)
          .onFailure(err -> done.tryFail(withReports(err)));
    }

    /** The whole file's SHA-256 (checked when a source gave one), then the part in place. */
    Result place(String sha) throws Exception {
      if (r.sha256() != null
          && r.sha256().length() == 64
          && !sha.equals(r.sha256().toLowerCase(Locale.ROOT))) {
        Files.deleteIfExists(part);
        throw new TransferFailure(
            TransferFailure.Reason.CORRUPT,
            "DATA_LOSS",
            "every piece matched the root but the file's SHA-256 is "
                + sha
                + ", not "
                + r.sha256()
                + ": the advertised checksum is wrong; nothing was kept");
      }
      Durable.sync(part);
      Files.move(
          part, r.out(), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      Durable.syncFolder(r.out().toAbsolutePath().getParent());
      return new Result(r.out(), r.size(), sha, r.root(), layer, fetched, resumedFrom, reports());
    }

    void fail(Throwable err) {
      if (done.future().isComplete()) {
        return;
      }
      stopTimers();
      known.values().forEach(p -> new ArrayList<>(p.asks).forEach(Ask::cutNow));
      Future<Void> closed =
          file == null ? Future.succeededFuture() : saveRecord().eventually(() -> file.close());
      closed.onComplete(
          x -> {
            if (digest != null) {
              digest.close();
            }
            done.tryFail(withReports(err));
          });
    }

    Throwable withReports(Throwable err) {
      return err instanceof TransferFailure f ? new Failed(f, reports()) : err;
    }

    List<Report> reports() {
      boolean over = finishing || done.future().isComplete();
      return known.values().stream().map(p -> p.report(over)).toList();
    }

    void stopTimers() {
      timers.forEach(vertx::cancelTimer);
    }
  }

  /** A swarm download that failed, with what each source did. */
  public static final class Failed extends TransferFailure {
    private final List<Report> sources;

    Failed(TransferFailure cause, List<Report> sources) {
      super(cause.reason(), cause.code(), cause.detail());
      this.sources = List.copyOf(sources);
    }

    public List<Report> sources() {
      return sources;
    }
  }

  /**
   * A request's bytes, cut at piece boundaries: each piece is gathered in memory (bounded by the
   * piece size) and handed over when its last byte arrives.
   */
  private final class Gather implements WriteStream<Buffer> {
    final Run run;
    final Ask ask;
    int piece;
    byte[] data;
    int filled;

    Gather(Run run, Ask ask) {
      this.run = run;
      this.ask = ask;
      this.piece = ask.first;
      this.data = run.buffers.take((int) run.pieceLength(piece));
    }

    @Override
    public Future<Void> write(Buffer chunk) {
      ask.lastActivity = Monotonic.millis();
      run.lastPiece = ask.lastActivity;
      bandwidth.take(chunk.length());
      int at = 0;
      while (at < chunk.length()) {
        if (piece >= ask.first + ask.count) {
          return Future.failedFuture(
              new TransferFailure(
                  TransferFailure.Reason.CORRUPT, "DATA_LOSS", "more bytes than were asked for"));
        }
        int take = Math.min(data.length - filled, chunk.length() - at);
        chunk.getBytes(at, at + take, data, filled);
        filled += take;
        at += take;
        if (filled == data.length) {
          byte[] whole = data;
          int index = piece++;
          data =
              piece < ask.first + ask.count ? run.buffers.take((int) run.pieceLength(piece)) : null;
          filled = 0;
          run.delivered(ask, index, whole);
        }
      }
      return Future.succeededFuture();
    }

    @Override
    public Future<Void> end() {
      return Future.succeededFuture();
    }

    @Override
    public WriteStream<Buffer> exceptionHandler(Handler<Throwable> handler) {
      return this;
    }

    @Override
    public WriteStream<Buffer> setWriteQueueMaxSize(int maxSize) {
      return this;
    }

    /** Full while the download's bandwidth is spent: the source waits, which is no stall. */
    @Override
    public boolean writeQueueFull() {
      boolean full = bandwidth.exhausted();
      if (full) {
        ask.held = true;
      }
      return full;
    }

    @Override
    public WriteStream<Buffer> drainHandler(Handler<Void> handler) {
      bandwidth.whenAvailable(
          v -> {
            ask.held = false;
            ask.lastActivity = Monotonic.millis();
            if (handler != null) {
              handler.handle(null);
            }
          });
      return this;
    }
  }

  /** A piece's bytes as a Buffer, without the copy {@code Buffer.buffer(byte[])} makes. */
  static Buffer wrap(byte[] bytes) {
    return BufferInternal.buffer(Unpooled.wrappedBuffer(bytes));
  }

  static String message(Throwable err) {
    return err.getMessage() == null ? err.getClass().getSimpleName() : err.getMessage();
  }

  /** The peer table refused that source's identity: no other wire may be tried. */
  static boolean refusedIdentity(Throwable err) {
    return err instanceof TransferFailure tf
        && ("IDENTITY_REFUSED".equals(tf.code()) || "IDENTITY_MISMATCH".equals(tf.code()));
  }
}
