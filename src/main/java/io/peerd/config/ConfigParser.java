package io.peerd.config;

import io.peerd.peers.PeerUrl;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Turns the JSON of a config file plus {@code PEER_<KEY>} environment variables into a
 * {@link PeerConfig}, or a {@link ConfigException} naming the file (or variable) and the key.
 *
 * <p>Pure apart from the final check that {@code shared_dir} is a readable directory, so the
 * rules are unit-tested without a Vert.x instance. Unknown keys are tolerated: a newer or older
 * config file must not stop a peer from starting.
 */
public final class ConfigParser {

  /** Every key with a meaning here, in the order the README documents them. */
  public static final List<String> KEYS = List.of(
      "name", "ip", "bind_host", "rest_port", "grpc_port", "metrics_port", "shared_dir",
      "state_dir", "friend_primary", "friend_secondary", "friends", "self_url",
      "health_check_interval", "search_ttl", "max_fanout", "friend_timeout_ms",
      "search_timeout_ms", "rescan_interval", "max_peers", "peer_max_backoff", "peer_forget_after",
      "peer_exchange", "peer_exchange_max", "seen_cache_size", "seen_cache_ttl",
      "dummy_upload_max_bytes", "chunk_size", "download_chunk_size", "accept_uploads", "upload_dir", "upload_max_bytes",
      "upload_overwrite", "stream_idle_timeout_ms", "max_connections_per_client", "tls", "shutdown_grace_ms", "log_format", "log_level", "api_token", "private",
      "rate_limit", "search_mode", "walkers", "walk_ttl", "walk_wanted", "walk_check_every",
      "summary_bits");

  static final int MAX_TTL = 16;

  private final String source;
  private final JsonObject json;

  private ConfigParser(String source, JsonObject json) {
    this.source = source;
    this.json = json;
  }

  /**
   * @param source the file the JSON came from (used in messages)
   * @param file the parsed file, {@code {}} when there is none
   * @param env the process environment; only {@code PEER_*} variables are read
   */
  public static PeerConfig parse(String source, JsonObject file, Map<String, String> env) {
    JsonObject merged = file.copy();
    applyEnv(merged, env);
    return new ConfigParser(source, merged).build();
  }

  /** Environment values are strings; they are converted to the type the key expects here. */
  private static void applyEnv(JsonObject target, Map<String, String> env) {
    for (String key : KEYS) {
      if (key.equals("rate_limit")) {
        for (String sub : List.of("requests_per_minute", "downloads_per_minute")) {
          String var = envName("rate_limit_" + sub);
          if (env.containsKey(var)) {
            JsonObject rl = target.getValue("rate_limit") instanceof JsonObject o ? o : new JsonObject();
            rl.put(sub, envInt(var, env.get(var)));
            target.put("rate_limit", rl);
          }
        }
        continue;
      }
      String var = envName(key);
      String value = env.get(var);
      if (value == null) {
        continue;
      }
      target.put(key, envValue(key, var, value.trim()));
    }
  }

  static String envName(String key) {
    return "PEER_" + key.toUpperCase(Locale.ROOT);
  }

  private static Object envValue(String key, String var, String value) {
    switch (key) {
      case "friends" -> {
        JsonArray list = new JsonArray();
        for (String part : value.split(",")) {
          if (!part.isBlank()) {
            list.add(part.trim());
          }
        }
        return list;
      }
      case "name", "ip", "bind_host", "shared_dir", "state_dir", "friend_primary",
          "friend_secondary", "self_url" -> {
        return value;
      }
      case "upload_dir", "log_format", "log_level", "api_token" -> {
        return value;
      }
      case "peer_exchange", "accept_uploads", "upload_overwrite", "private" -> {
        if (!value.equalsIgnoreCase("true") && !value.equalsIgnoreCase("false")) {
          throw new ConfigException("environment variable " + var + ": expected true or false, got \"" + value + "\"");
        }
        return Boolean.parseBoolean(value);
      }
      case "health_check_interval", "rescan_interval", "peer_max_backoff", "peer_forget_after",
          "seen_cache_ttl" -> {
        try {
          return Double.parseDouble(value);
        } catch (NumberFormatException e) {
          throw new ConfigException("environment variable " + var + ": expected a number, got \"" + value + "\"");
        }
      }
      default -> {
        return envLong(var, value);
      }
    }
  }

  private static long envLong(String var, String value) {
    try {
      return Long.parseLong(value);
    } catch (NumberFormatException e) {
      throw new ConfigException("environment variable " + var + ": expected an integer, got \"" + value + "\"");
    }
  }

  private static int envInt(String var, String value) {
    long v = envLong(var, value.trim());
    if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
      throw new ConfigException("environment variable " + var + ": out of range: " + value);
    }
    return (int) v;
  }

  private PeerConfig build() {
    String name = string("name", "peer");
    String ip = string("ip", "127.0.0.1");
    String bindHost = string("bind_host", ip);
    int restPort = port("rest_port", 8001);
    int grpcPort = optionalPort("grpc_port");
    int metricsPort = optionalPort("metrics_port");
    Path sharedDir = sharedDir();
    Path stateDir = stateDir(name);
    List<String> friends = friends();
    String selfUrl = optionalUrl("self_url");
    Duration health = seconds("health_check_interval", 10);
    int ttl = integer("search_ttl", 3, 0, MAX_TTL);
    int fanout = integer("max_fanout", 3, 1, 64);
    Duration friendTimeout = Duration.ofMillis(integer("friend_timeout_ms", 1500, 1, 600_000));
    Duration searchTimeout = Duration.ofMillis(integer("search_timeout_ms", 3000, 1, 600_000));
    Duration rescan = seconds("rescan_interval", 30);
    PeerConfig.PeerSettings peerSettings = new PeerConfig.PeerSettings(
        integer("max_peers", 256, 1, 100_000),
        seconds("peer_max_backoff", Math.max(60, health.toSeconds() * 8)),
        seconds("peer_forget_after", 3600),
        bool("peer_exchange", true),
        integer("peer_exchange_max", 16, 0, 1000));
    PeerConfig.SeenSettings seen = new PeerConfig.SeenSettings(
        integer("seen_cache_size", 100_000, 1, 10_000_000),
        seconds("seen_cache_ttl", 600));
    long uploadCap = longInteger("dummy_upload_max_bytes", 1L << 30, 0, Long.MAX_VALUE);
    PeerConfig.UploadSettings uploads = new PeerConfig.UploadSettings(
        bool("accept_uploads", false),
        uploadDir(),
        longInteger("upload_max_bytes", 1L << 30, 0, Long.MAX_VALUE),
        bool("upload_overwrite", false));
    int chunk = integer("chunk_size", 64 * 1024, 1024, 1024 * 1024);
    int downloadChunk = integer("download_chunk_size", 256 * 1024, 1024, 1024 * 1024);
    PeerConfig.RateLimit rateLimit = rateLimit();
    PeerConfig.Ops ops = new PeerConfig.Ops(
        Duration.ofMillis(integer("shutdown_grace_ms", 10_000, 0, 600_000)),
        Duration.ofMillis(integer("stream_idle_timeout_ms", 30_000, 100, 3_600_000)),
        integer("max_connections_per_client", 64, 1, 100_000),
        oneOf("log_format", "plain", List.of("plain", "json")),
        oneOf("log_level", "INFO", List.of("TRACE", "DEBUG", "INFO", "WARN", "ERROR")));
    PeerConfig.Access access = new PeerConfig.Access(apiToken(), bool("private", false));
    PeerConfig.Tls tls = tls();
    if (access.privatePeer() && access.token() == null) {
      throw bad("private", "an api_token as well (a private peer without a token would refuse everyone)");
    }
    return new PeerConfig(source, name, ip, bindHost, restPort, grpcPort, metricsPort, sharedDir,
        stateDir, friends, selfUrl, health, ttl, fanout, friendTimeout, searchTimeout, rescan,
        uploadCap, chunk, downloadChunk, rateLimit, peerSettings, seen, uploads, ops, access, tls, routing());
  }

  private PeerConfig.Routing routing() {
    String mode = oneOf("search_mode", "flood", List.of("flood", "walk", "summary"));
    int bits = integer("summary_bits", io.peerd.routing.NameSummary.DEFAULT_BITS,
        io.peerd.routing.NameSummary.MIN_BITS, io.peerd.routing.NameSummary.MAX_BITS);
    if (Integer.bitCount(bits) != 1) {
      throw bad("summary_bits", "a power of two");
    }
    return new PeerConfig.Routing(io.peerd.routing.Mode.parse(mode),
        integer("walkers", 4, 1, 64),
        integer("walk_ttl", 32, 1, 255),
        integer("walk_wanted", 1, 1, 10_000),
        integer("walk_check_every", 4, 0, 255),
        bits);
  }

  private ConfigException bad(String key, String expected) {
    Object v = json.getValue(key);
    String shown = v instanceof String s ? "\"" + s + "\"" : String.valueOf(v);
    return new ConfigException(source + ": key \"" + key + "\": expected " + expected + ", got " + shown);
  }

  private String string(String key, String def) {
    Object v = json.getValue(key);
    if (v == null) {
      return def;
    }
    if (!(v instanceof String s) || s.isBlank()) {
      throw bad(key, "a non-empty string");
    }
    return s;
  }

  /** {@code tls: {cert, key, ca}}: PEM files; cert and key together or not at all. */
  private PeerConfig.Tls tls() {
    Object v = json.getValue("tls");
    if (v == null) {
      return null;
    }
    if (!(v instanceof JsonObject t)) {
      throw bad("tls", "an object {cert, key, ca}");
    }
    ConfigParser inner = new ConfigParser(source, t);
    String cert = inner.pemFile("cert");
    String key = inner.pemFile("key");
    String ca = inner.pemFile("ca");
    if ((cert == null) != (key == null)) {
      throw new ConfigException(source + ": key \"tls\": cert and key go together");
    }
    return new PeerConfig.Tls(cert, key, ca);
  }

  private String pemFile(String key) {
    Object v = json.getValue(key);
    if (v == null) {
      return null;
    }
    if (!(v instanceof String s) || !Files.isReadable(Path.of(s))) {
      throw new ConfigException(source + ": key \"tls." + key + "\": expected a readable PEM file, got " + v);
    }
    return Path.of(s).toAbsolutePath().toString();
  }

  /** Null when unset or empty; a short token is refused: it would be guessed. */
  private String apiToken() {
    Object v = json.getValue("api_token");
    if (v == null || (v instanceof String t && t.isEmpty())) {
      return null;
    }
    if (!(v instanceof String t) || t.length() < 16 || t.chars().anyMatch(c -> c <= ' ' || c > '~')) {
      throw new ConfigException(source + ": key \"api_token\": expected at least 16 printable ASCII characters without spaces");
    }
    return t;
  }

  private String oneOf(String key, String def, List<String> allowed) {
    String v = string(key, def);
    if (!allowed.contains(v)) {
      throw bad(key, "one of " + allowed);
    }
    return v;
  }

  private boolean bool(String key, boolean def) {
    Object v = json.getValue(key);
    if (v == null) {
      return def;
    }
    if (!(v instanceof Boolean b)) {
      throw bad(key, "true or false");
    }
    return b;
  }

  /** Default state/&lt;name&gt;; an empty string turns persistence off. Created at start if missing. */
  private Path stateDir(String name) {
    Object v = json.getValue("state_dir");
    if (v instanceof String s && s.isEmpty()) {
      return null;
    }
    String dir = v == null ? "state/" + name.replaceAll("[^A-Za-z0-9._-]", "_") : string("state_dir", null);
    Path path = Path.of(dir).toAbsolutePath().normalize();
    if (Files.exists(path) && (!Files.isDirectory(path) || !Files.isWritable(path))) {
      throw new ConfigException(source + ": key \"state_dir\": " + path + " is not a writable directory");
    }
    return path;
  }

  /** A relative folder inside shared_dir, by the same rules as a shared file name. */
  private String uploadDir() {
    String dir = string("upload_dir", "uploads");
    String problem = io.peerd.index.Names.problem(dir);
    if (problem == null && java.util.Arrays.stream(dir.split("/")).anyMatch(io.peerd.index.Names::isHidden)) {
      problem = "hidden folders are never shared";
    }
    if (problem != null) {
      throw bad("upload_dir", "a relative folder inside shared_dir (" + problem + ")");
    }
    return dir;
  }

  private long longInteger(String key, long def, long min, long max) {
    Object v = json.getValue(key);
    if (v == null) {
      return def;
    }
    if (!(v instanceof Number n) || n.doubleValue() != Math.rint(n.doubleValue())) {
      throw bad(key, "an integer between " + min + " and " + max);
    }
    long l = n.longValue();
    if (l < min || l > max) {
      throw bad(key, "an integer between " + min + " and " + max);
    }
    return l;
  }

  private int integer(String key, int def, int min, int max) {
    return (int) longInteger(key, def, min, max);
  }

  private int port(String key, int def) {
    return integer(key, def, 0, 65535);
  }

  private int optionalPort(String key) {
    return json.getValue(key) == null ? -1 : port(key, -1);
  }

  /** The seed's intervals are seconds and may be fractional. */
  private Duration seconds(String key, double def) {
    Object v = json.getValue(key);
    double s = def;
    if (v != null) {
      if (!(v instanceof Number n) || !(n.doubleValue() > 0) || n.doubleValue() > 86_400) {
        throw bad(key, "a number of seconds greater than 0 (at most 86400)");
      }
      s = n.doubleValue();
    }
    return Duration.ofMillis(Math.max(1, Math.round(s * 1000)));
  }

  private String optionalUrl(String key) {
    Object v = json.getValue(key);
    if (v == null || (v instanceof String s && s.isBlank())) {
      return null;
    }
    if (!(v instanceof String s)) {
      throw bad(key, "an http(s) URL string");
    }
    try {
      return PeerUrl.parse(s);
    } catch (IllegalArgumentException e) {
      throw bad(key, "an http(s) URL with host and port (" + e.getMessage() + ")");
    }
  }

  /** friend_primary, friend_secondary (the seed's) and friends (ours), in that order, deduplicated. */
  private List<String> friends() {
    Set<String> all = new LinkedHashSet<>();
    for (String key : List.of("friend_primary", "friend_secondary")) {
      String url = optionalUrl(key);
      if (url != null) {
        all.add(url);
      }
    }
    Object v = json.getValue("friends");
    if (v != null) {
      if (!(v instanceof JsonArray arr)) {
        throw bad("friends", "a list of http(s) URL strings");
      }
      for (int i = 0; i < arr.size(); i++) {
        Object item = arr.getValue(i);
        if (!(item instanceof String s)) {
          throw bad("friends", "a list of http(s) URL strings (item " + i + " is not a string)");
        }
        try {
          all.add(PeerUrl.parse(s));
        } catch (IllegalArgumentException e) {
          throw bad("friends", "a list of http(s) URLs (item " + i + ": " + e.getMessage() + ")");
        }
      }
    }
    return new ArrayList<>(all);
  }

  private PeerConfig.RateLimit rateLimit() {
    Object v = json.getValue("rate_limit");
    if (v == null) {
      return new PeerConfig.RateLimit(0, 0);
    }
    if (!(v instanceof JsonObject rl)) {
      throw bad("rate_limit", "an object {requests_per_minute, downloads_per_minute}");
    }
    ConfigParser inner = new ConfigParser(source, rl);
    try {
      return new PeerConfig.RateLimit(
          inner.integer("requests_per_minute", 0, 0, 10_000_000),
          inner.integer("downloads_per_minute", 0, 0, 10_000_000));
    } catch (ConfigException e) {
      throw new ConfigException(e.getMessage().replace("key \"", "key \"rate_limit."));
    }
  }

  private Path sharedDir() {
    String dir = string("shared_dir", "shared");
    Path path = Path.of(dir).toAbsolutePath().normalize();
    if (!Files.isDirectory(path)) {
      throw new ConfigException(source + ": key \"shared_dir\": " + path + " does not exist or is not a directory");
    }
    if (!Files.isReadable(path) || !Files.isExecutable(path)) {
      throw new ConfigException(source + ": key \"shared_dir\": " + path + " cannot be read");
    }
    return path;
  }
}
