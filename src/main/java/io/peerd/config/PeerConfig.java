package io.peerd.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Everything a peer needs to start, already validated. Durations and sizes are typed so that
 * no caller has to remember which key was seconds and which milliseconds.
 *
 * @param source where this configuration came from (a file path, or "defaults"), for messages
 * @param grpcPort a second port that serves only gRPC (the seed's), or -1 for none
 * @param metricsPort accepted for seed compatibility; -1 when absent
 * @param selfUrl the URL other peers use to reach this one; null means "derive from the bound port"
 * @param stateDir where the peer table is persisted; null disables persistence
 * @param chunkSize bytes per DummyDownload chunk (the seed's 64 KiB)
 * @param downloadChunkSize bytes per Download chunk: larger messages cost less per byte
 */
public record PeerConfig(
    String source,
    String name,
    String ip,
    String bindHost,
    int restPort,
    int grpcPort,
    int metricsPort,
    Path sharedDir,
    Path stateDir,
    List<String> friends,
    String selfUrl,
    Duration healthCheckInterval,
    int searchTtl,
    int maxFanout,
    Duration friendTimeout,
    Duration searchTimeout,
    Duration rescanInterval,
    long dummyUploadMaxBytes,
    int chunkSize,
    int downloadChunkSize,
    RateLimit rateLimit,
    PeerSettings peers,
    SeenSettings seen,
    UploadSettings uploads,
    Ops ops,
    Access access,
    Tls tls,
    Routing routing) {

  /**
   * How searches choose neighbours ({@link io.peerd.routing.Strategy}).
   *
   * @param mode what a search uses unless it names one ({@code mode=})
   * @param walkers walkers an origin starts in walk and summary modes
   * @param walkTtl cap (and default) of ttl for walkers, which go one peer per hop
   * @param wanted results after which a walker that found them stops
   * @param checkEvery walkers ask the origin whether to go on every this many hops (0: never)
   * @param summaryBits size of the name summary this peer publishes (a power of two)
   */
  public record Routing(io.peerd.routing.Mode mode, int walkers, int walkTtl, int wanted,
      int checkEvery, int summaryBits) {}

  /**
   * How the peer table behaves.
   *
   * @param max bound of the table
   * @param maxBackoff longest wait between probes of a failing peer
   * @param forgetAfter a peer failing for this long is dropped (configured friends never are)
   * @param exchange learn peers from neighbours' {@code /peers} (off for exact-topology tests)
   * @param exchangeMax most new addresses taken from one neighbour's answer
   */
  public record PeerSettings(int max, Duration maxBackoff, Duration forgetAfter, boolean exchange,
      int exchangeMax) {}

  /**
   * Real uploads (gRPC Upload). Off unless {@code accept_uploads} is true.
   *
   * @param dir the folder inside shared_dir where uploads land, relative ('/'-separated)
   * @param maxBytes quota for one upload
   * @param overwrite whether an upload may replace an existing file
   */
  public record UploadSettings(boolean accept, String dir, long maxBytes, boolean overwrite) {}

  /**
   * Running the process.
   *
   * @param shutdownGrace how long in-flight requests and transfers may go on after SIGTERM
   * @param streamIdleTimeout a gRPC transfer that moves no byte for this long is cut: an upload
   *     that sends nothing, a download whose client stopped reading
   * @param maxConnectionsPerClient open connections one remote address may hold on each port
   * @param logFormat "plain" or "json"
   */
  public record Ops(Duration shutdownGrace, Duration streamIdleTimeout, int maxConnectionsPerClient,
      String logFormat, String logLevel) {}

  /**
   * Who may do what. With a token, every state-changing call (register, bootstrap, rescan,
   * Upload) needs {@code Authorization: Bearer <token>}; a private peer asks it for reading and
   * searching too. {@code /health} and {@code /metrics} stay open.
   *
   * @param token null: no token, everything open as in the seed
   */
  public record Access(String token, boolean privatePeer) {

    /**
     * Whether an {@code Authorization} header carries the token. Constant-time: the answer time
     * says nothing about how much of a guess was right.
     */
    public boolean allows(String authorizationHeader) {
      if (token == null) {
        return true;
      }
      if (authorizationHeader == null || !authorizationHeader.regionMatches(true, 0, "Bearer ", 0, 7)) {
        return false;
      }
      return java.security.MessageDigest.isEqual(token.getBytes(java.nio.charset.StandardCharsets.US_ASCII),
          authorizationHeader.substring(7).trim().getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    }

    @Override
    public String toString() {
      return "Access[token=" + (token == null ? "none" : "***") + ", private=" + privatePeer + "]";
    }
  }

  /**
   * Optional TLS for every port of the peer (REST and gRPC alike, ALPN for HTTP/2).
   *
   * @param cert server certificate chain (PEM), null for a peer that only calls TLS peers
   * @param key its private key (PEM)
   * @param ca certificates to trust when calling https peers (PEM), null for the JVM's own
   */
  public record Tls(String cert, String key, String ca) {
    public boolean serves() {
      return cert != null;
    }
  }

  /** Bounds of the cache of query ids already processed (duplicate suppression). */
  public record SeenSettings(int maxIds, Duration maxAge) {}

  /** The seed's {@code rate_limit} object; 0 means unlimited. */
  public record RateLimit(int requestsPerMinute, int downloadsPerMinute) {}

  public PeerConfig {
    friends = List.copyOf(friends);
  }

  /** The URL to advertise, once the REST port is known (it may have been 0 = ephemeral). */
  public String advertisedUrl(int boundRestPort) {
    if (selfUrl != null) {
      return selfUrl;
    }
    // The seed's ip is also the bind address; a wildcard is no address to give to other peers.
    boolean wildcard = ip.equals("0.0.0.0") || ip.equals("::") || ip.equals("[::]");
    String host = wildcard ? "127.0.0.1" : ip.contains(":") && !ip.startsWith("[") ? "[" + ip + "]" : ip;
    return (tls != null && tls.serves() ? "https://" : "http://") + host + ":" + boundRestPort;
  }
}
