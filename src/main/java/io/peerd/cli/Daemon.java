package io.peerd.cli;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.peerd.config.ConfigException;
import io.peerd.config.ConfigLoader;
import io.peerd.config.ConfigParser;
import io.peerd.config.PeerConfig;
import io.peerd.metrics.Metrics;
import io.peerd.node.PeerVerticle;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;

/** Runs one peer until SIGTERM or Ctrl-C, then stops it gracefully and exits 0. */
public final class Daemon {

  private static final Logger LOG = LoggerFactory.getLogger(Daemon.class);

  /** Where a peer started without -conf shares from, created on first run. */
  static final Path DEFAULT_SHARE = Path.of("peer-shared");

  /** JVM meters are bound this long after the start-up line. */
  static final long JVM_METRICS_DELAY_MS = 2000;

  /** As the image's -XX:TrimNativeHeapInterval=5000, for a JVM started without it. */
  static final long TRIM_EVERY_MS = 5000;

  private Daemon() {}

  /**
   * @return the process exit code; 0 means the peer is running (the JVM stays up)
   */
  public static int run(String confPath, Map<String, String> env) {
    long t0 = System.nanoTime();
    // This class's logger is made: logback is set up, other threads may log.
    Preload.loggingReady();
    PrometheusMeterRegistry registry = Metrics.newRegistry();
    Vertx vertx = Metrics.vertxWithMetrics(vertxOptions(), registry);
    CompletableFuture<Integer> outcome = new CompletableFuture<>();
    loadConfig(vertx, confPath, env)
        .compose(
            config -> {
              Logging.apply(config.logs().format(), config.logs().level());
              config.warnings().forEach(LOG::warn);
              PeerVerticle peer = new PeerVerticle(config, registry);
              return vertx
                  .deployVerticle(peer)
                  .map(
                      id -> {
                        // Handlers first: a SIGTERM right after the start-up line must find them in
                        // place.
                        onSignals(vertx, id, config);
                        long ms = (System.nanoTime() - t0) / 1_000_000;
                        LOG.info(
                            "peer {} up in {} ms: REST and gRPC on {}{}, gRPC {}{}, sharing {} (config: {})",
                            config.node().name(),
                            ms,
                            peer.selfUrl(),
                            peer.id() == null
                                ? ""
                                : ", secure " + peer.secureUrl() + " as " + peer.id(),
                            "grpc://" + config.node().bindHost() + ":" + peer.grpcPort(),
                            peer.metricsPort() >= 0
                                ? ", metrics http://"
                                    + config.node().bindHost()
                                    + ":"
                                    + peer.metricsPort()
                                    + "/metrics"
                                : "",
                            config.sharedDir(),
                            config.source());
                        return 0;
                      });
            })
        .onComplete(
            ar -> {
              if (ar.succeeded()) {
                outcome.complete(0);
              } else {
                Throwable e = ar.cause();
                String msg =
                    e instanceof ConfigException
                            || e instanceof io.peerd.identity.Identity.IdentityException
                        ? e.getMessage()
                        : "cannot start: " + e.getClass().getSimpleName() + ": " + e.getMessage();
                System.err.println("peer: " + msg);
                vertx.close();
                outcome.complete(e instanceof ConfigException ? 2 : 1);
              }
            });
    // The main thread is not an event loop: waiting here for the start outcome blocks nothing.
    int code = outcome.join();
    if (code == 0) {
      // Their MXBeans cost about 60 ms of CPU that the first requests would otherwise wait for; a
      // scrape in the first seconds has every meter but the JVM's. Then the heap and the native
      // memory the start-up left behind are given back (Tuning: a JVM started without flags).
      vertx.setTimer(
          JVM_METRICS_DELAY_MS,
          t ->
              vertx
                  .executeBlocking(
                      () -> {
                        Metrics.bindJvm(registry);
                        boolean trim = io.peerd.Tuning.returnIdleHeap();
                        if (trim) {
                          io.peerd.Tuning.trimNativeHeap();
                        }
                        return trim;
                      },
                      false)
                  .onSuccess(
                      trim -> {
                        if (trim) {
                          vertx.setPeriodic(
                              TRIM_EVERY_MS,
                              p ->
                                  vertx.executeBlocking(
                                      () -> {
                                        io.peerd.Tuning.trimNativeHeap();
                                        return null;
                                      },
                                      false));
                        }
                      }));
    }
    return code;
  }

  /**
   * SIGTERM and SIGINT: stop accepting, let in-flight requests and transfers finish within the
   * grace period, save the peer table, close, exit 0 (the JVM's default would be 143).
   */
  private static void onSignals(Vertx vertx, String deploymentId, PeerConfig config) {
    AtomicBoolean stopping = new AtomicBoolean();
    long graceMs = config.timeouts().shutdownGrace().toMillis();
    Runnable stop =
        () -> {
          if (!stopping.compareAndSet(false, true)) {
            return;
          }
          LOG.info("peer {} stopping (grace {} ms)", config.node().name(), graceMs);
          int code;
          try {
            vertx
                .undeploy(deploymentId)
                .toCompletionStage()
                .toCompletableFuture()
                .get(graceMs + 10_000, TimeUnit.MILLISECONDS);
            code = 0;
          } catch (Exception e) {
            LOG.error("peer {} did not stop cleanly: {}", config.node().name(), e.toString());
            code = 1;
          }
          try {
            vertx.close().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
          } catch (Exception e) {
            LOG.warn("closing Vert.x: {}", e.toString());
          }
          LOG.info("peer {} stopped", config.node().name());
          System.exit(code);
        };
    for (String name : new String[] {"TERM", "INT"}) {
      // Signal handlers run on a JVM thread, not an event loop: the waits above block nothing.
      Signal.handle(new Signal(name), sig -> new Thread(stop, "peer-shutdown").start());
    }
  }

  /** The daemon's Vert.x (the image's training run makes the same). */
  static VertxOptions vertxOptions() {
    int cores = Runtime.getRuntime().availableProcessors();
    return new VertxOptions()
        .setPreferNativeTransport(false)
        // One peer is one verticle on one loop; its clients share it. Vert.x's default of two per
        // core made threads (and Netty's per-thread buffer caches) that had nothing to do.
        .setEventLoopPoolSize(Math.max(2, cores))
        // File reads run on these threads, and each one keeps the JDK's temporary direct buffer of
        // its largest read (1 MiB for downloads): 20 threads held 20 MiB of direct memory.
        .setWorkerPoolSize(Math.max(4, 2 * cores));
  }

  /** The -conf file through vertx-config, or the defaults; fails with a ConfigException. */
  static Future<PeerConfig> loadConfig(Vertx vertx, String confPath, Map<String, String> env) {
    return confPath != null
        ? ConfigLoader.load(vertx, confPath, env)
        : vertx.executeBlocking(() -> defaults(env), false);
  }

  /**
   * Blocks (the default share's creation).
   *
   * @throws ConfigException what is wrong with the variables
   */
  private static PeerConfig defaults(Map<String, String> env) {
    try {
      if (!env.containsKey("PEER_SHARED_DIR")) {
        createDefaultShare();
      }
    } catch (IOException e) {
      throw new ConfigException(
          "cannot create " + DEFAULT_SHARE.toAbsolutePath() + ": " + e.getMessage());
    }
    return ConfigParser.parse(
        "defaults (no -conf)",
        new JsonObject().put("name", "peer").put("shared_dir", DEFAULT_SHARE.toString()),
        env);
  }

  private static void createDefaultShare() throws IOException {
    if (Files.isDirectory(DEFAULT_SHARE)) {
      return;
    }
    Files.createDirectories(DEFAULT_SHARE);
    Files.writeString(
        DEFAULT_SHARE.resolve("welcome.txt"),
        "This folder is shared by your peer. Put files here; they are indexed within a rescan period.\n");
  }
}
