package io.peerd.config;

import io.peerd.identity.PeerId;
import io.peerd.routing.Mode;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Turns the JSON of a config file plus {@code PEER_<KEY>} environment variables into a {@link
 * PeerConfig}, or a {@link ConfigException} naming the file (or variable) and the key.
 *
 * <p>Every key is read by its own {@link Type} from {@link Keys}; this class only adds the rules
 * that involve several keys (defaults derived from others, keys that go together) and groups the
 * values into {@link PeerConfig}'s records. Pure apart from the checks that the folders named
 * exist, so the rules are unit-tested without a Vert.x instance. Unknown keys do not stop a peer (a
 * newer or older config file must still start), but each is reported as a warning.
 */
public final class ConfigParser {

  private final String source;
  private final JsonObject file;
  private final Map<String, String> env;
  private final Map<Key<?>, Object> values = new HashMap<>();
  private final List<String> warnings = new ArrayList<>();

  private ConfigParser(String source, JsonObject file, Map<String, String> env) {
    this.source = source;
    this.file = file;
    this.env = env;
  }

  /**
   * @param source the file the JSON came from (used in messages)
   * @param file the parsed file, {@code {}} when there is none
   * @param env the process environment; only {@code PEER_*} variables are read
   */
  public static PeerConfig parse(String source, JsonObject file, Map<String, String> env) {
    ConfigParser p = new ConfigParser(source, file, env);
    p.readAll();
    return p.build();
  }

  private void readAll() {
    for (Key<?> key : Keys.ALL) {
      read(key);
    }
    unknownKeys(file, "");
    for (String var : env.keySet()) {
      if (var.startsWith("PEER_") && Keys.ALL.stream().noneMatch(k -> k.envVar().equals(var))) {
        warnings.add("environment variable " + var + " names no configuration key; ignored");
      }
    }
  }

  /** The variable wins over the file; a value that "means none" (the seed's "") is no value. */
  private <T> void read(Key<T> key) {
    String var = key.envVar();
    Object raw;
    if (env.containsKey(var)) {
      String text = env.get(var);
      try {
        raw = key.type().fromEnv(text);
        if (!key.type().isAbsent(raw)) {
          values.put(key, key.type().read(raw));
        }
      } catch (Type.Invalid e) {
        throw new ConfigException(
            "environment variable "
                + var
                + ": expected "
                + e.getMessage()
                + ", got \""
                + text
                + "\"");
      }
      return;
    }
    raw = inFile(key);
    if (raw == null || key.type().isAbsent(raw)) {
      return;
    }
    try {
      values.put(key, key.type().read(raw));
    } catch (Type.Invalid e) {
      throw new ConfigException(
          source
              + ": key \""
              + key.name()
              + "\": expected "
              + e.getMessage()
              + ", got "
              + shown(raw));
    }
  }

  /** The key's value in the file, following its dotted path; null when absent. */
  private Object inFile(Key<?> key) {
    Object at = file;
    String prefix = "";
    for (String part : key.path()) {
      if (!(at instanceof JsonObject obj)) {
        throw new ConfigException(
            source
                + ": key \""
                + prefix
                + "\": expected an object "
                + members(prefix)
                + ", got "
                + shown(at));
      }
      at = obj.getValue(part);
      if (at == null) {
        return null;
      }
      prefix = prefix.isEmpty() ? part : prefix + "." + part;
    }
    return at;
  }

  /** {@code {cert, key, ca}}: the keys declared inside that object. */
  private static String members(String prefix) {
    List<String> names = new ArrayList<>();
    for (Key<?> k : Keys.ALL) {
      if (k.name().startsWith(prefix + ".")) {
        names.add(k.name().substring(prefix.length() + 1));
      }
    }
    return "{" + String.join(", ", names) + "}";
  }

  private void unknownKeys(JsonObject obj, String prefix) {
    for (String name : obj.fieldNames()) {
      String full = prefix + name;
      if (Keys.byName(full) != null) {
        continue;
      }
      boolean isGroup = Keys.ALL.stream().anyMatch(k -> k.name().startsWith(full + "."));
      if (isGroup && obj.getValue(name) instanceof JsonObject inner) {
        unknownKeys(inner, full + ".");
      } else if (!isGroup) {
        warnings.add(source + ": unknown key \"" + full + "\" ignored");
      }
    }
  }

  @SuppressWarnings("unchecked")
  private <T> T get(Key<T> key) {
    if (values.containsKey(key)) {
      return (T) values.get(key);
    }
    Object def = key.fileDefault();
    if (def == null) {
      return null;
    }
    try {
      return key.type().read(def);
    } catch (Type.Invalid e) {
      // Only a default that depends on the machine can fail (a shared folder that is not there).
      throw new ConfigException(
          source
              + ": key \""
              + key.name()
              + "\": expected "
              + e.getMessage()
              + ", got "
              + shown(def)
              + " (the default)");
    }
  }

  private <T> T get(Key<T> key, T otherwise) {
    T v = get(key);
    return v == null ? otherwise : v;
  }

  /** A rule between keys was broken: the line names where {@code key}'s value came from. */
  private ConfigException bad(Key<?> key, String problem) {
    String var = key.envVar();
    String where =
        env.containsKey(var)
            ? "environment variable " + var
            : source + ": key \"" + key.name() + "\"";
    return new ConfigException(where + ": " + problem);
  }

  private static String shown(Object v) {
    return v instanceof String s ? "\"" + s + "\"" : String.valueOf(v);
  }

  private PeerConfig build() {
    PeerConfig.Node node = node();
    List<Friend> friends = friendList();
    return new PeerConfig(
        source,
        node,
        get(Keys.SHARED_DIR),
        get(Keys.WATCH_SHARED_DIR),
        stateDir(node.name()),
        friends.stream().map(Friend::url).toList(),
        timeouts(),
        routing(),
        peerSettings(),
        seen(),
        transfers(),
        uploads(),
        new PeerConfig.DownloadSettings(get(Keys.DOWNLOAD_DIR), get(Keys.MAX_ACTIVE_DOWNLOADS)),
        limits(),
        access(),
        tls(),
        trust(friends),
        logs(),
        warnings);
  }

  private PeerConfig.Node node() {
    String ip = get(Keys.IP);
    return new PeerConfig.Node(
        get(Keys.NAME),
        ip,
        get(Keys.BIND_HOST, ip),
        get(Keys.REST_PORT),
        get(Keys.GRPC_PORT, -1),
        get(Keys.METRICS_PORT, -1),
        get(Keys.SELF_URL));
  }

  /**
   * Default state/&lt;name&gt;, held to the same rule as a configured one; {@code ""} turns
   * persistence off. Created at start if missing.
   */
  private Path stateDir(String name) {
    Optional<Path> dir = get(Keys.STATE_DIR);
    if (dir == null) {
      String byDefault = "state/" + name.replaceAll("[^A-Za-z0-9._-]", "_");
      try {
        dir = Keys.STATE_DIR.type().read(byDefault);
      } catch (Type.Invalid e) {
        throw new ConfigException(
            source
                + ": key \"state_dir\": expected "
                + e.getMessage()
                + ", got \""
                + byDefault
                + "\" (the default)");
      }
    }
    return dir.orElse(null);
  }

  /**
   * friend_primary, friend_secondary (the seed's) and friends (ours), in that order, one per URL
   * (the first that names an id wins).
   */
  private List<Friend> friendList() {
    Map<String, Friend> all = new LinkedHashMap<>();
    List<String> raw = new ArrayList<>();
    for (Key<String> k : List.of(Keys.FRIEND_PRIMARY, Keys.FRIEND_SECONDARY)) {
      String friend = get(k);
      if (friend != null) {
        raw.add(friend);
      }
    }
    raw.addAll(get(Keys.FRIENDS, List.of()));
    for (String text : raw) {
      Friend f = Friend.parse(text);
      Friend known = all.get(f.url());
      if (known == null || (known.id() == null && f.id() != null)) {
        all.put(f.url(), known == null ? f : new Friend(f.url(), f.id()));
      } else if (f.id() != null && !f.id().equals(known.id())) {
        throw new ConfigException(
            source + ": friend " + f.url() + " is pinned to two different ids");
      }
    }
    return new ArrayList<>(all.values());
  }

  private PeerConfig.Trust trust(List<Friend> friends) {
    Map<String, PeerId> pins = new LinkedHashMap<>();
    for (Friend f : friends) {
      if (f.id() != null) {
        pins.put(f.url(), f.id());
      }
    }
    boolean identity = get(Keys.IDENTITY);
    if (!identity && !pins.isEmpty()) {
      throw bad(
          Keys.IDENTITY,
          "is false, but friends are pinned to ids (ID@URL): a peer without an id cannot check theirs");
    }
    // identity off with allow_unauthenticated_peers false is legal, a peer that uses no
    // neighbour: each entry of its /peers says why.
    return new PeerConfig.Trust(
        identity, get(Keys.SECURE_PORT), get(Keys.ALLOW_UNAUTHENTICATED_PEERS), pins);
  }

  private PeerConfig.Timeouts timeouts() {
    return new PeerConfig.Timeouts(
        get(Keys.HEALTH_CHECK_INTERVAL),
        get(Keys.FRIEND_TIMEOUT_MS),
        get(Keys.SEARCH_TIMEOUT_MS),
        get(Keys.RESCAN_INTERVAL),
        get(Keys.STREAM_IDLE_TIMEOUT_MS),
        get(Keys.SHUTDOWN_GRACE_MS));
  }

  private PeerConfig.Routing routing() {
    return new PeerConfig.Routing(
        get(Keys.SEARCH_TTL),
        get(Keys.MAX_FANOUT),
        Mode.parse(get(Keys.SEARCH_MODE)),
        get(Keys.WALKERS),
        get(Keys.WALK_TTL),
        get(Keys.WALK_WANTED),
        get(Keys.WALK_CHECK_EVERY),
        get(Keys.SUMMARY_BITS));
  }

  private PeerConfig.PeerSettings peerSettings() {
    Duration health = get(Keys.HEALTH_CHECK_INTERVAL);
    Duration backoff =
        get(Keys.PEER_MAX_BACKOFF, Duration.ofSeconds(Math.max(60, health.toSeconds() * 8)));
    return new PeerConfig.PeerSettings(
        get(Keys.MAX_PEERS),
        backoff,
        get(Keys.PEER_FORGET_AFTER),
        get(Keys.PEER_EXCHANGE),
        get(Keys.PEER_EXCHANGE_MAX),
        get(Keys.REGISTER_ON_START),
        get(Keys.LOCAL_DISCOVERY),
        get(Keys.DISCOVERY_PORT));
  }

  private PeerConfig.SeenSettings seen() {
    return new PeerConfig.SeenSettings(get(Keys.SEEN_CACHE_SIZE), get(Keys.SEEN_CACHE_TTL));
  }

  private PeerConfig.Transfers transfers() {
    return new PeerConfig.Transfers(
        get(Keys.CHUNK_SIZE),
        get(Keys.DOWNLOAD_CHUNK_SIZE),
        get(Keys.DUMMY_UPLOAD_MAX_BYTES),
        get(Keys.UPLOAD_RATE_LIMIT),
        get(Keys.DOWNLOAD_RATE_LIMIT));
  }

  private PeerConfig.UploadSettings uploads() {
    return new PeerConfig.UploadSettings(
        get(Keys.ACCEPT_UPLOADS),
        get(Keys.UPLOAD_DIR),
        get(Keys.UPLOAD_MAX_BYTES),
        get(Keys.UPLOAD_OVERWRITE));
  }

  private PeerConfig.Limits limits() {
    return new PeerConfig.Limits(
        get(Keys.RATE_LIMIT_REQUESTS),
        get(Keys.RATE_LIMIT_DOWNLOADS),
        get(Keys.MAX_CONNECTIONS_PER_CLIENT),
        get(Keys.MAX_SEARCHES_IN_FLIGHT),
        get(Keys.MAX_FORWARDED_IN_FLIGHT),
        get(Keys.MAX_FILE_REQUESTS_IN_FLIGHT),
        get(Keys.MAX_LOOP_DELAY_MS));
  }

  private PeerConfig.Access access() {
    PeerConfig.Access access = new PeerConfig.Access(get(Keys.API_TOKEN), get(Keys.PRIVATE));
    if (access.privatePeer() && access.token() == null) {
      throw bad(
          Keys.PRIVATE,
          "needs an api_token as well (a private peer without a token would refuse everyone)");
    }
    return access;
  }

  /** {@code tls: {cert, key, ca}}: cert and key together or not at all. */
  private PeerConfig.Tls tls() {
    Path cert = get(Keys.TLS_CERT);
    Path key = get(Keys.TLS_KEY);
    Path ca = get(Keys.TLS_CA);
    if ((cert == null) != (key == null)) {
      throw bad(cert == null ? Keys.TLS_KEY : Keys.TLS_CERT, "tls.cert and tls.key go together");
    }
    if (cert == null && ca == null) {
      return null;
    }
    return new PeerConfig.Tls(
        cert == null ? null : cert.toString(),
        key == null ? null : key.toString(),
        ca == null ? null : ca.toString());
  }

  private PeerConfig.Logs logs() {
    return new PeerConfig.Logs(get(Keys.LOG_FORMAT), get(Keys.LOG_LEVEL));
  }
}
