package io.peerd.config;

import io.vertx.config.ConfigRetriever;
import io.vertx.config.ConfigRetrieverOptions;
import io.vertx.config.ConfigStoreOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Reads the {@code -conf} file through vertx-config and hands it to {@link ConfigParser}.
 *
 * <p>Vert.x's own launcher only warns about a missing or broken {@code -conf} and deploys with
 * {@code {}}; here every such problem fails the returned future with a {@link ConfigException}.
 */
public final class ConfigLoader {

  private ConfigLoader() {}

  public static Future<PeerConfig> load(Vertx vertx, String path, Map<String, String> env) {
    // vertx-config reports a missing file as a bare NoSuchFileException: say it in our words first.
    if (!Files.isRegularFile(Path.of(path))) {
      return Future.failedFuture(new ConfigException(path + ": config file not found"));
    }
    ConfigStoreOptions file =
        new ConfigStoreOptions()
            .setType("file")
            .setFormat("json")
            .setOptional(false)
            .setConfig(new JsonObject().put("path", path));
    // scanPeriod <= 0: read once; a peer does not reload its identity behind the operator's back.
    ConfigRetriever retriever =
        ConfigRetriever.create(
            vertx, new ConfigRetrieverOptions().addStore(file).setScanPeriod(-1));
    return retriever
        .getConfig()
        .<PeerConfig>transform(
            ar -> {
              retriever.close();
              if (ar.failed()) {
                return Future.failedFuture(
                    new ConfigException(
                        path + ": cannot be read as a JSON object: " + rootMessage(ar.cause())));
              }
              // The rules look at the disk (does shared_dir exist?): not on an event loop.
              return vertx.executeBlocking(() -> ConfigParser.parse(path, ar.result(), env), false);
            });
  }

  private static String rootMessage(Throwable t) {
    Throwable c = t;
    while (c.getCause() != null && c.getCause() != c) {
      c = c.getCause();
    }
    String m = c.getMessage() == null ? c.getClass().getSimpleName() : c.getMessage();
    return m.replaceAll("\\s+", " ").trim();
  }
}
