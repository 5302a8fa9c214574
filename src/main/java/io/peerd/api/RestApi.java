package io.peerd.api;

import io.micrometer.core.instrument.Counter;
import io.peerd.config.PeerConfig;
import io.peerd.identity.PeerId;
import io.peerd.identity.PeerRecord;
import io.peerd.index.FileEntry;
import io.peerd.index.FileIndex;
import io.peerd.index.IndexSnapshot;
import io.peerd.index.PieceLayers;
import io.peerd.metrics.Metrics;
import io.peerd.peers.HealthChecker;
import io.peerd.peers.PeerProbe;
import io.peerd.peers.PeerState;
import io.peerd.peers.PeerTable;
import io.peerd.peers.PeerUrl;
import io.peerd.routing.Mode;
import io.peerd.search.PeerCallException;
import io.peerd.search.SearchQuery;
import io.peerd.search.SearchService;
import io.peerd.transfer.RateLimiter;
import io.peerd.transfer.Uploads;
import io.peerd.wire.JsonText;
import io.peerd.wire.Magnet;
import io.peerd.wire.WireJson;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.micrometer.PrometheusScrapingHandler;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * The REST API of a peer. {@link #router()} is the route table; each handler is a short method that
 * reads the request, asks the owning pieces, and writes JSON. Nothing here blocks: reads come from
 * in-memory snapshots, and network work returns futures.
 */
public final class RestApi {

  static final int MAX_BODY_BYTES = 64 * 1024;
  static final int MAX_QUERY_LENGTH = 1024;
  static final long MAX_SEARCH_TIMEOUT_MS = 60_000;

  /** Records in one /peers answer: about 700 bytes each. */
  static final int MAX_RECORDS = 64;

  /** What the API reads from and acts on; the verticle owns all of it. */
  public record Parts(
      PeerConfig config,
      String self,
      String grpcUrl,
      FileIndex index,
      LocalFiles local,
      PeerTable peers,
      SearchService search,
      HealthChecker health,
      PeerProbe probe,
      RateLimiter downloads,
      long startedAtNanos,
      String version,
      Supplier<JsonObject> problems,
      Metrics metrics,
      Uploads uploads,
      WorkerExecutor worker,
      Supplier<Future<io.peerd.search.Summaries.Local>> summary,
      io.peerd.transfer.Bandwidth served,
      io.peerd.downloads.Downloads queue,
      Me me,
      io.peerd.doctor.Doctor doctor,
      Supplier<JsonObject> lanStats,
      Supplier<Future<Void>> saveTable,
      io.peerd.search.LoopDelay loop) {}

  /**
   * Who this peer is, as it tells others.
   *
   * @param id null with {@code identity: false}, and then so are the others
   * @param secureUrl its secure port
   * @param record its signed record (REST URL, secure URL), passed on by peer exchange
   */
  public record Me(PeerId id, String secureUrl, PeerRecord record) {
    public static final Me NOBODY = new Me(null, null, null);
  }

  private final Vertx vertx;
  private final Parts p;
  private final SearchMeter searchMeter;
  private final Fixed fixed;
  private final Admission admission;
  private final Handlers handlers;
  private final byte[] ownRecord;
  private long filesBodyGeneration = -1;
  private Buffer filesBody;

  public RestApi(Vertx vertx, Parts parts) {
    this.vertx = vertx;
    this.p = parts;
    this.fixed = fixed();
    this.ownRecord =
        p.me().record() == null
            ? null
            : JsonText.encode(WireJson.record(p.me().record())).getBytes();
    this.searchMeter = new SearchMeter(p.metrics(), p.config().node().name());
    this.admission = new Admission(p.config().limits(), p.loop());
    admission.meter(p.metrics());
    this.handlers = handlers();
  }

  /** The route table of the REST port. */
  public Router router() {
    return router(null);
  }

  /**
   * The route table again, for another server (the secure port): {@code arriving} runs first on
   * each of its requests, inside the first route, so the REST port pays nothing for it. Every copy
   * has the same handlers, and so the same bounds, counts and caches.
   */
  public Router router(Handler<RoutingContext> arriving) {
    Router r = Router.router(vertx);
    Handlers h = handlers;
    if (arriving == null) {
      r.route().handler(h.guard()::handle);
    } else {
      r.route()
          .handler(
              ctx -> {
                arriving.handle(ctx);
                h.guard().handle(ctx);
              });
    }
    r.get("/health").handler(this::health);
    r.get("/metrics").handler(h.metrics());
    r.get("/status").handler(this::status);
    r.get("/files").handler(this::files);
    r.get("/files/*").handler(admission::files).handler(h.content()::handle);
    r.head("/files/*").handler(h.content()::handle);
    r.get("/peers").handler(this::peers);
    r.get("/search").handler(admission::searches).handler(this::search);
    r.get("/search/check").handler(this::searchCheck);
    r.get("/summary").handler(this::summary);
    r.post("/summary/changed")
        .handler(BodyHandler.create(false).setBodyLimit(MAX_BODY_BYTES))
        .handler(this::summaryChanged);
    // No multipart file handling: a body is JSON or nothing, and never a file written to disk.
    r.post("/register")
        .handler(BodyHandler.create(false).setBodyLimit(MAX_BODY_BYTES))
        .handler(this::register);
    r.post("/bootstrap").handler(this::bootstrap);
    r.post("/index/rescan").handler(this::rescan);
    DownloadRoutes dl = h.downloads();
    r.post("/downloads")
        .handler(BodyHandler.create(false).setBodyLimit(MAX_BODY_BYTES))
        .handler(dl::create);
    r.get("/downloads").handler(dl::list);
    r.get("/downloads/stream").handler(dl::stream);
    r.get("/downloads/:id").handler(dl::one);
    r.post("/downloads/:id/pause").handler(dl::pause);
    r.post("/downloads/:id/resume").handler(dl::resume);
    r.delete("/downloads/:id").handler(dl::cancel);
    // Routes with path parameters are matched by regular expression: after the plain paths that
    // are asked most, which then never pay for them.
    r.get("/content/:root/pieces").handler(this::pieces);
    r.get("/content/:root/have").handler(this::have);
    r.get("/content/:root").handler(admission::files).handler(h.content()::content);
    r.head("/content/:root").handler(h.content()::content);
    // The web page and what only it needs (a streamed search, HTTP upload, the graph, live
    // figures).
    for (String path : WebUi.paths()) {
      r.get(path).handler(h.ui()::handle);
    }
    r.get("/search/stream").handler(h.stream()::handle);
    r.put(HttpUpload.PREFIX + "*").handler(h.upload()::handle);
    r.get("/network").handler(h.network()::handle);
    r.get("/stats").handler(this::stats);
    r.get("/doctor").handler(h.doctor()::handle);
    Errors.install(r, p.metrics());
    return r;
  }

  /** The handlers of the routes, made once for every copy of the route table. */
  private record Handlers(
      Guard guard,
      Handler<RoutingContext> metrics,
      FileServing content,
      DownloadRoutes downloads,
      WebUi ui,
      SearchStream stream,
      HttpUpload upload,
      NetworkView network,
      DoctorRoute doctor) {}

  private Handlers handlers() {
    return new Handlers(
        new Guard(
            p.config().access(),
            new RateLimiter(p.config().limits().requestsPerMinute(), 10_000),
            id -> p.peers().byId(id) != null),
        PrometheusScrapingHandler.create(p.metrics().registry()),
        new FileServing(
            p.index(),
            p.queue(),
            p.downloads(),
            p.metrics(),
            p.served(),
            p.config().timeouts().streamIdle().toMillis()),
        new DownloadRoutes(p.queue()),
        new WebUi(),
        new SearchStream(
            p.search(), this::searchQuery, searchMeter, p.metrics(), p.local().fragments()),
        new HttpUpload(p.uploads(), p.local()),
        new NetworkView(p.self(), p.peers(), p.probe(), p.config().timeouts().friend().toMillis()),
        new DoctorRoute(p.doctor(), p.peers(), p.self(), p.config().access().token() == null));
  }

  /**
   * The seed's keys, then who this peer is: a claim anyone could write, proved only by the
   * certificate its secure port presents.
   */
  private void health(RoutingContext ctx) {
    int total = p.peers().size();
    int healthy = p.peers().healthyCount();
    if (healthBody == null || total != healthTotal || healthy != healthHealthy) {
      JsonText w =
          new JsonText(1024)
              .beginObject()
              .field("status", "ok")
              .field("peer", p.config().node().name())
              .field("url", p.self())
              .key("stats")
              .beginObject();
      peerStats(w, total, healthy);
      w.endObject();
      Me me = p.me();
      if (me.id() != null) {
        w.field("id", me.id().toString())
            .field("secure_url", me.secureUrl())
            .key("record")
            .raw(ownRecord);
      }
      healthBody = w.endObject().toBuffer();
      healthTotal = total;
      healthHealthy = healthy;
    }
    Errors.json(ctx, 200, healthBody);
  }

  // /health is what monitors and neighbours ask most: its few changing figures are the peer
  // counts, so the answer is encoded again only when they change.
  private Buffer healthBody;
  private int healthTotal;
  private int healthHealthy;

  private void status(RoutingContext ctx) {
    IndexSnapshot snap = p.index().snapshot();
    JsonText w = new JsonText(1536).beginObject();
    identity(w);
    w.key("urls").raw(fixed.urls()).key("config").raw(fixed.config()).key("stats");
    searchStats(w, snap);
    w.key("index");
    indexState(w, snap, p.index().watchStats());
    admission.write(w);
    w.key("problems").any(p.problems().get()).key("healthy_peers");
    withSelf(w, p.peers().healthyUrls());
    w.key("all_peers");
    withSelf(w, p.peers().urls());
    Errors.json(ctx, 200, w.endObject().toBuffer());
  }

  /**
   * What never changes while the peer runs, encoded once: who it is, its URLs, the seed's {@code
   * config} block of /status (with the routing mode added).
   */
  private record Fixed(byte[] identity, byte[] urls, byte[] config) {}

  private Fixed fixed() {
    PeerConfig c = p.config();
    Me me = p.me();
    return new Fixed(
        JsonText.members(
            w ->
                w.field("peer", c.node().name())
                    .field("id", me.id() == null ? null : me.id().toString())
                    .field("url", p.self())
                    .field("secure_url", me.secureUrl())
                    .field("version", p.version())),
        new JsonText()
            .beginObject()
            .field("rest", p.self())
            .field("grpc", p.grpcUrl())
            .field("secure", me.secureUrl())
            .endObject()
            .toBytes(),
        new JsonText()
            .beginObject()
            .field("rest_port", c.node().restPort())
            .field("grpc_port", c.node().grpcPort())
            .field("shared_dir", c.sharedDir().toString())
            .field("max_fanout", c.routing().maxFanout())
            .field("search_mode", c.routing().mode().wire())
            .field("search_ttl", c.routing().searchTtl())
            .endObject()
            .toBytes());
  }

  /** The seed's peer stats, and what this peer shared and searched since it started. */
  private void searchStats(JsonText w, IndexSnapshot snap) {
    SearchService.Stats s = p.search().stats();
    w.beginObject();
    peerStats(w);
    w.field("files", snap.size())
        .field("bytes_shared", snap.totalBytes())
        .field("searches_processed", s.processed())
        .field("duplicates_dropped", s.duplicates())
        .field("origin_checks", s.checks())
        .field("summaries_known", p.search().summariesKnown())
        .field("queries_forwarded", s.forwarded())
        .field("neighbour_failures", s.neighbourFailures());
    // The map itself: JsonObject's own iterator wraps every value it hands out.
    for (java.util.Map.Entry<String, Object> e : p.lanStats().get().getMap().entrySet()) {
      w.key(e.getKey()).any(e.getValue());
    }
    w.endObject();
  }

  private static void indexState(JsonText w, IndexSnapshot snap, FileIndex.WatchStats watch) {
    w.beginObject()
        .field("files", snap.size())
        .field("bytes", snap.totalBytes())
        .field("generation", snap.generation())
        .field("scanned_at", snap.scannedAtMillis())
        .key("watch")
        .beginObject()
        .field("watching", watch.watching())
        .field("directories", watch.directories())
        .field("events", watch.events())
        .field("updates", watch.updates())
        .field("overflows", watch.overflows())
        .endObject()
        .endObject();
  }

  /**
   * {@code GET /stats}: small and cheap, for the web page to poll every second. Counters are totals
   * since start; the page turns deltas into rates. Also what the page must know to offer an upload
   * (enabled, quota, whether a token is needed).
   */
  private void stats(RoutingContext ctx) {
    IndexSnapshot snap = p.index().snapshot();
    SearchService.Stats s = p.search().stats();
    PeerConfig c = p.config();
    JsonText w = new JsonText(768).beginObject();
    identity(w);
    w.field("time_ms", System.currentTimeMillis())
        .field("searches_processed", s.processed())
        .field("queries_forwarded", s.forwarded())
        .field("neighbour_failures", s.neighbourFailures())
        .field("bytes_sent", transferBytes("sent"))
        .field("bytes_received", transferBytes("received"))
        .field("files", snap.size())
        .field("bytes_shared", snap.totalBytes())
        .key("peers")
        .beginObject();
    peerStats(w);
    w.endObject()
        .key("uploads")
        .beginObject()
        .field("accept", c.uploads().accept())
        .field("dir", c.uploads().dir())
        .field("max_bytes", c.uploads().maxBytes())
        .field("overwrite", c.uploads().overwrite())
        .endObject()
        .key("auth")
        .beginObject()
        .field("token_for_changes", c.access().token() != null)
        .field("private", c.access().privatePeer())
        .endObject();
    Errors.json(ctx, 200, w.endObject().toBuffer());
  }

  /** Who answers: the first keys of /status and /stats. */
  private void identity(JsonText w) {
    w.members(fixed.identity())
        .key("uptime_s")
        // On System.nanoTime: an NTP step of the wall clock must not make the uptime jump, or go
        // below zero.
        .value((System.nanoTime() - p.startedAtNanos()) / 1e9);
  }

  /** This peer's file-transfer bytes in one direction, over both protocols. */
  private long transferBytes(String direction) {
    double total = 0;
    for (Counter counter :
        p.metrics()
            .registry()
            .find("peer_transfer_bytes_total")
            .tag("peer", p.config().node().name())
            .tag("direction", direction)
            .counters()) {
      total += counter.count();
    }
    return (long) total;
  }

  /** The seed's stats keys, with their seed meaning. */
  private void peerStats(JsonText w) {
    peerStats(w, p.peers().size(), p.peers().healthyCount());
  }

  private static void peerStats(JsonText w, int total, int healthy) {
    w.field("total_peers", total)
        .field("healthy_peers", healthy)
        .field("failed_peers", total - healthy);
  }

  /** Encoded once per index generation: /files costs a buffer write whatever the files' sizes. */
  private void files(RoutingContext ctx) {
    IndexSnapshot snap = p.index().snapshot();
    if (filesBody == null || filesBodyGeneration != snap.generation()) {
      filesBody =
          WireJson.filesAnswer(
              p.config().node().name(), p.self(), p.local().all(snap), p.local().fragments());
      filesBodyGeneration = snap.generation();
    }
    ctx.response().putHeader("content-type", "application/json").end(filesBody);
  }

  private void peers(RoutingContext ctx) {
    List<PeerState> all = p.peers().all();
    JsonText w = new JsonText(512 + 900 * Math.min(all.size(), MAX_RECORDS)).beginObject();
    w.key("peers");
    withSelf(w, p.peers().healthyUrls());
    w.key("all_peers");
    withSelf(w, p.peers().urls());
    w.key("stats").beginObject();
    peerStats(w);
    w.endObject()
        .field("id", p.me().id() == null ? null : p.me().id().toString())
        .key("table")
        .beginArray();
    for (PeerState s : all) {
      w.beginObject()
          .field("url", s.url())
          .field("healthy", s.healthy())
          .key("last_seen")
          .valueOrNull(s.lastSeenMillis() == 0 ? null : s.lastSeenMillis())
          .field("failures", s.failures())
          .key("rtt_ms")
          .valueOrNull(s.rttMs() < 0 ? null : s.rttMs())
          .field("next_probe", s.nextProbeMillis())
          .field("pinned", s.pinned())
          .field("id", s.trust().id() == null ? null : s.trust().id().toString())
          .field("authenticated", s.trust().authenticated())
          .field("secure_url", s.trust().secureUrl())
          .field("problem", s.trust().problem())
          .endObject();
    }
    // Ours first, then those of the peers that proved their id: what peer exchange passes on.
    w.endArray().key("records").beginArray();
    if (p.me().record() != null) {
      w.raw(ownRecord);
    }
    p.peers().records(MAX_RECORDS).forEach(r -> w.any(WireJson.record(r)));
    Errors.json(ctx, 200, w.endArray().endObject().toBuffer());
  }

  /** The seed lists itself first in both peer lists; seed clients expect that. */
  private JsonArray withSelf(List<String> urls) {
    JsonArray arr = new JsonArray().add(p.self());
    urls.forEach(arr::add);
    return arr;
  }

  private void withSelf(JsonText w, List<String> urls) {
    w.beginArray().value(p.self());
    urls.forEach(w::value);
    w.endArray();
  }

  private void search(RoutingContext ctx) {
    SearchQuery query = searchQuery(ctx);
    long started = System.nanoTime();
    p.search()
        .search(query)
        .onSuccess(
            answer -> {
              searchMeter.record(query, started, answer);
              Errors.json(ctx, 200, WireJson.searchAnswer(answer, p.local().fragments()));
            })
        .onFailure(ctx::fail);
  }

  /** The query of a /search request (a client's or a forwarded one), validated and clamped. */
  SearchQuery searchQuery(RoutingContext ctx) {
    PeerConfig c = p.config();
    String text = Params.string(ctx, "query", "", MAX_QUERY_LENGTH);
    Mode mode = mode(ctx, c.routing().mode());
    // Walkers go one peer per hop, so they need (and may have) far more hops than a flood.
    int maxTtl = mode == Mode.FLOOD ? c.routing().searchTtl() : c.routing().walkTtl();
    int ttl = (int) Params.number(ctx, "ttl", maxTtl, 0, maxTtl, true);
    // A search may ask for fewer walkers than configured, never more: k walkers of walk_ttl hops
    // are k * walk_ttl messages, and one request must not buy more of the network than that.
    int walkers =
        (int) Params.number(ctx, "walkers", c.routing().walkers(), 1, c.routing().walkers(), true);
    int wanted = (int) Params.number(ctx, "wanted", c.routing().wanted(), 1, 10_000, true);
    int fanout =
        (int)
            Params.number(ctx, "fanout", c.routing().maxFanout(), 0, c.routing().maxFanout(), true);
    long timeout =
        Params.number(
            ctx, "timeout_ms", c.timeouts().search().toMillis(), 1, MAX_SEARCH_TIMEOUT_MS, true);
    // A forwarded query carries the budget its sender left us; never exceed our own cap either.
    long budget =
        Math.min(
            timeout, Params.number(ctx, "deadline_ms", timeout, 0, MAX_SEARCH_TIMEOUT_MS, true));
    int hops = (int) Params.number(ctx, "hops", 0, 0, 255, true);
    String id = Params.string(ctx, "id", null, 64);
    if (id == null || id.isBlank()) {
      id = queryId();
    }
    String origin = optionalPeer(ctx, "origin");
    String from = optionalPeer(ctx, "from");
    if ((origin != null || from != null) && !c.trust().allowUnauthenticated()) {
      requireKnownCaller(ctx);
    }
    List<String> also = peerList(ctx, "also", c.routing().maxFanout());
    String root = Params.string(ctx, "root", null, 64);
    if (root != null && !root.isEmpty()) {
      if (!Magnet.isRoot(root)) {
        throw new BadRequest("bad_parameter", "root: 64 lowercase hex characters");
      }
      // The text a seed peer reads: the hex matches no name, so it answers nothing rather than all.
      text = root;
    } else {
      root = null;
    }
    return new SearchQuery(
        id, text, ttl, hops, fanout, budget, origin, from, also, mode, walkers, wanted, root);
  }

  /**
   * A closed network takes forwarded queries only from neighbours that proved an id this peer has
   * bound: over the secure port, with a certificate, of a peer in its table.
   */
  private void requireKnownCaller(RoutingContext ctx) {
    PeerId caller = Callers.id(ctx.request());
    if (caller == null) {
      throw new BadRequest(
          403,
          "unauthenticated",
          "this peer takes forwarded queries only from authenticated peers (allow_unauthenticated_peers"
              + " is false): call its secure_url with your peer certificate");
    }
    if (p.peers().byId(caller) == null) {
      throw new BadRequest(
          403, "unknown_peer", "this peer takes forwarded queries only from peers it knows by id");
    }
  }

  private static Mode mode(RoutingContext ctx, Mode byDefault) {
    String raw = Params.string(ctx, "mode", null, 16);
    if (raw == null || raw.isEmpty()) {
      return byDefault;
    }
    try {
      return Mode.parse(raw);
    } catch (IllegalArgumentException e) {
      throw new BadRequest("bad_parameter", "mode: " + e.getMessage());
    }
  }

  /** A walker asks the origin of its search whether to go on. */
  private void searchCheck(RoutingContext ctx) {
    String id = Params.string(ctx, "id", "", 64);
    if (id.isEmpty()) {
      throw new BadRequest("bad_parameter", "id: required");
    }
    Errors.json(
        ctx, 200, new JsonObject().put("id", id).put("continue", p.search().stillWanted(id)));
  }

  /**
   * This peer's name summary, built on a worker once per index generation; a neighbour that already
   * has the current generation ({@code known=}) gets a few bytes instead of the filter.
   */
  private void summary(RoutingContext ctx) {
    long known = Params.number(ctx, "known", -1, -1, Long.MAX_VALUE, true);
    p.summary()
        .get()
        .onSuccess(
            s -> {
              JsonObject body =
                  new JsonObject()
                      .put("peer", p.config().node().name())
                      .put("generation", s.generation());
              if (s.generation() == known) {
                body.put("unchanged", true);
              } else {
                body.put("bits", s.summary().bits())
                    .put("hashes", "trigram-bloom-3")
                    .put("tokens", s.summary().tokens())
                    .put("filter", s.summary().encode());
              }
              Errors.json(ctx, 200, body);
            })
        .onFailure(ctx::fail);
  }

  /**
   * A neighbour's notice that its index changed: its summary is fetched again soon if we hold an
   * older one. {@code refresh} says whether it will be; a notice from a peer not in the table, or
   * at the generation held, changes nothing.
   */
  private void summaryChanged(RoutingContext ctx) {
    JsonObject body;
    try {
      body = ctx.body().asJsonObject();
    } catch (DecodeException | ClassCastException e) {
      body = null;
    }
    if (body == null
        || !(body.getValue("url") instanceof String raw)
        || !(body.getValue("generation") instanceof Number n)
        || n.longValue() < 0
        || n.doubleValue() != n.longValue()) {
      throw new BadRequest(
          "bad_request",
          "body must be a JSON object {\"url\": \"http://host:port\", \"generation\": n >= 0}");
    }
    String url;
    try {
      url = PeerUrl.parse(raw);
    } catch (IllegalArgumentException e) {
      throw new BadRequest("bad_url", e.getMessage());
    }
    boolean refresh = p.search().summaryChanged(url, n.longValue());
    Errors.json(ctx, 200, new JsonObject().put("refresh", refresh));
  }

  /**
   * A random version-4 UUID. Not {@code UUID.randomUUID()}: its SecureRandom reads /dev/urandom
   * under a global lock on every call, a third of the cost of a local search. Ids need to be
   * unique, not secret: duplicate suppression is keyed by origin as well.
   */
  static String queryId() {
    java.util.concurrent.ThreadLocalRandom r = java.util.concurrent.ThreadLocalRandom.current();
    long msb = (r.nextLong() & ~0xF000L) | 0x4000L;
    long lsb = (r.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
    return new UUID(msb, lsb).toString();
  }

  private static String optionalPeer(RoutingContext ctx, String name) {
    String raw = Params.string(ctx, name, null, 512);
    if (raw == null || raw.isEmpty()) {
      return null;
    }
    try {
      return PeerUrl.parse(raw);
    } catch (IllegalArgumentException e) {
      throw new BadRequest("bad_parameter", name + ": " + e.getMessage());
    }
  }

  /** A comma-separated list of peer URLs, at most max of them (the rest is ignored). */
  private static List<String> peerList(RoutingContext ctx, String name, int max) {
    String raw = Params.string(ctx, name, "", 64 * 520);
    List<String> out = new ArrayList<>();
    for (String part : raw.split(",")) {
      if (!part.isBlank() && out.size() < max) {
        try {
          out.add(PeerUrl.parse(part));
        } catch (IllegalArgumentException e) {
          throw new BadRequest("bad_parameter", name + ": " + e.getMessage());
        }
      }
    }
    return out;
  }

  private void register(RoutingContext ctx) {
    JsonObject body;
    try {
      body = ctx.body().asJsonObject();
    } catch (DecodeException | ClassCastException e) {
      throw new BadRequest(
          "bad_json", "body must be a JSON object {\"url\": \"http://host:port\"}");
    }
    if (body == null || !(body.getValue("url") instanceof String raw)) {
      throw new BadRequest(
          "bad_request", "body must be a JSON object {\"url\": \"http://host:port\"}");
    }
    String url;
    try {
      url = PeerUrl.parse(raw);
    } catch (IllegalArgumentException e) {
      throw new BadRequest("bad_url", e.getMessage());
    }
    switch (p.peers().add(url, PeerTable.Source.REGISTERED, System.currentTimeMillis())) {
      case SELF -> throw new BadRequest("bad_url", "that is this peer's own URL");
      case FULL ->
          throw new BadRequest(503, "table_full", "the peer table is full of configured friends");
      default -> {
        // Probe in the background: a slow newcomer must not hold its own registration call.
        p.health().check(url);
        // Answered once the table is on disk: a registration confirmed is one a crash keeps.
        p.saveTable()
            .get()
            .onSuccess(
                v ->
                    Errors.json(
                        ctx,
                        200,
                        new JsonObject()
                            .put("ok", true)
                            .put("peers", withSelf(p.peers().healthyUrls()))))
            .onFailure(
                err -> {
                  ctx.response().putHeader(io.vertx.core.http.HttpHeaders.RETRY_AFTER, "5");
                  ctx.fail(
                      new BadRequest(
                          503,
                          "not_saved",
                          "registered, but the peer table could not be saved (see /status"
                              + " problems): retry"));
                });
      }
    }
  }

  /** Registers with every configured friend at once, each call with its own timeout. */
  private void bootstrap(RoutingContext ctx) {
    List<Future<Registration>> calls = registrations(p.config().friends());
    Future.join(calls).onComplete(ignored -> Errors.json(ctx, 200, bootstrapAnswer(calls)));
  }

  /**
   * What {@code POST /bootstrap} does, with those friends, for a peer that joins at start ({@code
   * register_on_start}): each outcome goes to the peer table, none fails.
   *
   * @return the friends that did not take the registration
   */
  public Future<List<String>> registerWith(List<String> friends) {
    List<Future<Registration>> calls = registrations(friends);
    return Future.join(calls)
        .transform(
            ignored ->
                Future.succeededFuture(
                    calls.stream()
                        .map(Future::result)
                        .filter(r -> r.reason() != null)
                        .map(Registration::friend)
                        .toList()));
  }

  private List<Future<Registration>> registrations(List<String> friends) {
    return friends.stream().map(this::registerWith).toList();
  }

  /** One friend's answer to our registration: a null reason when it took it. */
  private record Registration(String friend, String reason) {}

  /**
   * Registers this peer with a friend; the outcome goes to the table and never fails. The friend is
   * probed first: that is where it proves its id, and a friend that cannot is not told about us.
   */
  private Future<Registration> registerWith(String friend) {
    long now = System.currentTimeMillis();
    p.peers().add(friend, PeerTable.Source.FRIEND, now);
    return p.health()
        .why(friend)
        .compose(
            unusable -> {
              if (unusable != null) {
                return Future.succeededFuture(new Registration(friend, unusable));
              }
              return p.probe()
                  .register(friend, p.self(), p.config().timeouts().friend().toMillis())
                  .map(v -> new Registration(friend, null))
                  .otherwise(
                      err -> {
                        p.peers().markFailure(friend, System.currentTimeMillis());
                        // The remote client's words are the reasons of PeerCallException, never
                        // ours.
                        return new Registration(
                            friend,
                            err instanceof PeerCallException pce ? pce.getMessage() : "error");
                      });
            });
  }

  private JsonObject bootstrapAnswer(List<Future<Registration>> calls) {
    JsonArray registered = new JsonArray();
    JsonArray failed = new JsonArray();
    JsonArray failures = new JsonArray();
    for (Future<Registration> call : calls) {
      Registration r = call.result();
      if (r.reason() == null) {
        registered.add(r.friend());
      } else {
        failed.add(r.friend());
        failures.add(new JsonObject().put("peer", r.friend()).put("reason", r.reason()));
      }
    }
    return new JsonObject()
        .put("ok", failed.isEmpty())
        .put("peer", p.config().node().name())
        .put("registered", registered)
        .put("failed", failed)
        .put("failures", failures)
        .put("known_peers", withSelf(p.peers().healthyUrls()));
  }

  /**
   * {@code GET /content/{root}/pieces?piece_size=}: the piece layer a downloader checks pieces by.
   */
  private void pieces(RoutingContext ctx) {
    FileServing.Content c = FileServing.content(p.index(), p.queue(), ctx.pathParam("root"));
    FileEntry e = c.entry();
    int pieceSize = (int) Params.number(ctx, "piece_size", 0, 0, 1 << 30, false);
    if (pieceSize != 0 && pieceSize < e.layer().pieceSize() && c.partial() != null) {
      // A part has holes: a narrower layer would mean hashing them.
      throw new BadRequest(
          404,
          "not_found",
          "still downloading here: its layer only at piece sizes from " + e.layer().pieceSize());
    }
    PieceLayers.of(e, pieceSize, p.worker())
        .onSuccess(
            layer ->
                Errors.json(
                    ctx,
                    200,
                    new JsonObject()
                        .put("root", e.root())
                        .put("size", e.size())
                        .put("piece_size", layer.pieceSize())
                        .put("pieces", new JsonArray(layer.hex()))))
        .onFailure(
            err ->
                ctx.fail(
                    err instanceof IllegalArgumentException
                        ? new BadRequest("bad_parameter", "piece_size: " + err.getMessage())
                        : err instanceof IllegalStateException
                            ? new BadRequest(
                                409, "changed", err.getMessage() + "; retry after the next scan")
                            : err));
  }

  /**
   * {@code GET /content/{root}/have}: which pieces (at the default piece size) this peer can serve:
   * all of a shared file, the verified ones of a download under way. {@code have} is the bitmap in
   * base64, piece {@code i} in byte {@code i / 8}, bit {@code i % 8} (least significant first).
   */
  private void have(RoutingContext ctx) {
    FileServing.Content c = FileServing.content(p.index(), p.queue(), ctx.pathParam("root"));
    FileEntry e = c.entry();
    io.peerd.transfer.PartialContent.Partial partial = c.partial();
    int pieces = e.layer().pieces();
    java.util.BitSet have = partial != null ? partial.have() : new java.util.BitSet(pieces);
    if (partial == null) {
      have.set(0, pieces);
    }
    Errors.json(
        ctx,
        200,
        new JsonObject()
            .put("root", e.root())
            .put("size", e.size())
            .put("piece_size", e.layer().pieceSize())
            .put("pieces", pieces)
            .put("count", have.cardinality())
            .put("complete", partial == null)
            .put("have", java.util.Base64.getEncoder().encodeToString(have.toByteArray())));
  }

  private void rescan(RoutingContext ctx) {
    p.index()
        .refresh()
        .onSuccess(
            r ->
                Errors.json(
                    ctx,
                    200,
                    new JsonObject()
                        .put("files", r.snapshot().size())
                        .put("generation", r.snapshot().generation())
                        .put("hashed", r.hashed())
                        .put("skipped", r.skipped())
                        .put("took_ms", r.tookMillis())))
        .onFailure(ctx::fail);
  }
}
