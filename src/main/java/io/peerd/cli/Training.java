package io.peerd.cli;

import io.peerd.config.ConfigParser;
import io.peerd.node.PeerVerticle;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The class-data-sharing training run: loads the classes a peer uses in its first second (start,
 * REST, search, gRPC), so that {@code -XX:ArchiveClassesAtExit} records them. Everything it creates
 * is temporary and removed.
 */
final class Training {

  private Training() {}

  static int run() throws Exception {
    Path dir = Files.createTempDirectory("peer-warmup");
    Path share = Files.createDirectories(dir.resolve("share"));
    Files.writeString(share.resolve("warmup.txt"), "warm-up");
    Vertx vertx =
        io.peerd.metrics.Metrics.vertxWithMetrics(
            new io.vertx.core.VertxOptions(), io.peerd.metrics.Metrics.newRegistry());
    try (Client c = new Client()) {
      PeerVerticle peer =
          new PeerVerticle(
              ConfigParser.parse(
                  "warmup",
                  new JsonObject()
                      .put("name", "warmup")
                      .put("rest_port", 0)
                      .put("shared_dir", share.toString())
                      .put("state_dir", ""),
                  Map.of()));
      Client.await(
          vertx.deployVerticle(peer).compose(id -> peer.firstScan()), Duration.ofSeconds(30));
      String url = peer.selfUrl();
      io.vertx.core.http.HttpClient http = c.vertx.createHttpClient();
      for (String path :
          new String[] {
            "/health", "/status", "/files", "/peers", "/search?query=warm", "/metrics"
          }) {
        Client.await(
            http.request(io.vertx.core.http.HttpMethod.GET, peer.restPort(), "127.0.0.1", path)
                .compose(req -> req.send().compose(resp -> resp.body())),
            Duration.ofSeconds(10));
      }
      io.peerd.transfer.Source s = c.locate(url, "warmup.txt");
      Client.await(
          c.grpc.download(s.grpc(), s.name(), 0, io.peerd.transfer.Received.discard()),
          Duration.ofSeconds(10));
      return 0;
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get();
      try (Stream<Path> s = Files.walk(dir)) {
        s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }
}
