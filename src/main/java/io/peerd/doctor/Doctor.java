package io.peerd.doctor;

import io.peerd.identity.Identity;
import io.peerd.identity.PeerId;
import io.peerd.identity.Tls;
import io.peerd.rpc.HealthProbe;
import io.peerd.search.FileHit;
import io.peerd.wire.WireJson;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.KeyCertOptions;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.TrustOptions;
import java.net.InetAddress;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Checks a peer in order (dns, tcp, tls, http, grpc, search, range), each step with its own
 * deadline. The first failure ends the run: the later steps are reported as skipped, since each
 * needs what the earlier ones proved. Every step is a future that succeeds with its outcome;
 * nothing here blocks (the name is resolved on a worker).
 */
public final class Doctor implements AutoCloseable {

  /**
   * @param stepMillis the deadline of each step but the download
   * @param rangeMillis the deadline of the range download
   * @param rangeBytes how much of a file the range step takes at most
   * @param identity presented on TLS connections (a peer's secure port asks for a certificate, and
   *     does not need one); null: none
   * @param token sent as {@code Authorization: Bearer} to everything but {@code /health}, or null
   */
  public record Settings(
      long stepMillis, long rangeMillis, int rangeBytes, Identity identity, String token) {

    public static Settings defaults(Identity identity, String token) {
      return new Settings(DEFAULT_STEP_MS, DEFAULT_RANGE_MS, 1 << 20, identity, token);
    }

    /** The longest a whole run can take: every step at its deadline, and some slack. */
    public long totalMillis() {
      return 6 * stepMillis + rangeMillis + 2_000;
    }
  }

  /** A step's deadline: well above a healthy peer's answer on a loaded 2-core machine (~100 ms). */
  public static final long DEFAULT_STEP_MS = 4_000;

  /** 1 MiB at 1 Mbit/s takes 8 s. */
  public static final long DEFAULT_RANGE_MS = 15_000;

  /** A search that matches (almost) nothing: the answer is small on a peer of any size. */
  static final String SEARCH_QUERY = "peerd-doctor";

  static final String NOT_RUN = "not run: an earlier step failed";

  /** Addresses of a name the tcp step tries, in turn (an IPv6 and an IPv4 one, typically). */
  static final int TRIED = 2;

  /**
   * JSON answers read (health, search, /files): /files of 20,000 files is about 8 MiB, the cap of a
   * peer's own calls too; two runs at a time stay within a 64 MiB heap.
   */
  static final int MAX_JSON_BYTES = 8 << 20;

  private final Vertx vertx;
  private final Settings settings;

  /**
   * Made at the first run, not with the peer: most peers are never asked for one, and making them
   * (TLS contexts with this peer's key among them) cost 25 ms of the peer's start-up.
   */
  private Clients clients;

  private boolean closed;

  private record Clients(
      io.vertx.core.WorkerExecutor resolver,
      NetClient tcp,
      NetClient tls,
      HttpClient plain,
      HttpClient secure,
      HealthProbe grpc) {}

  public Doctor(Vertx vertx, Settings settings) {
    this.vertx = vertx;
    this.settings = settings;
  }

  /**
   * The clients, made at the first call. Lookups run here, two at a time: a timed-out step abandons
   * its future, not the lookup, which may hold its thread for the resolver's whole timeout (30 s
   * and more), so they must not be able to take the shared worker pool the peer's other blocking
   * work needs.
   */
  private synchronized Clients clients() {
    if (clients != null) {
      return clients;
    }
    if (closed) {
      throw new IllegalStateException("the doctor is closed");
    }

    int connect = (int) settings.stepMillis();
    io.vertx.core.WorkerExecutor resolver =
        vertx.createSharedWorkerExecutor(
            "peer-doctor-dns-" + Integer.toHexString(System.identityHashCode(this)), 2);
    NetClient tcp = vertx.createNetClient(new NetClientOptions().setConnectTimeout(connect));
    NetClientOptions tlsOptions =
        new NetClientOptions()
            .setConnectTimeout(connect)
            .setSsl(true)
            .setHostnameVerificationAlgorithm("")
            .setSslHandshakeTimeout(settings.stepMillis())
            .setSslHandshakeTimeoutUnit(TimeUnit.MILLISECONDS)
            .setEnabledSecureTransportProtocols(java.util.Set.of("TLSv1.3"))
            .setTrustOptions(TrustOptions.wrap(Tls.anyCertificate()));
    HttpClientOptions httpOptions =
        new HttpClientOptions()
            .setConnectTimeout(connect)
            // Each step on a connection of its own: a kept one would hide a failing connect.
            .setKeepAlive(false)
            .setMaxHeaderSize(16 * 1024);
    HttpClientOptions httpsOptions =
        new HttpClientOptions(httpOptions)
            .setSsl(true)
            .setVerifyHost(false)
            .setEnabledSecureTransportProtocols(java.util.Set.of("TLSv1.3"))
            .setTrustOptions(TrustOptions.wrap(Tls.anyCertificate()));
    if (settings.identity() != null) {
      KeyCertOptions key = KeyCertOptions.wrap(Tls.keyManager(settings.identity()));
      tlsOptions.setKeyCertOptions(key);
      httpsOptions.setKeyCertOptions(key);
    }
    NetClient tls = vertx.createNetClient(tlsOptions);
    PoolOptions pool = new PoolOptions().setHttp1MaxSize(4).setMaxWaitQueueSize(16);
    HttpClient plain = vertx.createHttpClient(httpOptions, pool);
    HttpClient secure = vertx.createHttpClient(httpsOptions, pool);
    HealthProbe grpc = new HealthProbe(vertx, settings.identity(), connect);
    clients = new Clients(resolver, tcp, tls, plain, secure, grpc);
    return clients;
  }

  public Settings settings() {
    return settings;
  }

  /** Runs every step against that peer; the future never fails: a failure is in the report. */
  public Future<Report> run(Target target) {
    long started = System.nanoTime();
    Run run = new Run(target);
    List<Check> plan =
        List.of(
            new Check("dns", run::dns, settings.stepMillis()),
            new Check("tcp", run::tcp, TRIED * settings.stepMillis()),
            new Check("tls", run::tls, 2 * settings.stepMillis()),
            new Check("http", run::http, settings.stepMillis()),
            new Check("grpc", run::grpc, settings.stepMillis()),
            new Check("search", run::search, settings.stepMillis()),
            new Check("range", run::range, settings.stepMillis() + settings.rangeMillis()));
    Future<List<Step>> chain = Future.succeededFuture(new ArrayList<>());
    for (Check check : plan) {
      chain = chain.compose(steps -> next(check, steps));
    }
    return chain.map(
        steps ->
            new Report(
                target.url(),
                target.expect() == null ? null : target.expect().toString(),
                steps,
                steps.stream().noneMatch(Step::failed),
                millisSince(started)));
  }

  private record Check(String name, Supplier<Future<Outcome>> body, long deadline) {}

  /** What a step found, before it is named and timed. */
  private record Outcome(Verdict verdict, String detail, String hint) {
    static Outcome pass(String detail) {
      return new Outcome(Verdict.PASS, detail, null);
    }

    static Outcome skip(String why) {
      return new Outcome(Verdict.SKIP, why, null);
    }
  }

  private Future<List<Step>> next(Check check, List<Step> steps) {
    if (steps.stream().anyMatch(Step::failed)) {
      steps.add(new Step(check.name(), Verdict.SKIP, 0, NOT_RUN, null));
      return Future.succeededFuture(steps);
    }
    long started = System.nanoTime();
    Future<Outcome> body;
    try {
      body = check.body().get();
    } catch (RuntimeException e) {
      body = Future.failedFuture(e);
    }
    return body
        // A backstop: each call of a step has its own deadline, and resets what it started.
        .timeout(check.deadline() + 1_000, TimeUnit.MILLISECONDS)
        .otherwise(err -> new Outcome(Verdict.FAIL, Hints.detail(err), Hints.of(check.name(), err)))
        .map(
            o -> {
              steps.add(
                  new Step(
                      check.name(),
                      o.verdict(),
                      o.verdict() == Verdict.SKIP ? 0 : millisSince(started),
                      o.detail(),
                      o.hint()));
              return steps;
            });
  }

  private static long millisSince(long nanos) {
    return (System.nanoTime() - nanos) / 1_000_000;
  }

  /** One run's state: each step reads what the earlier ones found. */
  private final class Run {
    private final Target target;

    /** What the name resolved to, in the resolver's order; at most {@link #TRIED} are tried. */
    private List<String> addresses = List.of();

    Run(Target target) {
      this.target = target;
    }

    Future<Outcome> dns() {
      String host = target.host();
      long deadline = settings.stepMillis();
      return clients()
          .resolver()
          .executeBlocking(() -> List.of(InetAddress.getAllByName(host)), false)
          .timeout(deadline, TimeUnit.MILLISECONDS)
          .recover(
              err ->
                  Future.failedFuture(
                      Hints.isTimeout(err) ? new StepTimeout("resolving " + host, deadline) : err))
          .map(
              found -> {
                List<String> all = found.stream().map(InetAddress::getHostAddress).toList();
                addresses = all.subList(0, Math.min(TRIED, all.size()));
                return Outcome.pass(
                    all.size() == 1 && all.get(0).equals(host)
                        ? host + " is an address: nothing to resolve"
                        : host + " is " + String.join(", ", all));
              });
    }

    /**
     * Connects to each address in turn until one takes it, as curl does: "localhost" is often ::1
     * first, and a peer bound to 127.0.0.1 refuses it there.
     */
    Future<Outcome> tcp() {
      return connect(0, new ArrayList<>());
    }

    private Future<Outcome> connect(int i, List<String> failed) {
      String address = addresses.get(i);
      String where = (address.contains(":") ? "[" + address + "]" : address) + ":" + target.port();
      long started = System.nanoTime();
      return clients()
          .tcp()
          .connect(target.port(), address)
          .map(
              socket -> {
                long ms = millisSince(started);
                socket.close();
                return Outcome.pass(
                    "connected to "
                        + where
                        + " in "
                        + ms
                        + " ms"
                        + (failed.isEmpty() ? "" : " (after " + String.join("; ", failed) + ")"));
              })
          .recover(
              err -> {
                failed.add(where + ": " + Hints.detail(err));
                return i + 1 < addresses.size()
                    ? connect(i + 1, failed)
                    : Future.failedFuture(
                        new Failure(String.join("; ", failed), Hints.of("tcp", err)));
              });
    }

    Future<Outcome> tls() {
      if (!target.secure() && target.expect() == null) {
        return Future.succeededFuture(
            Outcome.skip(
                "a plain http URL and no id to check: give the peer's id (`peer.jar id` prints it)"
                    + " or its https secure URL to check its identity"));
      }
      Future<String> where =
          target.secureUrl() != null
              ? Future.succeededFuture(target.secureUrl())
              : secureUrlFromHealth();
      return where.compose(this::handshake);
    }

    /** A plain URL's secure port is where its /health says (a claim: the handshake proves it). */
    private Future<String> secureUrlFromHealth() {
      return get(target.url(), "/health", settings.stepMillis(), MAX_JSON_BYTES, null)
          .map(
              a -> {
                JsonObject h = okJson("/health", a);
                String url = h.getValue("secure_url") instanceof String s ? s : null;
                if (url == null) {
                  throw new Failure(
                      "its /health names no secure_url: it has no id to check",
                      "identity: false on that peer, or a seed peer: ask it with its https URL, or"
                          + " without an id");
                }
                // Only the same host: the claim must not send the doctor's connection anywhere
                // the caller did not name.
                String host = URI.create(target.url()).getHost();
                if (!host.equalsIgnoreCase(URI.create(url).getHost())) {
                  throw new Failure(
                      "its /health names a secure_url on another host (" + url + ")",
                      "a peer's secure port is on its own host: ask that host's https URL"
                          + " directly");
                }
                return url;
              });
    }

    private Future<Outcome> handshake(String secureUrl) {
      URI u = URI.create(secureUrl);
      long started = System.nanoTime();
      return clients()
          .tls()
          .connect(u.getPort(), u.getHost())
          .recover(
              err ->
                  Future.failedFuture(
                      new Failure(
                          secureUrl + ": " + Hints.detail(err),
                          err instanceof javax.net.ssl.SSLException || Hints.isTimeout(err)
                              ? Hints.TLS
                              : Hints.of("tcp", err))))
          .map(
              socket -> {
                long ms = millisSince(started);
                PeerId presented = Tls.presented(socket.sslSession());
                String protocol =
                    socket.sslSession() == null ? "TLS" : socket.sslSession().getProtocol();
                socket.close();
                PeerId expect = target.expect();
                if (expect != null && !expect.equals(presented)) {
                  throw new Failure(
                      "id mismatch at " + secureUrl + ": " + Tls.mismatch(expect, presented),
                      Hints.ID_MISMATCH);
                }
                return Outcome.pass(
                    protocol
                        + " with "
                        + secureUrl
                        + " in "
                        + ms
                        + " ms; presented "
                        + presented
                        + (expect == null ? " (no id given to compare)" : ", the id expected"));
              });
    }

    Future<Outcome> http() {
      long started = System.nanoTime();
      return get(target.url(), "/health", settings.stepMillis(), MAX_JSON_BYTES, null)
          .map(
              a -> {
                long ms = millisSince(started);
                JsonObject h = okJson("/health", a);
                if (!"ok".equals(h.getValue("status"))) {
                  throw new Failure(
                      "/health answered status " + h.getValue("status"), Hints.NOT_A_PEER);
                }
                Object id = h.getValue("id");
                return Outcome.pass(
                    "GET /health: 200 in "
                        + ms
                        + " ms from peer "
                        + h.getValue("peer")
                        + (id instanceof String s ? " (says id " + s + ")" : ""));
              });
    }

    Future<Outcome> grpc() {
      long started = System.nanoTime();
      return clients()
          .grpc()
          .check(target.host(), target.port(), target.secure(), settings.stepMillis())
          .recover(
              err ->
                  Future.failedFuture(
                      new Failure(
                          "grpc.health.v1.Health/Check: " + Hints.detail(err),
                          Hints.isTimeout(err)
                              ? Hints.SLOW
                              : "no gRPC answer on this port: a seed peer serves gRPC on its own"
                                  + " grpc_port, and a proxy that speaks only HTTP/1.1 drops"
                                  + " gRPC")))
          .map(
              h -> {
                if (!h.ok()) {
                  throw new Failure(
                      "grpc.health.v1.Health/Check: "
                          + (h.serving() != null ? h.serving() : h.grpcStatus())
                          + (h.message() == null ? "" : " (" + h.message() + ")"),
                      "UNIMPLEMENTED".equals(h.grpcStatus())
                          ? "gRPC answers, without the health service: not a peerd peer"
                          : "the peer's gRPC side says it is not serving: it is starting or"
                              + " stopping");
                }
                return Outcome.pass(
                    "grpc.health.v1.Health/Check: SERVING in " + millisSince(started) + " ms");
              });
    }

    Future<Outcome> search() {
      long started = System.nanoTime();
      String path =
          "/search?query=" + SEARCH_QUERY + "&ttl=0&fanout=0&timeout_ms=" + settings.stepMillis();
      return get(target.url(), path, settings.stepMillis(), MAX_JSON_BYTES, null)
          .map(
              a -> {
                long ms = millisSince(started);
                JsonObject o = okJson("/search", a);
                if (!(o.getValue("results") instanceof JsonArray results)) {
                  throw new Failure("/search answered no results array", Hints.NOT_A_PEER);
                }
                int files = 0;
                for (Object r : results) {
                  if (r instanceof JsonObject peer
                      && peer.getValue("files") instanceof JsonArray found) {
                    files += found.size();
                  }
                }
                return Outcome.pass(
                    "GET /search?query="
                        + SEARCH_QUERY
                        + "&ttl=0 (its own files, not forwarded): 200 in "
                        + ms
                        + " ms, "
                        + files
                        + " matching file"
                        + (files == 1 ? "" : "s"));
              });
    }

    Future<Outcome> range() {
      return get(target.url(), "/files", settings.stepMillis(), MAX_JSON_BYTES, null)
          .compose(
              a -> {
                JsonObject listing = okJson("/files", a);
                List<FileHit> files;
                try {
                  files = WireJson.parseFiles(listing, Integer.MAX_VALUE);
                } catch (RuntimeException e) {
                  throw new Failure("/files: " + e.getMessage(), Hints.NOT_A_PEER);
                }
                FileHit largest =
                    files.stream()
                        .filter(f -> f.size() > 0)
                        .max(Comparator.comparingLong(FileHit::size))
                        .orElse(null);
                if (largest == null) {
                  return Future.succeededFuture(
                      Outcome.skip("it shares no file (or only empty ones): nothing to download"));
                }
                return download(largest);
              });
    }

    private Future<Outcome> download(FileHit file) {
      long n = Math.min(settings.rangeBytes(), file.size());
      long started = System.nanoTime();
      return get(
              target.url(),
              "/files/" + encodePath(file.name()),
              settings.rangeMillis(),
              n,
              "bytes=0-" + (n - 1))
          .map(
              a -> {
                long ms = Math.max(1, millisSince(started));
                boolean whole = n == file.size() && a.status() == 200;
                if (a.status() != 206 && !whole) {
                  throw a.status() == 200
                      ? new Failure(
                          "asked bytes 0-"
                              + (n - 1)
                              + " of "
                              + file.name()
                              + ", got all of it (200)",
                          "the server ignores Range: a proxy in between, or not a peerd peer")
                      : Hints.status(
                          "/files/" + file.name(), a.status(), a.retryAfter(), a.errorDetail());
                }
                if (a.body().length() != n) {
                  throw new Failure(
                      "asked " + n + " bytes of " + file.name() + ", got " + a.body().length(),
                      "the transfer was cut short, or the file changed while it was read");
                }
                return Outcome.pass(
                    n
                        + " bytes of "
                        + file.name()
                        + " ("
                        + a.status()
                        + ") in "
                        + ms
                        + " ms: "
                        + rate(n * 1000.0 / ms));
              });
    }

    /** A 200 answer's JSON object, or the failure that says why there is none. */
    private JsonObject okJson(String what, Answer a) {
      if (a.status() != 200) {
        throw Hints.status(what, a.status(), a.retryAfter(), a.errorDetail());
      }
      try {
        return new JsonObject(a.body());
      } catch (DecodeException | ClassCastException e) {
        throw new Failure(what + ": not a JSON object", Hints.NOT_A_PEER);
      }
    }
  }

  static String rate(double bytesPerSecond) {
    return bytesPerSecond >= 1 << 20
        ? String.format(java.util.Locale.ROOT, "%.1f MiB/s", bytesPerSecond / (1 << 20))
        : String.format(java.util.Locale.ROOT, "%.1f KiB/s", bytesPerSecond / 1024);
  }

  /** A name's path segments, each percent-encoded (a space is %20, not +). */
  static String encodePath(String name) {
    List<String> parts = new ArrayList<>();
    for (String segment : name.split("/", -1)) {
      parts.add(URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20"));
    }
    return String.join("/", parts);
  }

  /** An HTTP answer, its body read whole (at most the cap). */
  record Answer(int status, MultiMap headers, Buffer body) {
    String retryAfter() {
      return headers.get("retry-after");
    }

    /** The detail of a peer's {@code {error, detail}} answer, or null. */
    String errorDetail() {
      try {
        JsonObject o = new JsonObject(body);
        return o.getValue("detail") instanceof String s ? s : null;
      } catch (RuntimeException e) {
        return null;
      }
    }
  }

  /**
   * One GET whose whole life (connect, headers, body) fits in {@code deadline}; past it the request
   * is reset, so a stopped peer holds no connection of ours.
   */
  private Future<Answer> get(
      String base, String pathAndQuery, long deadline, long maxBytes, String range) {
    Promise<Answer> done = Promise.promise();
    RequestOptions options =
        new RequestOptions()
            .setMethod(HttpMethod.GET)
            .setAbsoluteURI(base + pathAndQuery)
            .setConnectTimeout(deadline)
            .setIdleTimeout(deadline);
    if (settings.token() != null && !pathAndQuery.equals("/health")) {
      options.putHeader("authorization", "Bearer " + settings.token());
    }
    if (range != null) {
      options.putHeader("range", range);
    } else {
      options.putHeader("accept", "application/json");
    }
    HttpClientRequest[] current = new HttpClientRequest[1];
    String what = "GET " + pathAndQuery.replaceAll("\\?.*", "");
    long timer =
        vertx.setTimer(
            Math.max(1, deadline),
            t -> {
              if (done.tryFail(new StepTimeout(what, deadline)) && current[0] != null) {
                current[0].reset();
              }
            });
    (base.startsWith("https:") ? clients().secure() : clients().plain())
        .request(options)
        .compose(
            req -> {
              current[0] = req;
              return req.send();
            })
        .compose(
            resp -> {
              Promise<Buffer> read = Promise.promise();
              Buffer acc = Buffer.buffer();
              resp.handler(
                  chunk -> {
                    if (acc.length() + chunk.length() > maxBytes) {
                      read.tryFail(
                          new Failure(
                              what + ": more than the " + maxBytes + " bytes asked for",
                              range != null
                                  ? "the server ignores Range: a proxy in between, or not a peerd"
                                      + " peer"
                                  : Hints.NOT_A_PEER));
                      resp.request().reset();
                    } else {
                      acc.appendBuffer(chunk);
                    }
                  });
              resp.exceptionHandler(read::tryFail);
              resp.endHandler(v -> read.tryComplete(acc));
              return read.future().map(b -> new Answer(resp.statusCode(), resp.headers(), b));
            })
        .onComplete(
            ar -> {
              vertx.cancelTimer(timer);
              if (ar.succeeded()) {
                done.tryComplete(ar.result());
              } else {
                done.tryFail(ar.cause());
              }
            });
    return done.future();
  }

  @Override
  public synchronized void close() {
    closed = true;
    if (clients == null) {
      return;
    }
    clients.resolver().close();
    clients.tcp().close();
    clients.tls().close();
    clients.plain().close();
    clients.secure().close();
    clients.grpc().close();
  }
}
