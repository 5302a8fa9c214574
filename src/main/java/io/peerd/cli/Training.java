package io.peerd.cli;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.peerd.config.ConfigLoader;
import io.peerd.config.PeerConfig;
import io.peerd.metrics.Metrics;
import io.peerd.node.PeerVerticle;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The training run of the image's ahead-of-time cache (JDK 25's {@code -XX:AOTCacheOutput}): starts
 * a peer the way the daemon does (a config file read by {@link ConfigLoader}, the daemon's Vert.x,
 * an identity in a state_dir, the extra gRPC and metrics ports, the preload thread) and serves its
 * REST, gRPC and metrics calls, so that the JVM records the classes a real start loads and the
 * profiles of the methods its first requests run. Twice: the first start makes the identity, the
 * second loads it, as every restart of a container does. Everything it creates is temporary and
 * removed.
 */
final class Training {

  /** Enough calls of the request path for its methods' profiles to be worth recording. */
  static final int HEALTH_CALLS = 300;

  private Training() {}

  static int run() throws Exception {
    Preload.start();
    Path dir = Files.createTempDirectory("peer-warmup");
    try {
      Path share = Files.createDirectories(dir.resolve("share"));
      Files.writeString(share.resolve("warmup.txt"), "warm-up");
      Path conf = dir.resolve("warmup.json");
      Files.writeString(
          conf,
          new JsonObject()
              .put("name", "warmup")
              .put("ip", "127.0.0.1")
              .put("rest_port", 0)
              .put("grpc_port", 0)
              .put("metrics_port", 0)
              .put("shared_dir", share.toString())
              .put("state_dir", dir.resolve("state").toString())
              // No packets from an image build onto its network.
              .put("local_discovery", false)
              .encode());
      for (int start = 0; start < 2; start++) {
        once(conf);
      }
      return 0;
    } finally {
      try (Stream<Path> s = Files.walk(dir)) {
        s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  private static void once(Path conf) throws Exception {
    PrometheusMeterRegistry registry = Metrics.newRegistry();
    Vertx vertx = Metrics.vertxWithMetrics(Daemon.vertxOptions(), registry);
    try (Client c = new Client()) {
      PeerConfig config =
          Client.await(Daemon.loadConfig(vertx, conf.toString(), Map.of()), Duration.ofSeconds(30));
      PeerVerticle peer = new PeerVerticle(config, registry);
      String id = Client.await(vertx.deployVerticle(peer), Duration.ofSeconds(30));
      Client.await(peer.firstScan(), Duration.ofSeconds(30));
      HttpClient http = c.vertx.createHttpClient();
      for (int i = 0; i < HEALTH_CALLS; i++) {
        get(http, peer.restPort(), "/health");
      }
      for (String path :
          new String[] {"/status", "/files", "/peers", "/search?query=warm&ttl=0", "/metrics"}) {
        get(http, peer.restPort(), path);
      }
      get(http, peer.metricsPort(), "/metrics");
      io.peerd.transfer.Source s = c.locate(peer.selfUrl(), "warmup.txt");
      Client.await(
          c.grpc.download(s.grpc(), s.name(), 0, io.peerd.transfer.Received.discard()),
          Duration.ofSeconds(10));
      // Stopped as SIGTERM stops it (the folder watch closes before Vert.x does).
      Client.await(vertx.undeploy(id), Duration.ofSeconds(30));
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get();
    }
  }

  private static void get(HttpClient http, int port, String path) {
    Client.await(
        http.request(HttpMethod.GET, port, "127.0.0.1", path)
            .compose(req -> req.send().compose(resp -> resp.body())),
        Duration.ofSeconds(10));
  }
}
