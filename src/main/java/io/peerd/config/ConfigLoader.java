package io.peerd.config;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Reads the {@code -conf} file (one JSON object) and hands it to {@link ConfigParser}.
 *
 * <p>Vert.x's own launcher only warns about a missing or broken {@code -conf} and deploys with
 * {@code {}}; here every such problem is a {@link ConfigException}. The file is read once: a peer
 * does not reload its identity behind the operator's back. vertx-config did this before; it loaded
 * about 60 classes for one file read, a tenth of the daemon's start-up on JDK 17.
 */
public final class ConfigLoader {

  private ConfigLoader() {}

  /** On a worker: the file is read and the rules look at the disk (does shared_dir exist?). */
  public static Future<PeerConfig> load(Vertx vertx, String path, Map<String, String> env) {
    return vertx.executeBlocking(() -> read(path, env), false);
  }

  /**
   * Blocks: for a thread that may wait on the disk (the daemon reads it while Vert.x starts).
   *
   * @throws ConfigException the file is missing, is not a JSON object, or breaks a rule
   */
  public static PeerConfig read(String path, Map<String, String> env) {
    Path file = Path.of(path);
    if (!Files.isRegularFile(file)) {
      throw new ConfigException(path + ": config file not found");
    }
    JsonObject json;
    try {
      json = new JsonObject(Files.readString(file));
    } catch (IOException | DecodeException e) {
      throw new ConfigException(path + ": cannot be read as a JSON object: " + rootMessage(e));
    }
    return ConfigParser.parse(path, json, env);
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
