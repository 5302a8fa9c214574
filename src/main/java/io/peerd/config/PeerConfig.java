package io.peerd.config;

import io.peerd.routing.Mode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.List;

/**
 * Everything a peer needs to start, already validated, grouped by what reads it. Durations and
 * sizes are typed so that no caller has to remember which key was seconds and which milliseconds.
 * Built only by {@link ConfigParser} from the keys of {@link Keys}.
 *
 * @param source where this configuration came from (a file path, or "defaults"), for messages
 * @param watchSharedDir whether changes in {@code sharedDir} are followed as they happen (else only
 *     rescans find them)
 * @param stateDir where the peer table is persisted; null disables persistence
 * @param friends configured friends, in order, deduplicated (the seed's two, then {@code friends})
 * @param tls null when no TLS key is set
 * @param warnings what an operator should hear about but that does not stop the peer (an unknown
 *     key, most likely a typo)
 */
public record PeerConfig(
    String source,
    Node node,
    Path sharedDir,
    boolean watchSharedDir,
    Path stateDir,
    List<String> friends,
    Timeouts timeouts,
    Routing routing,
    PeerSettings peers,
    SeenSettings seen,
    Transfers transfers,
    UploadSettings uploads,
    DownloadSettings downloads,
    Limits limits,
    Access access,
    Tls tls,
    Trust trust,
    Logs logs,
    List<String> warnings) {

  public PeerConfig {
    friends = List.copyOf(friends);
    warnings = List.copyOf(warnings);
  }

  /**
   * Who the peer is and where it listens.
   *
   * @param grpcPort a second port that serves only gRPC (the seed's), or -1 for none
   * @param metricsPort a port that serves only {@code /metrics}, or -1 for none
   * @param selfUrl the URL other peers use to reach this one; null: derived from the bound port
   */
  public record Node(
      String name,
      String ip,
      String bindHost,
      int restPort,
      int grpcPort,
      int metricsPort,
      String selfUrl) {}

  /**
   * How long things may take.
   *
   * @param healthCheck how often a healthy peer is probed
   * @param friend one call to another peer: a forwarded search, a probe, a registration
   * @param search the default deadline of a whole search
   * @param rescan how often the shared folder is rescanned whole (the watch's safety net)
   * @param streamIdle a transfer that moves no byte for this long is cut: an upload that sends
   *     nothing, a download whose client stopped reading
   * @param shutdownGrace how long in-flight requests and transfers may go on after SIGTERM
   */
  public record Timeouts(
      Duration healthCheck,
      Duration friend,
      Duration search,
      Duration rescan,
      Duration streamIdle,
      Duration shutdownGrace) {}

  /**
   * How searches travel ({@link io.peerd.routing.Strategy}).
   *
   * @param searchTtl default ttl of a flood, and its cap
   * @param maxFanout most neighbours one peer forwards a query to
   * @param mode what a search uses unless it names one ({@code mode=})
   * @param walkers walkers an origin starts in walk and summary modes
   * @param walkTtl cap (and default) of ttl for walkers, which go one peer per hop
   * @param wanted results after which a walker that found them stops
   * @param checkEvery walkers ask the origin whether to go on every this many hops (0: never)
   * @param summaryBits size of the name summary this peer publishes (a power of two)
   */
  public record Routing(
      int searchTtl,
      int maxFanout,
      Mode mode,
      int walkers,
      int walkTtl,
      int wanted,
      int checkEvery,
      int summaryBits) {}

  /**
   * How the peer table behaves.
   *
   * @param max bound of the table
   * @param maxBackoff longest wait between probes of a failing peer
   * @param forgetAfter a peer failing for this long is dropped (configured friends never are)
   * @param exchange learn peers from neighbours' {@code /peers} (off for exact-topology tests)
   * @param exchangeMax most new addresses taken from one neighbour's answer
   * @param localDiscovery announce this peer on its LAN segments and add the peers heard there
   * @param discoveryPort the UDP port of LAN discovery
   */
  public record PeerSettings(
      int max,
      Duration maxBackoff,
      Duration forgetAfter,
      boolean exchange,
      int exchangeMax,
      boolean registerOnStart,
      boolean localDiscovery,
      int discoveryPort) {}

  /** Bounds of the cache of query ids already processed (duplicate suppression). */
  public record SeenSettings(int maxIds, Duration maxAge) {}

  /**
   * Sizes of the gRPC transfer messages.
   *
   * @param chunkSize bytes per DummyDownload chunk (the seed's 64 KiB)
   * @param downloadChunkSize bytes per Download chunk: larger messages cost less per byte
   * @param dummyUploadMaxBytes a DummyUpload stream above this is cut
   */
  public record Transfers(
      int chunkSize,
      int downloadChunkSize,
      long dummyUploadMaxBytes,
      long uploadRateLimit,
      long downloadRateLimit) {}

  /**
   * Real uploads (gRPC Upload, HTTP PUT). Off unless {@code accept_uploads} is true.
   *
   * @param dir the folder inside shared_dir where uploads land, relative ('/'-separated)
   * @param maxBytes quota for one upload
   * @param overwrite whether an upload may replace an existing file
   */
  public record UploadSettings(boolean accept, String dir, long maxBytes, boolean overwrite) {}

  /**
   * The downloads this peer runs for its users ({@code POST /downloads}).
   *
   * @param dir the folder inside shared_dir where finished downloads land, relative ('/'-separated)
   * @param maxActive downloads that run at once; the rest are queued
   */
  public record DownloadSettings(String dir, int maxActive) {}

  /**
   * What one client may take; 0 means unlimited (the seed's {@code rate_limit} object).
   *
   * @param connectionsPerClient open connections one remote address may hold on each port
   */
  /**
   * @param searchesInFlight, forwardedInFlight, fileRequestsInFlight admission bounds: work of each
   *     kind that may run at once, beyond which a peer sheds (503 with Retry-After)
   * @param loopDelay how late the event loop may run before that work is shed too (zero: never)
   */
  public record Limits(
      int requestsPerMinute,
      int downloadsPerMinute,
      int connectionsPerClient,
      int searchesInFlight,
      int forwardedInFlight,
      int fileRequestsInFlight,
      Duration loopDelay) {}

  /** Log lines: "plain" or "json", and the root level. */
  public record Logs(String format, String level) {}

  /**
   * Who may do what. With a token, every state-changing call (register, bootstrap, rescan, Upload)
   * needs {@code Authorization: Bearer <token>}; a private peer asks it for reading and searching
   * too. {@code /health} and {@code /metrics} stay open.
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
      if (authorizationHeader == null
          || !authorizationHeader.regionMatches(true, 0, "Bearer ", 0, 7)) {
        return false;
      }
      return MessageDigest.isEqual(
          token.getBytes(StandardCharsets.US_ASCII),
          authorizationHeader.substring(7).trim().getBytes(StandardCharsets.US_ASCII));
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

  /**
   * Who the peer is and whom it believes.
   *
   * @param identity whether the peer has a key and id ({@code identity}) and serves {@code
   *     secure_port}
   * @param securePort the TLS 1.3 port of peer links (0 = any free port)
   * @param allowUnauthenticated whether neighbours without a proven id are used
   * @param pins the ids configured friends must prove ({@code ID@URL}), by friend URL
   */
  public record Trust(
      boolean identity,
      int securePort,
      boolean allowUnauthenticated,
      java.util.Map<String, io.peerd.identity.PeerId> pins) {
    public Trust {
      pins = java.util.Map.copyOf(pins);
    }
  }

  /** The URL to advertise, once the REST port is known (it may have been 0 = ephemeral). */
  public String advertisedUrl(int boundRestPort) {
    if (node.selfUrl() != null) {
      return node.selfUrl();
    }
    String ip = node.ip();
    // The seed's ip is also the bind address; a wildcard is no address to give to other peers.
    boolean wildcard = ip.equals("0.0.0.0") || ip.equals("::") || ip.equals("[::]");
    String host =
        wildcard ? "127.0.0.1" : ip.contains(":") && !ip.startsWith("[") ? "[" + ip + "]" : ip;
    return (tls != null && tls.serves() ? "https://" : "http://") + host + ":" + boundRestPort;
  }
}
