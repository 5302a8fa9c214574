package io.peerd.node;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.peerd.Monotonic;
import io.peerd.api.LocalFiles;
import io.peerd.api.RestApi;
import io.peerd.config.PeerConfig;
import io.peerd.discovery.Announcement;
import io.peerd.discovery.LocalDiscovery;
import io.peerd.doctor.Doctor;
import io.peerd.downloads.Downloads;
import io.peerd.downloads.State;
import io.peerd.identity.Identity;
import io.peerd.identity.PeerId;
import io.peerd.identity.PeerRecord;
import io.peerd.identity.Tls;
import io.peerd.index.FileIndex;
import io.peerd.index.HashCache;
import io.peerd.metrics.Metrics;
import io.peerd.peers.HealthChecker;
import io.peerd.peers.Link;
import io.peerd.peers.PeerExchange;
import io.peerd.peers.PeerStore;
import io.peerd.peers.PeerTable;
import io.peerd.peers.PeerUrl;
import io.peerd.peers.Trust;
import io.peerd.remote.ContentSources;
import io.peerd.remote.HttpPeerClient;
import io.peerd.remote.HttpRanges;
import io.peerd.rpc.FileTransferRpc;
import io.peerd.rpc.TransferClient;
import io.peerd.search.SearchService;
import io.peerd.search.SeenQueries;
import io.peerd.search.Summaries;
import io.peerd.store.Db;
import io.peerd.transfer.Bandwidth;
import io.peerd.transfer.RateLimiter;
import io.peerd.transfer.Swarm;
import io.peerd.transfer.Upload;
import io.peerd.transfer.Uploads;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.VerticleBase;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.http.Http2Settings;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.KeyCertOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.TrustOptions;
import io.vertx.ext.web.Router;
import io.vertx.grpc.health.HealthService;
import io.vertx.grpc.reflection.ReflectionService;
import io.vertx.grpc.server.GrpcServer;
import io.vertx.grpc.server.GrpcServerOptions;
import io.vertx.micrometer.PrometheusScrapingHandler;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One peer. Owns its state and serves REST and gRPC on one event loop: requests whose content-type
 * is {@code application/grpc*} go to the gRPC server, the rest to the router, on the REST port; the
 * seed's separate {@code grpc_port} serves gRPC only.
 */
public final class PeerVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(PeerVerticle.class);

  public static final String VERSION = versionOf();

  private final PeerConfig config;
  private final Metrics metrics;
  private FileIndex index;
  private PeerTable peers;
  private SearchService search;
  private Summaries summaries;
  private Future<Summaries.Local> localSummary;
  private long localSummaryGeneration = -1;
  private HealthChecker health;
  private HttpPeerClient client;
  private HttpServer restServer;
  private HttpServer grpcServer;
  private HttpServer metricsServer;
  private HttpServer secureServer;
  private String self;

  /** This peer's key and id; null with {@code identity: false}. */
  private Identity identity;

  /** Checks other peers for {@code GET /doctor}, as this peer sees them. */
  private Doctor doctor;

  private String secureUrl;
  private PeerRecord record;
  private PeerExchange exchange;
  private String grpcUrl;
  private Future<?> firstScan;
  private final List<Long> timers = new ArrayList<>();

  /** A friend that did not take our registration is asked again, 1 s later, doubling to 60 s. */
  static final long JOIN_FIRST_RETRY_MS = 1000;

  static final long JOIN_MAX_RETRY_MS = 60_000;

  /** The next registration retry, or -1: one timer at a time, however long friends refuse. */
  private long joinTimer = -1;

  private boolean stopping;

  /** Requests and transfers running on the secure port, for a stop that waits for them only. */
  private final InFlight secureRequests = new InFlight();

  private LoopLag loopLag;

  private final Map<String, String> problems = new HashMap<>();
  private PeerStore store;
  private WorkerExecutor io;
  private RateLimiter downloads;
  private Uploads uploads;
  private Db db;
  private Downloads queue;
  private RestApi api;
  private TransferClient transfers;
  private HttpRanges ranges;

  /** LAN discovery, null when {@code local_discovery} is off (or before the network starts). */
  private LanPeers lan;

  /** Random per start: how others on the LAN tell a restart from a repeat. */
  private final long instance = new SecureRandom().nextLong();

  private LocalDiscovery.Settings discoverySettings;
  private LocalDiscovery.Targets discoveryTargets;

  /** Everything this peer serves, both wires and every client, under {@code upload_rate_limit}. */
  private Bandwidth served;

  /** Until everything is wired (the self URL may depend on the port we get), answer 503. */
  private Handler<HttpServerRequest> rest =
      req ->
          req.response()
              .setStatusCode(503)
              .putHeader(HttpHeaders.RETRY_AFTER, "1")
              .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
              .end("{\"error\":\"starting\",\"detail\":\"this peer is starting: retry in 1 s\"}");

  /** The same routes on the secure port, which counts what runs on it ({@link #stop}). */
  private Handler<HttpServerRequest> secureRest = rest;

  public PeerVerticle(PeerConfig config) {
    this(config, Metrics.newRegistry());
  }

  /**
   * @param registry where this peer's meters go (the daemon's Vert.x reports HTTP metrics there
   *     too)
   */
  public PeerVerticle(PeerConfig config, PrometheusMeterRegistry registry) {
    this.config = config;
    this.metrics = new Metrics(registry, config.node().name());
  }

  /**
   * Other discovery timers or destinations than the defaults (every 30 s, to each segment's
   * broadcast address and the IPv6 group): for tests, which send by unicast on loopback. Before
   * deployment only.
   */
  public PeerVerticle discovery(LocalDiscovery.Settings settings, LocalDiscovery.Targets targets) {
    this.discoverySettings = settings;
    this.discoveryTargets = targets;
    return this;
  }

  /**
   * Opens the ports first (the self URL may depend on the port we get), then wires the pieces that
   * need it and restores the saved peer table. Requests before that are answered 503.
   */
  @Override
  public Future<?> start() {
    long startedAt = System.currentTimeMillis();
    long startedAtNanos = System.nanoTime();
    // Pool names are metric labels: unique per peer (tests run many in one JVM), few per process.
    String pools = config.node().name() + "-" + UUID.randomUUID().toString().substring(0, 8);
    index = new FileIndex(vertx, config.sharedDir(), "peer-index-" + pools);
    io = vertx.createSharedWorkerExecutor("peer-io-" + pools, 2, 10, TimeUnit.MINUTES);
    downloads = new RateLimiter(config.limits().downloadsPerMinute(), 10_000);
    served = new Bandwidth(vertx, config.transfers().uploadRateLimit());
    loopLag = new LoopLag(vertx);
    loopLag.start();
    uploads =
        new Uploads(
            vertx,
            io,
            config.sharedDir(),
            config.uploads(),
            config.timeouts().streamIdle(),
            index::refresh,
            metrics);
    HttpServerOptions options = serverOptions();
    // The database opens on its worker while the identity loads on another and the loop makes the
    // servers: each took 50-190 ms of the start-up on JDK 17, one after the other.
    Future<Db> opening = openDb(pools);
    Future<Identity> loading = loadIdentity();
    // Made while the identity loads (its key check alone is 40-80 ms of interpreted Ed25519): the
    // gRPC services do not depend on it.
    Fronts grpc = grpcServer();
    return loading
        .compose(
            id -> {
              identity = id;
              client =
                  new HttpPeerClient(
                      vertx,
                      new HttpPeerClient.Limits(8 * 1024 * 1024, 1000, 1000),
                      config.access().token(),
                      config.tls() == null ? null : config.tls().ca(),
                      identity,
                      this::link);
              doctor =
                  new Doctor(vertx, Doctor.Settings.defaults(identity, config.access().token()));
              return listen(options, grpc);
            })
        .map(
            v -> {
              int restPort = restServer.actualPort();
              self = config.advertisedUrl(restPort);
              int grpcPort = grpcServer != null ? grpcServer.actualPort() : restPort;
              grpcUrl =
                  (options.isSsl() ? "grpcs://" : "grpc://") + PeerUrl.host(self) + ":" + grpcPort;
              if (identity != null) {
                secureUrl = "https://" + PeerUrl.host(self) + ":" + secureServer.actualPort();
                record = PeerRecord.sign(identity, List.of(self, secureUrl), startedAt);
              }
              store = config.stateDir() == null ? null : new PeerStore(vertx, config.stateDir());
              return this;
            })
        .compose(v -> openQueue(opening))
        .map(
            v -> {
              rest = wire(startedAtNanos);
              secureRest = identity == null ? rest : api.router(secureRequests::started);
              return this;
            })
        .compose(v -> restoreTable())
        .onSuccess(
            v -> {
              startNetwork();
              if (config.peers().registerOnStart()) {
                join(config.friends(), JOIN_FIRST_RETRY_MS);
              }
            })
        // A start that failed after the database opened leaves nothing open behind it.
        .onFailure(err -> opening.onSuccess(Db::close))
        .map(this);
  }

  /**
   * The key and certificate in {@code state_dir} (made on first start), on a worker: key generation
   * and file writes block. A corrupt file stops the peer, naming the file; without a state_dir the
   * peer gets a new id at every start.
   */
  private Future<Identity> loadIdentity() {
    if (!config.trust().identity()) {
      return Future.succeededFuture(null);
    }
    Path dir = config.stateDir();
    return vertx.executeBlocking(
        () -> dir == null ? Identity.generate() : Identity.loadOrCreate(dir), false);
  }

  /** How a call to that peer goes: the table decides once it exists. */
  private Link link(String url) {
    return peers == null ? Link.plain(url) : peers.link(url);
  }

  /**
   * The database ({@code state_dir/peer.db}; in memory without a state_dir) and the download queue
   * on it, with the swarm engine the command line uses. The peer does not start without them.
   */
  private Future<Db> openDb(String pools) {
    Path file = config.stateDir() == null ? null : config.stateDir().resolve("peer.db");
    return Db.open(
            vertx,
            file,
            java.util.Map.of("downloads", Downloads.schema(), "index", HashCache.schema()),
            "peer-db-" + pools)
        .recover(
            err ->
                Future.failedFuture(
                    new IllegalStateException(
                        "cannot open the database " + file + ": " + err.getMessage(), err)))
        .onSuccess(opened -> db = opened);
  }

  /** The download queue, on the database once it is open. */
  private Future<?> openQueue(Future<Db> opening) {
    transfers =
        new TransferClient(
            vertx,
            TransferClient.STALL_MILLIS,
            identity,
            address ->
                peers == null ? Link.plain(null) : peers.linkAt(address.host(), address.port()));
    ranges =
        new HttpRanges(
            vertx,
            config.access().token(),
            config.tls() == null ? null : config.tls().ca(),
            identity,
            this::link);
    Swarm swarm =
        new Swarm(
            vertx,
            transfers,
            ranges,
            new Bandwidth(vertx, config.transfers().downloadRateLimit()),
            Swarm.Options.defaults());
    // Lookups go through this peer's own search, as a user's would.
    ContentSources lookup =
        new ContentSources(client, self, config.timeouts().search().toMillis(), this::link);
    return opening
        .compose(
            opened -> {
              index.useCache(new HashCache(opened));
              return Downloads.open(
                      vertx, opened, swarm, lookup, index, config.sharedDir(), config.downloads())
                  .recover(
                      err ->
                          Future.failedFuture(
                              new IllegalStateException(
                                  "cannot use download_dir "
                                      + config.sharedDir().resolve(config.downloads().dir())
                                      + ": "
                                      + err.getMessage(),
                                  err)));
            })
        .onSuccess(
            q -> {
              queue = q;
              // Read at each scrape, on this verticle's loop, which alone touches the queue.
              for (State state : State.values()) {
                metrics.gauge(
                    "peer_downloads",
                    "Downloads in the queue by state",
                    q,
                    d -> d.count(state),
                    "state",
                    state.wire());
              }
            });
  }

  /**
   * The seed's FileTransfer service, with gRPC health and reflection; downloads are served on their
   * HTTP/2 streams directly ({@link FileTransferRpc#front}).
   */
  private Fronts grpcServer() {
    // Upload chunks may be as large as download chunks (1 MiB); gRPC's customary limit is 4 MiB.
    GrpcServer grpc = GrpcServer.server(vertx, new GrpcServerOptions().setMaxMessageSize(4 << 20));
    FileTransferRpc rpc =
        new FileTransferRpc(
            vertx,
            new FileTransferRpc.Parts(
                index::snapshot,
                config.transfers(),
                downloads,
                uploads,
                config.timeouts().streamIdle().toMillis(),
                config.access(),
                io,
                served,
                // The queue opens after the gRPC server is made: asked for once it is there.
                root -> queue == null ? null : queue.find(root)),
            metrics);
    grpc.addService(rpc.service());
    grpc.addService(HealthService.create(vertx));
    grpc.addService(ReflectionService.v1());
    return new Fronts(rpc.front(grpc), rpc.front(grpc, secureRequests::started));
  }

  /** Where gRPC calls go: from the secure port, counted until each is over ({@link #stop}). */
  private record Fronts(Handler<HttpServerRequest> plain, Handler<HttpServerRequest> secure) {}

  /**
   * What every port of the peer shares: bounds on requests, HTTP/2 windows, TLS when configured.
   */
  private HttpServerOptions serverOptions() {
    HttpServerOptions options =
        new HttpServerOptions()
            .setHost(config.node().bindHost())
            .setPort(config.node().restPort())
            // Idle connections (and requests that stop half-way) are closed after 60 s.
            .setIdleTimeout(60)
            .setMaxHeaderSize(16 * 1024)
            .setMaxInitialLineLength(8 * 1024)
            .setMaxFormAttributeSize(64 * 1024)
            // HTTP/2 (gRPC) flow-control windows: the 64 KiB default caps a download at one window
            // per round trip; these let a stream run at loopback speed with bounded buffering.
            .setInitialSettings(
                new Http2Settings()
                    .setInitialWindowSize(4 << 20)
                    .setMaxFrameSize(64 * 1024)
                    .setMaxConcurrentStreams(256))
            .setHttp2ConnectionWindowSize(16 << 20);
    if (config.tls() != null && config.tls().serves()) {
      // One certificate for every port; ALPN lets gRPC clients pick HTTP/2 over TLS.
      options
          .setSsl(true)
          .setUseAlpn(true)
          .setKeyCertOptions(
              new PemKeyCertOptions()
                  .setCertPath(config.tls().cert())
                  .setKeyPath(config.tls().key()));
    }
    return options;
  }

  /**
   * The REST port (gRPC too, by content-type), and the seed's extra ports when configured: a
   * gRPC-only {@code grpc_port} and a {@code metrics_port} that serves {@code /metrics} alone.
   */
  private Future<?> listen(HttpServerOptions options, Fronts grpc) {
    ConnectionLimiter connections = new ConnectionLimiter(config.limits().connectionsPerClient());
    metrics.counter(
        "peer_connections_refused_total",
        "Connections closed for being over max_connections_per_client",
        connections,
        c -> c.refused());
    restServer =
        vertx
            .createHttpServer(options)
            .connectionHandler(connections::handle)
            .requestHandler(req -> (isGrpc(req) ? grpc.plain() : rest).handle(req));
    List<Future<?>> listening = new ArrayList<>();
    listening.add(restServer.listen());
    if (config.node().metricsPort() >= 0) {
      // The seed read metrics_port but never bound it; here it serves /metrics alone.
      Router metricsRouter = Router.router(vertx);
      metricsRouter.get("/metrics").handler(PrometheusScrapingHandler.create(metrics.registry()));
      metricsServer =
          vertx
              .createHttpServer(new HttpServerOptions(options).setPort(config.node().metricsPort()))
              .requestHandler(metricsRouter);
      listening.add(metricsServer.listen());
    }
    if (identity != null) {
      secureServer =
          vertx
              .createHttpServer(secureOptions(options))
              .connectionHandler(
                  new ConnectionLimiter(config.limits().connectionsPerClient())::handle)
              .requestHandler(req -> (isGrpc(req) ? grpc.secure() : secureRest).handle(req));
      listening.add(secureServer.listen());
    }
    if (config.node().grpcPort() >= 0) {
      grpcServer =
          vertx
              .createHttpServer(new HttpServerOptions(options).setPort(config.node().grpcPort()))
              .connectionHandler(
                  new ConnectionLimiter(config.limits().connectionsPerClient())::handle)
              .requestHandler(grpc.plain());
      listening.add(grpcServer.listen());
    }
    return Future.all(listening);
  }

  /**
   * The secure port: the same bounds, TLS 1.3 only, this peer's own certificate, and the caller's
   * requested (not required: curl and browsers connect without one and are unauthenticated).
   */
  private HttpServerOptions secureOptions(HttpServerOptions plain) {
    return new HttpServerOptions(plain)
        .setPort(config.trust().securePort())
        .setSsl(true)
        .setUseAlpn(true)
        .setEnabledSecureTransportProtocols(java.util.Set.of("TLSv1.3"))
        .setKeyCertOptions(KeyCertOptions.wrap(Tls.keyManager(identity)))
        .setTrustOptions(TrustOptions.wrap(Tls.anyCertificate()))
        .setClientAuth(ClientAuth.REQUEST);
  }

  private final SecureRandom random = new SecureRandom();

  private Router wire(long startedAtNanos) {
    PeerConfig.PeerSettings ps = config.peers();
    Duration interval = config.timeouts().healthCheck();
    peers =
        new PeerTable(
            self,
            ps.max(),
            interval,
            ps.maxBackoff(),
            ps.forgetAfter(),
            new PeerTable.Policy(
                identity == null ? null : identity.id(), config.trust().allowUnauthenticated()));
    long now = System.currentTimeMillis();
    for (String friend : config.friends()) {
      PeerId pin = config.trust().pins().get(friend);
      peers.add(friend, PeerTable.Source.FRIEND, now, pin == null ? Trust.NONE : Trust.pinned(pin));
    }
    long callTimeout = config.timeouts().friend().toMillis();
    // Signatures are checked off the event loop.
    java.util.function.Function<List<PeerRecord>, Future<List<String>>> verify =
        records -> io.executeBlocking(() -> PeerExchange.problems(records), false);
    health = new HealthChecker(peers, client, callTimeout, System::currentTimeMillis, verify);
    exchange =
        new PeerExchange(
            peers,
            client,
            ps.exchangeMax(),
            callTimeout,
            System::currentTimeMillis,
            random,
            verify);
    LocalFiles local = new LocalFiles(index, queue, self, grpcUrl);
    summaries = new Summaries(client, interval.toMillis(), callTimeout, Monotonic::millis);
    search =
        new SearchService(
            self,
            local::search,
            peers,
            client,
            new SearchService.Settings(
                config.routing().maxFanout(),
                callTimeout,
                1000,
                1000,
                config.routing().checkEvery()),
            new SeenQueries(config.seen().maxIds(), config.seen().maxAge().toMillis()),
            System::currentTimeMillis,
            random,
            summaries,
            loopLag);
    api =
        new RestApi(
            vertx,
            new RestApi.Parts(
                config,
                self,
                grpcUrl,
                index,
                local,
                peers,
                search,
                health,
                client,
                downloads,
                startedAtNanos,
                VERSION,
                this::problems,
                metrics,
                uploads,
                io,
                this::localSummary,
                served,
                queue,
                identity == null
                    ? RestApi.Me.NOBODY
                    : new RestApi.Me(identity.id(), secureUrl, record),
                doctor,
                this::lanStats,
                () -> store == null ? Future.succeededFuture() : saveTable(),
                loopLag));
    registerMeters();
    index.onChange(snap -> noticeToNeighbours());

    // Temporary files of uploads a crash interrupted go before the first scan could see them.
    // The watch starts first: the scan registers each directory before it reads it, so nothing
    // written meanwhile is missed.
    firstScan =
        io.executeBlocking(
                () -> Upload.cleanLeftovers(config.sharedDir(), config.uploads().dir()), false)
            .onFailure(err -> problem("uploads", err))
            .transform(
                ignored ->
                    config.watchSharedDir()
                        ? index.watch(FileIndex.Watching.DEFAULTS)
                        : Future.succeededFuture())
            .transform(ignored -> index.rescan())
            .onSuccess(r -> cacheState())
            .onFailure(err -> problem("index", err))
            // Downloads wait for the first scan: what they already finished is in it.
            .onComplete(x -> queue.start());
    timers.add(
        vertx.setPeriodic(
            config.timeouts().rescan().toMillis(),
            t ->
                index
                    .rescan()
                    .onSuccess(r -> cacheState())
                    .onFailure(err -> problem("index", err))));
    return api.router();
  }

  /**
   * Probes, summaries, peer exchange and saving the table: started once the saved table is back, so
   * that no probe binds a peer to an id before the id it proved last time is known again.
   */
  private void startNetwork() {
    Duration interval = config.timeouts().healthCheck();
    // Probe rounds run more often than the interval so a peer's backoff expiry is noticed soon.
    long tick = Math.max(100, Math.min(interval.toMillis(), 1000));
    timers.add(vertx.setPeriodic(tick, t -> health.round()));
    timers.add(vertx.setPeriodic(tick, t -> summaries.round(peers.healthyUrls(), peers.urls())));
    if (config.peers().exchange()) {
      timers.add(vertx.setPeriodic(interval.toMillis(), t -> exchange.round()));
    }
    if (store != null) {
      timers.add(vertx.setPeriodic(Math.max(tick, 1000), t -> saveTable()));
    }
    if (config.peers().localDiscovery()) {
      startDiscovery();
    }
  }

  /**
   * Announces this peer on its LAN and adds the peers heard there once verified: their /health
   * answers and, with an id, their secure port proves it. Bind failures go to /status problems.
   */
  private void startDiscovery() {
    lan =
        new LanPeers(
                new LanPeers.Parts(
                    vertx,
                    discoverySettings != null
                        ? discoverySettings
                        : LocalDiscovery.Settings.defaults(config.peers().discoveryPort()),
                    discoveryTargets,
                    () -> new Announcement(id(), List.of(self), instance),
                    client,
                    config.timeouts().friend().toMillis(),
                    identity != null,
                    peers,
                    self,
                    config.node().bindHost(),
                    (area, text) -> problem(area, new IllegalStateException(text)),
                    problems::remove))
            .start(metrics);
  }

  private JsonObject lanStats() {
    return LanPeers.stats(lan);
  }

  /** LAN discovery, or null when it is off: tests send to its port and read its counters. */
  public LocalDiscovery localDiscovery() {
    return lan == null ? null : lan.discovery();
  }

  /** When neighbours were last told that the index changed; -1: a notice is on its timer. */
  private long noticeSentAt;

  private long noticeTimer = -1;

  /**
   * Tells healthy neighbours that the index changed, so their summary of it is fresh within a
   * second instead of at their next refresh; at most one notice a second, with the newest
   * generation.
   */
  private void noticeToNeighbours() {
    if (noticeTimer != -1 || stopping) {
      return;
    }
    long wait = noticeSentAt + Summaries.MIN_REFETCH_MILLIS - Monotonic.millis();
    noticeTimer =
        vertx.setTimer(
            Math.max(1, wait),
            t -> {
              noticeTimer = -1;
              noticeSentAt = Monotonic.millis();
              summaries.announce(peers.healthyUrls(), self, index.snapshot().generation());
            });
  }

  private void cacheState() {
    problems.remove("index");
    if (index.cacheProblem() == null) {
      problems.remove("hash cache");
    } else {
      problem("hash cache", new IllegalStateException(index.cacheProblem()));
    }
  }

  /** Built on a worker once per index generation; concurrent callers share the same future. */
  private Future<Summaries.Local> localSummary() {
    long generation = index.snapshot().generation();
    if (localSummary == null || localSummaryGeneration != generation) {
      localSummaryGeneration = generation;
      var names = index.snapshot().byName().keySet();
      localSummary =
          io.executeBlocking(
              () -> Summaries.local(generation, names, config.routing().summaryBits()), false);
    }
    return localSummary;
  }

  private void registerMeters() {
    metrics.counter(
        "peer_records_dropped_total",
        "Signed peer records dropped by peer exchange",
        exchange,
        e -> e.badSignatures(),
        "reason",
        "bad_signature");
    metrics.counter(
        "peer_records_dropped_total",
        "Signed peer records dropped by peer exchange",
        exchange,
        e -> e.stale(),
        "reason",
        "stale");
    metrics.gauge("peer_peers_known", "Peers in the table", peers, t -> t.size());
    metrics.gauge(
        "peer_peers_healthy", "Healthy peers in the table", peers, t -> t.healthyUrls().size());
    metrics.gauge("peer_index_files", "Files shared", index, i -> i.snapshot().size());
    metrics.gauge("peer_index_bytes", "Bytes shared", index, i -> i.snapshot().totalBytes());
    metrics.counter(
        "peer_search_processed_total",
        "Queries processed (first sight of an id)",
        search,
        s -> s.stats().processed());
    metrics.counter(
        "peer_search_duplicates_total",
        "Queries dropped as already seen",
        search,
        s -> s.stats().duplicates());
    metrics.counter(
        "peer_search_origin_checks_total",
        "Walkers' checks with the origin of their search",
        search,
        s -> s.stats().checks());
    metrics.counter(
        "peer_search_forwarded_total",
        "Queries forwarded to neighbours",
        search,
        s -> s.stats().forwarded());
    metrics.counter(
        "peer_search_neighbour_failures_total",
        "Neighbour calls that failed or timed out",
        search,
        s -> s.stats().neighbourFailures());
    metrics.counter(
        "peer_search_neighbour_timeouts_total",
        "Neighbour calls that timed out",
        search,
        s -> s.stats().neighbourTimeouts());
    metrics.counter(
        "peer_search_timeouts_while_late_total",
        "Neighbour calls that timed out while this peer's own loop was behind (not held against"
            + " the neighbour)",
        search,
        s -> s.stats().timeoutsWhileLate());
    metrics.counter(
        "peer_search_busy_holds_total",
        "Neighbours that answered busy (503 or 429) and were left out of routing for their"
            + " Retry-After, their health untouched",
        search,
        s -> s.stats().busyHolds());
  }

  /**
   * Registers with those friends ({@code register_on_start}); the ones that did not take it (down,
   * or too slow while a network starts all at once) are asked again later, until each has.
   */
  private void join(List<String> friends, long retryMs) {
    if (friends.isEmpty()) {
      return;
    }
    api.registerWith(friends)
        .onSuccess(
            failed -> {
              if (!failed.isEmpty() && !stopping) {
                joinTimer =
                    vertx.setTimer(
                        retryMs, t -> join(failed, Math.min(retryMs * 2, JOIN_MAX_RETRY_MS)));
              }
            });
  }

  /**
   * Restores the saved table; a corrupt or unreadable file is reported and ignored, never fatal.
   */
  private Future<?> restoreTable() {
    if (store == null) {
      return Future.succeededFuture();
    }
    return store
        .load(config.peers().max())
        .otherwise(err -> new PeerStore.Loaded(List.of(), "cannot read: " + err.getMessage()))
        .map(
            loaded -> {
              if (loaded.problem() != null) {
                problem(
                    "state",
                    new IllegalStateException(store.file() + " ignored: " + loaded.problem()));
              }
              long now = System.currentTimeMillis();
              loaded.peers().forEach(saved -> peers.restore(saved, now));
              return loaded;
            });
  }

  private Future<Void> saveTable() {
    return store
        .saveIfChanged(peers)
        .onSuccess(v -> problems.remove("save"))
        .onFailure(err -> problem("save", err));
  }

  /** Problems that do not stop the peer but that an operator must see: logged and in /status. */
  private void problem(String area, Throwable err) {
    String text = err.getMessage() == null ? err.getClass().getSimpleName() : err.getMessage();
    if (!text.equals(problems.put(area, text))) {
      LOG.warn("peer {}: {}: {}", config.node().name(), area, text);
    }
  }

  private JsonObject problems() {
    JsonObject all = new JsonObject(new java.util.LinkedHashMap<>(problems));
    if (index.watchProblem() != null) {
      all.put("watch", index.watchProblem()); // an inotify limit: periodic scans instead
    }
    if (queue != null && queue.problem() != null) {
      all.put("downloads", queue.problem()); // a row the database would not take
    }
    return all;
  }

  private static boolean isGrpc(HttpServerRequest req) {
    String ct = req.getHeader("content-type");
    return ct != null && ct.startsWith("application/grpc");
  }

  /** What a stop waits beyond the grace for its servers, and for the database to close. */
  static final long STOP_SLACK_MS = 5_000;

  @Override
  public Future<?> stop() {
    stopping = true;
    timers.forEach(vertx::cancelTimer);
    if (loopLag != null) {
      loopLag.stop();
    }
    Future<?> lanClosed = lan == null ? Future.succeededFuture() : lan.close();
    vertx.cancelTimer(joinTimer);
    vertx.cancelTimer(noticeTimer);
    // Graceful: the listening sockets close at once, requests and transfers already running get
    // the grace period to finish (HTTP/2 clients are told with GOAWAY), then connections close.
    long grace = config.timeouts().shutdownGrace().toMillis();
    // Downloads first: each saves its verified pieces while the database is still open.
    Future<?> downloads = queue == null ? Future.succeededFuture() : queue.close();
    List<Future<?>> servers = new ArrayList<>();
    servers.add(restServer.shutdown(grace, TimeUnit.MILLISECONDS));
    if (grpcServer != null) {
      servers.add(grpcServer.shutdown(grace, TimeUnit.MILLISECONDS));
    }
    if (metricsServer != null) {
      servers.add(metricsServer.close());
    }
    if (secureServer != null) {
      // Its shutdown alone waited out the whole grace with no connection left to wait for (seen
      // with many TLS peers stopping around it): once nothing runs on it, it is closed.
      Future<Void> draining = secureServer.shutdown(grace, TimeUnit.MILLISECONDS);
      servers.add(
          Future.any(draining, secureRequests.idle().compose(v -> secureServer.close()))
              .<Void>mapEmpty()
              .recover(err -> secureServer.close()));
    }
    servers.add(downloads);
    servers.add(lanClosed);
    // Each stage is bounded, so that a stop always ends: one that never did (DownloadsTest's full
    // disk, CI of 7ce272e, seen before in issue 19) left no trace of which stage it waited on.
    long serversBound = grace + STOP_SLACK_MS;
    return Future.join(servers)
        .timeout(serversBound, TimeUnit.MILLISECONDS)
        .recover(
            err -> {
              LOG.warn(
                  "stop of {}: servers, downloads and LAN discovery not all closed within {} ms"
                      + " (servers {}, downloads {}, LAN {}); going on",
                  config.node().name(),
                  serversBound,
                  servers.subList(0, servers.size() - 2).stream()
                      .map(f -> f.isComplete() ? "done" : "waiting")
                      .toList(),
                  downloads.isComplete() ? "done" : "waiting",
                  lanClosed.isComplete() ? "done" : "waiting");
              return Future.succeededFuture();
            })
        .eventually(
            () ->
                db == null
                    ? Future.succeededFuture()
                    : db.close()
                        .timeout(STOP_SLACK_MS, TimeUnit.MILLISECONDS)
                        .onFailure(
                            err ->
                                LOG.warn(
                                    "stop of {}: the database not closed within {} ms; going on",
                                    config.node().name(),
                                    STOP_SLACK_MS)))
        .eventually(
            () ->
                store == null ? Future.succeededFuture() : saveTable().timeout(5, TimeUnit.SECONDS))
        .eventually(
            () -> {
              client.close();
              if (doctor != null) {
                doctor.close();
              }
              if (transfers != null) {
                transfers.close();
                ranges.close();
              }
              index.close();
              io.close();
              return Future.succeededFuture();
            });
  }

  /** The URL other peers reach this one at; known once start() has completed. */
  public String selfUrl() {
    return self;
  }

  /** This peer's id, or null with {@code identity: false}. */
  public PeerId id() {
    return identity == null ? null : identity.id();
  }

  /** The secure port's URL, or null with {@code identity: false}. */
  public String secureUrl() {
    return secureUrl;
  }

  /** The secure port, or -1. */
  public int securePort() {
    return secureServer == null ? -1 : secureServer.actualPort();
  }

  public int restPort() {
    return restServer.actualPort();
  }

  /** The metrics_port server's port, or -1 when none is configured. */
  public int metricsPort() {
    return metricsServer != null ? metricsServer.actualPort() : -1;
  }

  public int grpcPort() {
    return grpcServer != null ? grpcServer.actualPort() : restServer.actualPort();
  }

  /** Completes when the first index scan has finished: tests and startup logs wait on it. */
  public Future<?> firstScan() {
    return firstScan;
  }

  private static String versionOf() {
    String v = PeerVerticle.class.getPackage().getImplementationVersion();
    return v == null ? "dev" : v;
  }
}
