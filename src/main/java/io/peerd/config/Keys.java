package io.peerd.config;

import io.peerd.routing.NameSummary;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

/**
 * Every configuration key, declared once, in the order the README documents them. Each line is the
 * key's name, type and rule, default and meaning; {@link ConfigParser} reads the file and the
 * {@code PEER_<KEY>} variables from these, and the README's table is {@link #markdown()} (a test
 * fails when the two differ). The seed's keys keep the seed's meaning.
 */
public final class Keys {

  private static final List<Key<?>> all = new ArrayList<>();

  /** In declaration order. */
  public static final List<Key<?>> ALL = Collections.unmodifiableList(all);

  private static <T> Key<T> key(String name, Type<T> type, Object fileDefault, String doc) {
    return key(name, type, fileDefault, null, doc);
  }

  private static <T> Key<T> key(
      String name, Type<T> type, Object fileDefault, String defaultDoc, String doc) {
    Key<T> k = new Key<>(name, type, fileDefault, defaultDoc, doc);
    all.add(k);
    return k;
  }

  // Who and where.
  public static final Key<String> NAME =
      key("name", Type.string(), "peer", "peer name shown in answers");
  public static final Key<String> IP =
      key(
          "ip",
          Type.string(),
          "127.0.0.1",
          "seed: address to bind; also the host advertised when `self_url` is absent (a wildcard advertises 127.0.0.1)");
  public static final Key<String> BIND_HOST =
      key(
          "bind_host",
          Type.string(),
          null,
          "= `ip`",
          "address the servers bind to, when it must differ from `ip`");
  public static final Key<Integer> REST_PORT =
      key("rest_port", Type.port(), 8001, "REST port; gRPC is served here too (0 = any free port)");
  public static final Key<Integer> GRPC_PORT =
      key("grpc_port", Type.port(), null, "an extra gRPC-only port, as the seed had");
  public static final Key<Integer> METRICS_PORT =
      key(
          "metrics_port",
          Type.port(),
          null,
          "an extra port serving `/metrics` alone (the seed read this key but never bound it); "
              + "`/metrics` is on `rest_port` either way");
  public static final Key<Path> SHARED_DIR =
      key(
          "shared_dir",
          Type.path()
              .check(
                  p -> Files.isDirectory(p) && Files.isReadable(p) && Files.isExecutable(p),
                  "an existing, readable directory")
              .named("path"),
          "shared",
          "folder to share, recursively; relative to the working directory");
  public static final Key<String> FRIEND_PRIMARY =
      key(
          "friend_primary",
          Type.friend(),
          null,
          "seed: the first friend (`\"\"` = none); `ID@URL` pins the id it must prove");
  public static final Key<String> FRIEND_SECONDARY =
      key("friend_secondary", Type.friend(), null, "seed: the second friend (`\"\"` = none)");
  public static final Key<List<String>> FRIENDS =
      key(
          "friends",
          Type.friends(),
          null,
          "`[]`",
          "more friends (comma-separated in `PEER_FRIENDS`); all friends start in the peer table and are never evicted; "
              + "a friend written `ID@URL` is pinned: it is used only once it proves that id over its secure port");
  public static final Key<String> SELF_URL =
      key(
          "self_url",
          Type.url(),
          null,
          "`http://<ip>:<rest_port>`",
          "the URL other peers use to reach this one");

  // Timing and search.
  public static final Key<Duration> HEALTH_CHECK_INTERVAL =
      key(
          "health_check_interval",
          Type.seconds(),
          10,
          "how often a healthy peer is probed (`GET /health`); a failing one backs off exponentially up to "
              + "`peer_max_backoff`");
  public static final Key<Integer> SEARCH_TTL =
      key(
          "search_ttl",
          Type.integer(0, 16),
          3,
          "default ttl of a search and its cap: a larger requested ttl is clamped");
  public static final Key<Integer> MAX_FANOUT =
      key(
          "max_fanout",
          Type.integer(1, 64),
          3,
          "most neighbours a query is sent to from one peer (requested fanout is clamped)");
  public static final Key<Duration> FRIEND_TIMEOUT_MS =
      key(
          "friend_timeout_ms",
          Type.millis(1, 600_000),
          1500,
          "per-neighbour timeout of a forwarded search, a probe, a registration");
  public static final Key<Duration> SEARCH_TIMEOUT_MS =
      key(
          "search_timeout_ms",
          Type.millis(1, 600_000),
          3000,
          "default deadline of a search (`timeout_ms` parameter, capped at 60000)");
  public static final Key<Duration> RESCAN_INTERVAL =
      key(
          "rescan_interval",
          Type.seconds(),
          3600,
          "how often `shared_dir` is rescanned whole (changed files only are rehashed): the safety net of the watch");
  public static final Key<Boolean> WATCH_SHARED_DIR =
      key(
          "watch_shared_dir",
          Type.bool(),
          true,
          "follow changes in `shared_dir` as they happen (inotify): a new file is searchable about 0.5 s after its last write; `false` leaves it to the rescans");

  // The peer table.
  public static final Key<Optional<Path>> STATE_DIR =
      key(
          "state_dir",
          Type.pathOrOff()
              .check(
                  dir ->
                      dir.isEmpty()
                          || !Files.exists(dir.get())
                          || Files.isDirectory(dir.get()) && Files.isWritable(dir.get()),
                  "a writable directory (created when missing), " + "or \"\" for none"),
          null,
          "`state/<name>`",
          "where the peer table is saved (`peers.json`, written atomically) and restored from at "
              + "start; `\"\"` turns it off");
  public static final Key<Integer> MAX_PEERS =
      key(
          "max_peers",
          Type.integer(1, 100_000),
          256,
          "bound of the peer table; the least useful unpinned peer makes room");
  public static final Key<Duration> PEER_MAX_BACKOFF =
      key(
          "peer_max_backoff",
          Type.seconds(),
          null,
          "8 x `health_check_interval`, at least 60",
          "longest wait between probes of a failing peer");
  public static final Key<Duration> PEER_FORGET_AFTER =
      key(
          "peer_forget_after",
          Type.seconds(),
          3600,
          "a peer failing for this long, over probes that fill at least half of it at the longest "
              + "backoff, is dropped (configured friends never are)");
  public static final Key<Boolean> PEER_EXCHANGE =
      key(
          "peer_exchange",
          Type.bool(),
          true,
          "learn peers from neighbours' `/peers`; `false` keeps the topology exactly as configured (used by the "
              + "topology tests)");
  public static final Key<Integer> PEER_EXCHANGE_MAX =
      key(
          "peer_exchange_max",
          Type.integer(0, 1000),
          16,
          "most new addresses taken from one neighbour's answer");
  public static final Key<Boolean> REGISTER_ON_START =
      key(
          "register_on_start",
          Type.bool(),
          false,
          "register with every friend once at start, as `POST /bootstrap` does (the seed waits to be "
              + "asked); the compose swarm profile's peers join this way");
  public static final Key<Boolean> LOCAL_DISCOVERY =
      key(
          "local_discovery",
          Type.bool(),
          true,
          "announce this peer on its local network segments (IPv4 broadcast, IPv6 link-local multicast) "
              + "every 30 s and add the peers heard there once their `/health` answers and, with an id, their "
              + "secure port proves it (see [LAN discovery](#lan-discovery)); `false` turns both off");
  public static final Key<Integer> DISCOVERY_PORT =
      key(
          "discovery_port",
          Type.port(),
          21041,
          "UDP port of LAN discovery, sent to and listened on (not Syncthing's 21027, whose packets "
              + "are not ours; 0 = any free port, which only unicast packets can reach: tests)");
  public static final Key<Integer> SEEN_CACHE_SIZE =
      key(
          "seen_cache_size",
          Type.integer(1, 10_000_000),
          100_000,
          "bound of the cache of query ids already processed (duplicate suppression)");
  public static final Key<Duration> SEEN_CACHE_TTL =
      key("seen_cache_ttl", Type.seconds(), 600, "how long a processed query id is remembered");

  // Transfers.
  public static final Key<Long> DUMMY_UPLOAD_MAX_BYTES =
      key(
          "dummy_upload_max_bytes",
          Type.longInteger(0, Long.MAX_VALUE),
          1L << 30,
          "a `DummyUpload` stream above this is cut with " + "`RESOURCE_EXHAUSTED`");
  public static final Key<Integer> CHUNK_SIZE =
      key(
          "chunk_size",
          Type.integer(1024, 1 << 20),
          64 * 1024,
          "bytes per gRPC `DummyDownload` chunk (the seed's size)");
  public static final Key<Integer> DOWNLOAD_CHUNK_SIZE =
      key(
          "download_chunk_size",
          Type.integer(1024, 1 << 20),
          256 * 1024,
          "bytes per gRPC `Download` chunk: larger messages cost less per byte (h2load: 858 MB/s at 64 KiB, "
              + "942 at 256 KiB)");
  public static final Key<Long> UPLOAD_RATE_LIMIT =
      key(
          "upload_rate_limit",
          Type.longInteger(0, Long.MAX_VALUE),
          0L,
          "`0` (off)",
          "bytes per second of everything this peer serves, all clients together: gRPC "
              + "`Download`/`DummyDownload`, `GET /files/{name}` and `/content/{root}`");
  public static final Key<Long> DOWNLOAD_RATE_LIMIT =
      key(
          "download_rate_limit",
          Type.longInteger(0, Long.MAX_VALUE),
          0L,
          "`0` (off)",
          "bytes per second of everything this peer fetches, all sources together; `peer.jar "
              + "download` reads the same `PEER_DOWNLOAD_RATE_LIMIT`");
  public static final Key<String> DOWNLOAD_DIR =
      key(
          "download_dir",
          Type.relativeFolder(),
          "downloads",
          "folder inside `shared_dir` where the peer's own downloads (`POST /downloads`) land, "
              + "shared once whole and verified; their partial data waits in its hidden "
              + "`.peerd-parts` folder");
  public static final Key<Integer> MAX_ACTIVE_DOWNLOADS =
      key(
          "max_active_downloads",
          Type.integer(1, 64),
          3,
          "downloads of `POST /downloads` that run at once; the rest wait as `queued`");
  public static final Key<Boolean> ACCEPT_UPLOADS =
      key(
          "accept_uploads",
          Type.bool(),
          false,
          "accept uploads (gRPC `Upload` and `PUT /upload/{name}`)");
  public static final Key<String> UPLOAD_DIR =
      key(
          "upload_dir",
          Type.relativeFolder(),
          "uploads",
          "folder inside `shared_dir` where uploads land (not hidden)");
  public static final Key<Long> UPLOAD_MAX_BYTES =
      key(
          "upload_max_bytes",
          Type.longInteger(0, Long.MAX_VALUE),
          1L << 30,
          "quota of one upload; larger ones are refused before any data flows");
  public static final Key<Boolean> UPLOAD_OVERWRITE =
      key("upload_overwrite", Type.bool(), false, "whether an upload may replace an existing file");

  // Limits and access.
  public static final Key<Integer> RATE_LIMIT_DOWNLOADS =
      key(
          "rate_limit.downloads_per_minute",
          Type.integer(0, 10_000_000),
          0,
          "`0` (off)",
          "per client address, token bucket: gRPC "
              + "`Download`/`DummyDownload` and `GET /files/{name}`; over it: `RESOURCE_EXHAUSTED` / HTTP 429 with "
              + "`Retry-After`. Searches are never counted");
  public static final Key<Integer> RATE_LIMIT_REQUESTS =
      key(
          "rate_limit.requests_per_minute",
          Type.integer(0, 10_000_000),
          0,
          "`0` (off)",
          "per client address, token bucket, on every REST path but "
              + "`/health` and `/metrics`: over it, 429 with `Retry-After`. Queries forwarded by a neighbour (they carry "
              + "`from`) count in that neighbour's own bucket, never in a person's on the same address");
  public static final Key<String> API_TOKEN =
      key(
          "api_token",
          Type.token(),
          null,
          "when set, `POST /register`, `/bootstrap`, `/index/rescan`, `PUT /upload/{name}` (any POST, PUT, PATCH or "
              + "DELETE), `GET /doctor` and gRPC `Upload` need `Authorization: Bearer <token>` (401 / `UNAUTHENTICATED` otherwise; "
              + "compared in constant time); a peer sends its own token to the peers it calls, so a network can share "
              + "one");
  public static final Key<Boolean> PRIVATE =
      key(
          "private",
          Type.bool(),
          false,
          "with `api_token`: reading and searching need the token too (`/health` and `/metrics` stay open)");
  public static final Key<Duration> STREAM_IDLE_TIMEOUT_MS =
      key(
          "stream_idle_timeout_ms",
          Type.millis(100, 3_600_000),
          30_000,
          "a transfer that moves nothing for this long is cut: an upload without "
              + "its first message or its data (`DEADLINE_EXCEEDED` / 408, temporary file removed), a `Download` whose "
              + "client stopped reading (stream reset)");
  public static final Key<Integer> MAX_CONNECTIONS_PER_CLIENT =
      key(
          "max_connections_per_client",
          Type.integer(1, 100_000),
          64,
          "open connections one remote address may hold on each port; more are closed at "
              + "once");
  public static final Key<Integer> MAX_SEARCHES_IN_FLIGHT =
      key(
          "max_searches_in_flight",
          Type.integer(1, 100_000),
          128,
          "searches asked by clients that may run at once (`/search`); more are refused at once with 503 "
              + "`overloaded` and `Retry-After`, before they cost anything");
  public static final Key<Integer> MAX_FORWARDED_IN_FLIGHT =
      key(
          "max_forwarded_in_flight",
          Type.integer(1, 100_000),
          64,
          "queries forwarded by neighbours (they carry `from`) that may run at once; over it, 503 `overloaded`, "
              + "and the neighbour routes around this peer");
  public static final Key<Integer> MAX_FILE_REQUESTS_IN_FLIGHT =
      key(
          "max_file_requests_in_flight",
          Type.integer(1, 100_000),
          256,
          "`GET /files/{name}` and `GET /content/{root}` answers that may stream at once; over it, 503 "
              + "`overloaded`");
  public static final Key<Duration> MAX_LOOP_DELAY_MS =
      key(
          "max_loop_delay_ms",
          Type.millis(0, 60_000),
          5,
          "how late the peer's event loop may run (the wait every request has before it is read) "
              + "before new searches, forwarded queries and file answers that queued behind other "
              + "work are refused with 503 `overloaded` and `Retry-After`, so that `/health` and "
              + "the work admitted stay fast (a lone client is always served); 0 = never shed on "
              + "delay");
  public static final Key<Boolean> IDENTITY =
      key(
          "identity",
          Type.bool(),
          true,
          "an Ed25519 key and self-signed certificate in `state_dir/identity.pem` (made on first start, mode 0600) "
              + "give the peer its id (`peer.jar id`); `secure_port` serves with it, and calls to peers that have one "
              + "go over theirs, each side checking the other's id (`false`: no id, no secure port)");
  public static final Key<Integer> SECURE_PORT =
      key(
          "secure_port",
          Type.port(),
          0,
          "REST and gRPC again, over TLS 1.3 with the peer's own certificate, asking callers for theirs (0 = any "
              + "free port); advertised as `secure_url`");
  public static final Key<Boolean> ALLOW_UNAUTHENTICATED_PEERS =
      key(
          "allow_unauthenticated_peers",
          Type.bool(),
          true,
          "use neighbours that have no id (seed peers, older peers, plain HTTP) and take their forwarded "
              + "queries; `false`: only peers that proved their id are used, and forwarded queries from others "
              + "get 403");
  public static final Key<Path> TLS_CERT =
      key(
          "tls.cert",
          Type.readableFile(),
          null,
          "TLS on every port (REST and gRPC, ALPN for HTTP/2) with this certificate chain; the advertised URL becomes "
              + "`https://`, the gRPC one `grpcs://`");
  public static final Key<Path> TLS_KEY =
      key(
          "tls.key",
          Type.readableFile(),
          null,
          "the private key of `tls.cert` (the two go together)");
  public static final Key<Path> TLS_CA =
      key(
          "tls.ca",
          Type.readableFile(),
          null,
          "what to trust when calling https peers (else the JVM's trust store)");

  // Running the process.
  public static final Key<Duration> SHUTDOWN_GRACE_MS =
      key(
          "shutdown_grace_ms",
          Type.millis(0, 600_000),
          10_000,
          "after SIGTERM, how long requests and transfers in flight may go on");
  public static final Key<String> LOG_FORMAT =
      key(
          "log_format",
          Type.oneOf("plain", "json"),
          "plain",
          "log lines on stderr: text, or one JSON object per line (logback's JsonEncoder)");
  public static final Key<String> LOG_LEVEL =
      key(
          "log_level",
          Type.oneOf("TRACE", "DEBUG", "INFO", "WARN", "ERROR"),
          "INFO",
          "root log level; nothing is logged per request at INFO");

  // Routing (search at scale).
  public static final Key<String> SEARCH_MODE =
      key(
          "search_mode",
          Type.oneOf("flood", "walk", "summary"),
          "flood",
          "how a search picks neighbours unless it says `mode=` (see [Search at scale](docs/search-at-scale.md))");
  public static final Key<Integer> WALKERS =
      key(
          "walkers",
          Type.integer(1, 64),
          4,
          "walkers an origin starts in `walk`/`summary` mode (at most its number of neighbours)");
  public static final Key<Integer> WALK_TTL =
      key(
          "walk_ttl",
          Type.integer(1, 255),
          32,
          "cap and default of `ttl` for walkers (they go one peer per hop)");
  public static final Key<Integer> WALK_WANTED =
      key(
          "walk_wanted",
          Type.integer(1, 10_000),
          1,
          "results after which a walker that found them stops, and the origin tells the others to");
  public static final Key<Integer> WALK_CHECK_EVERY =
      key(
          "walk_check_every",
          Type.integer(0, 255),
          4,
          "a walker asks the origin whether to go on every this many hops (0: never)");
  public static final Key<Integer> SUMMARY_BITS =
      key(
          "summary_bits",
          Type.powerOfTwo(NameSummary.MIN_BITS, NameSummary.MAX_BITS),
          NameSummary.DEFAULT_BITS,
          "size of the name summary (Bloom filter of name trigrams) this peer publishes on `/summary`");

  private Keys() {}

  /** The key of that dotted name, or null. */
  public static Key<?> byName(String name) {
    for (Key<?> k : all) {
      if (k.name().equals(name)) {
        return k;
      }
    }
    return null;
  }

  /** The README's configuration table, one row per key. */
  public static String markdown() {
    StringBuilder sb = new StringBuilder("| key | type | default | meaning |\n|---|---|---|---|\n");
    for (Key<?> k : all) {
      sb.append("| `")
          .append(k.name())
          .append("` | ")
          .append(k.docType())
          .append(" | ")
          .append(k.docDefault())
          .append(" | ")
          .append(k.doc())
          .append(" |\n");
    }
    return sb.toString();
  }
}
