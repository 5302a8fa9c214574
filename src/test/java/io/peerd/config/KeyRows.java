package io.peerd.config;

import io.peerd.routing.Mode;
import io.peerd.testkit.Certificates;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Test data, one row per configuration key: a good value for its {@code PEER_<KEY>} variable (never
 * the default, so the test sees it take effect), where the parsed config holds it, and a wrong
 * value of the same key.
 */
final class KeyRows {

  private KeyRows() {}

  /** A key, a good variable value and what the config then holds, and a wrong value. */
  record Row(
      Key<?> key, String good, Function<PeerConfig, Object> read, Object expected, String bad) {}

  /**
   * @param tmp a folder of the test's own, for the paths some keys name
   * @param share an existing folder, the value of shared_dir
   */
  static Map<Key<?>, Row> of(Path tmp, Path share) throws Exception {
    Map<Key<?>, Row> rows = new LinkedHashMap<>();
    Certificates.Pem pem = Certificates.selfSigned(Files.createDirectories(tmp.resolve("tls")));
    Path state = tmp.resolve("state");
    Path aFile = Files.writeString(tmp.resolve("a-file"), "x");
    row(rows, Keys.NAME, "envpeer", c -> c.node().name(), "envpeer", "");
    row(rows, Keys.IP, "127.0.0.2", c -> c.node().ip(), "127.0.0.2", " ");
    row(rows, Keys.BIND_HOST, "127.0.0.1", c -> c.node().bindHost(), "127.0.0.1", "");
    row(rows, Keys.REST_PORT, "0", c -> c.node().restPort(), 0, "eighty");
    row(rows, Keys.GRPC_PORT, "0", c -> c.node().grpcPort(), 0, "70000");
    row(rows, Keys.METRICS_PORT, "0", c -> c.node().metricsPort(), 0, "-1");
    row(
        rows,
        Keys.SHARED_DIR,
        share.toString(),
        PeerConfig::sharedDir,
        share.toAbsolutePath(),
        tmp.resolve("no").toString());
    row(
        rows,
        Keys.FRIEND_PRIMARY,
        "http://127.0.0.1:9",
        c -> c.friends().get(0),
        "http://127.0.0.1:9",
        "gopher://x:70");
    row(
        rows,
        Keys.FRIEND_SECONDARY,
        "http://127.0.0.1:10",
        c -> c.friends().get(1),
        "http://127.0.0.1:10",
        "http://noport");
    row(
        rows,
        Keys.FRIENDS,
        "http://127.0.0.1:11, http://127.0.0.1:12",
        c -> c.friends().subList(2, 4),
        List.of("http://127.0.0.1:11", "http://127.0.0.1:12"),
        "http://a:1,ftp://b:2");
    row(
        rows,
        Keys.SELF_URL,
        "https://127.0.0.1:4443",
        c -> c.node().selfUrl(),
        "https://127.0.0.1:4443",
        "not a url");
    row(
        rows,
        Keys.HEALTH_CHECK_INTERVAL,
        "2.5",
        c -> c.timeouts().healthCheck(),
        Duration.ofMillis(2500),
        "0");
    row(rows, Keys.SEARCH_TTL, "5", c -> c.routing().searchTtl(), 5, "17");
    row(rows, Keys.MAX_FANOUT, "7", c -> c.routing().maxFanout(), 7, "0");
    row(
        rows,
        Keys.FRIEND_TIMEOUT_MS,
        "700",
        c -> c.timeouts().friend(),
        Duration.ofMillis(700),
        "1.5");
    row(
        rows,
        Keys.SEARCH_TIMEOUT_MS,
        "2500",
        c -> c.timeouts().search(),
        Duration.ofMillis(2500),
        "0");
    row(
        rows,
        Keys.RESCAN_INTERVAL,
        "45",
        c -> c.timeouts().rescan(),
        Duration.ofSeconds(45),
        "soon");
    row(rows, Keys.WATCH_SHARED_DIR, "false", PeerConfig::watchSharedDir, false, "sometimes");
    row(
        rows,
        Keys.STATE_DIR,
        state.toString(),
        PeerConfig::stateDir,
        state.toAbsolutePath(),
        aFile.toString());
    row(rows, Keys.MAX_PEERS, "99", c -> c.peers().max(), 99, "0");
    row(
        rows,
        Keys.PEER_MAX_BACKOFF,
        "30",
        c -> c.peers().maxBackoff(),
        Duration.ofSeconds(30),
        "-5");
    row(
        rows,
        Keys.PEER_FORGET_AFTER,
        "120",
        c -> c.peers().forgetAfter(),
        Duration.ofSeconds(120),
        "never");
    row(rows, Keys.PEER_EXCHANGE, "false", c -> c.peers().exchange(), false, "yes");
    row(rows, Keys.PEER_EXCHANGE_MAX, "3", c -> c.peers().exchangeMax(), 3, "1001");
    row(rows, Keys.REGISTER_ON_START, "true", c -> c.peers().registerOnStart(), true, "maybe");
    row(rows, Keys.LOCAL_DISCOVERY, "false", c -> c.peers().localDiscovery(), false, "on");
    row(rows, Keys.DISCOVERY_PORT, "0", c -> c.peers().discoveryPort(), 0, "65536");
    row(rows, Keys.SEEN_CACHE_SIZE, "500", c -> c.seen().maxIds(), 500, "0");
    row(rows, Keys.SEEN_CACHE_TTL, "60", c -> c.seen().maxAge(), Duration.ofSeconds(60), "100000");
    row(
        rows,
        Keys.DUMMY_UPLOAD_MAX_BYTES,
        "1048576",
        c -> c.transfers().dummyUploadMaxBytes(),
        1048576L,
        "-1");
    row(rows, Keys.CHUNK_SIZE, "32768", c -> c.transfers().chunkSize(), 32768, "100");
    row(
        rows,
        Keys.DOWNLOAD_CHUNK_SIZE,
        "131072",
        c -> c.transfers().downloadChunkSize(),
        131072,
        "2097152");
    row(
        rows,
        Keys.UPLOAD_RATE_LIMIT,
        "1048576",
        c -> c.transfers().uploadRateLimit(),
        1048576L,
        "-1");
    row(
        rows,
        Keys.DOWNLOAD_RATE_LIMIT,
        "2097152",
        c -> c.transfers().downloadRateLimit(),
        2097152L,
        "fast");
    row(rows, Keys.DOWNLOAD_DIR, "got/here", c -> c.downloads().dir(), "got/here", ".hidden");
    row(rows, Keys.MAX_ACTIVE_DOWNLOADS, "5", c -> c.downloads().maxActive(), 5, "0");
    row(rows, Keys.ACCEPT_UPLOADS, "true", c -> c.uploads().accept(), true, "on");
    row(rows, Keys.UPLOAD_DIR, "in/box", c -> c.uploads().dir(), "in/box", "../out");
    row(rows, Keys.UPLOAD_MAX_BYTES, "2048", c -> c.uploads().maxBytes(), 2048L, "lots");
    row(rows, Keys.UPLOAD_OVERWRITE, "TRUE", c -> c.uploads().overwrite(), true, "1");
    row(rows, Keys.RATE_LIMIT_DOWNLOADS, "60", c -> c.limits().downloadsPerMinute(), 60, "-3");
    row(rows, Keys.RATE_LIMIT_REQUESTS, "6000", c -> c.limits().requestsPerMinute(), 6000, "many");
    row(
        rows,
        Keys.API_TOKEN,
        "0123456789abcdefXYZ",
        c -> c.access().token(),
        "0123456789abcdefXYZ",
        "short");
    row(rows, Keys.PRIVATE, "true", c -> c.access().privatePeer(), true, "maybe");
    row(
        rows,
        Keys.STREAM_IDLE_TIMEOUT_MS,
        "5000",
        c -> c.timeouts().streamIdle(),
        Duration.ofSeconds(5),
        "50");
    row(rows, Keys.MAX_CONNECTIONS_PER_CLIENT, "8", c -> c.limits().connectionsPerClient(), 8, "0");
    row(rows, Keys.MAX_SEARCHES_IN_FLIGHT, "12", c -> c.limits().searchesInFlight(), 12, "0");
    row(rows, Keys.MAX_FORWARDED_IN_FLIGHT, "7", c -> c.limits().forwardedInFlight(), 7, "-1");
    row(
        rows,
        Keys.MAX_FILE_REQUESTS_IN_FLIGHT,
        "9",
        c -> c.limits().fileRequestsInFlight(),
        9,
        "100001");
    row(rows, Keys.MAX_LOOP_DELAY_MS, "0", c -> c.limits().loopDelay(), Duration.ZERO, "60001");
    row(rows, Keys.IDENTITY, "false", c -> c.trust().identity(), false, "maybe");
    row(rows, Keys.SECURE_PORT, "9443", c -> c.trust().securePort(), 9443, "70000");
    row(
        rows,
        Keys.ALLOW_UNAUTHENTICATED_PEERS,
        "false",
        c -> c.trust().allowUnauthenticated(),
        false,
        "nope");
    row(
        rows,
        Keys.TLS_CERT,
        pem.cert().toString(),
        c -> c.tls().cert(),
        pem.cert().toString(),
        tmp.resolve("no.pem") + "");
    row(
        rows,
        Keys.TLS_KEY,
        pem.key().toString(),
        c -> c.tls().key(),
        pem.key().toString(),
        tmp.resolve("no.pem") + "");
    row(
        rows,
        Keys.TLS_CA,
        pem.cert().toString(),
        c -> c.tls().ca(),
        pem.cert().toString(),
        tmp.resolve("no.pem") + "");
    row(
        rows,
        Keys.SHUTDOWN_GRACE_MS,
        "1000",
        c -> c.timeouts().shutdownGrace(),
        Duration.ofSeconds(1),
        "600001");
    row(rows, Keys.LOG_FORMAT, "json", c -> c.logs().format(), "json", "xml");
    row(rows, Keys.LOG_LEVEL, "DEBUG", c -> c.logs().level(), "DEBUG", "LOUD");
    row(rows, Keys.SEARCH_MODE, "walk", c -> c.routing().mode(), Mode.WALK, "random");
    row(rows, Keys.WALKERS, "2", c -> c.routing().walkers(), 2, "65");
    row(rows, Keys.WALK_TTL, "16", c -> c.routing().walkTtl(), 16, "0");
    row(rows, Keys.WALK_WANTED, "3", c -> c.routing().wanted(), 3, "0");
    row(rows, Keys.WALK_CHECK_EVERY, "2", c -> c.routing().checkEvery(), 2, "256");
    row(rows, Keys.SUMMARY_BITS, "1024", c -> c.routing().summaryBits(), 1024, "1000");
    return rows;
  }

  private static void row(
      Map<Key<?>, Row> rows,
      Key<?> key,
      String good,
      Function<PeerConfig, Object> read,
      Object expected,
      String bad) {
    rows.put(key, new Row(key, good, read, expected, bad));
  }

  /** The environment of a peer that sets every key through its variable. */
  static Map<String, String> everyVariable(Map<Key<?>, Row> rows) {
    Map<String, String> env = new HashMap<>();
    rows.values().forEach(r -> env.put(r.key().envVar(), r.good()));
    return env;
  }
}
