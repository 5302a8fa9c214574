package io.peerd.cli;

import io.peerd.config.ConfigException;
import io.peerd.config.ConfigLoader;
import io.peerd.config.ConfigParser;
import io.peerd.config.PeerConfig;
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

/** Runs one peer until the process is stopped. */
public final class Daemon {

  /** Where a peer started without -conf shares from, created on first run. */
  static final Path DEFAULT_SHARE = Path.of("peer-shared");

  private Daemon() {}

  /** @return the process exit code; 0 means the peer is running (the JVM stays up) */
  public static int run(String confPath, Map<String, String> env) {
    long t0 = System.nanoTime();
    Vertx vertx = Vertx.vertx(new VertxOptions().setPreferNativeTransport(false));
    CompletableFuture<Integer> outcome = new CompletableFuture<>();
    loadConfig(vertx, confPath, env)
        .compose(config -> {
          PeerVerticle peer = new PeerVerticle(config);
          return vertx.deployVerticle(peer).map(id -> {
            long ms = (System.nanoTime() - t0) / 1_000_000;
            System.out.printf("peer %s up in %d ms: REST+gRPC %s, gRPC %s, sharing %s (config: %s)%n",
                config.name(), ms, peer.selfUrl(), "grpc://" + config.bindHost() + ":" + peer.grpcPort(),
                config.sharedDir(), config.source());
            return 0;
          });
        })
        .onComplete(ar -> {
          if (ar.succeeded()) {
            outcome.complete(0);
          } else {
            Throwable e = ar.cause();
            String msg = e instanceof ConfigException ? e.getMessage()
                : "cannot start: " + e.getClass().getSimpleName() + ": " + e.getMessage();
            System.err.println("peer: " + msg);
            vertx.close();
            outcome.complete(e instanceof ConfigException ? 2 : 1);
          }
        });
    Runtime.getRuntime().addShutdownHook(new Thread(() -> vertx.close()
        .toCompletionStage().toCompletableFuture().orTimeout(10, java.util.concurrent.TimeUnit.SECONDS)
        .exceptionally(err -> null).join(), "peer-shutdown"));
    // The main thread is not an event loop: waiting here for the start outcome blocks nothing.
    return outcome.join();
  }

  static Future<PeerConfig> loadConfig(Vertx vertx, String confPath, Map<String, String> env) {
    if (confPath != null) {
      return ConfigLoader.load(vertx, confPath, env);
    }
    try {
      if (!env.containsKey("PEER_SHARED_DIR")) {
        createDefaultShare();
      }
      return Future.succeededFuture(ConfigParser.parse("defaults (no -conf)",
          new JsonObject().put("name", "peer").put("shared_dir", DEFAULT_SHARE.toString()), env));
    } catch (ConfigException e) {
      return Future.failedFuture(e);
    } catch (IOException e) {
      return Future.failedFuture(new ConfigException("cannot create " + DEFAULT_SHARE.toAbsolutePath() + ": " + e.getMessage()));
    }
  }

  private static void createDefaultShare() throws IOException {
    if (Files.isDirectory(DEFAULT_SHARE)) {
      return;
    }
    Files.createDirectories(DEFAULT_SHARE);
    Files.writeString(DEFAULT_SHARE.resolve("welcome.txt"),
        "This folder is shared by your peer. Put files here; they are indexed within a rescan period.\n");
  }
}
