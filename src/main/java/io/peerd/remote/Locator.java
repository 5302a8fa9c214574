package io.peerd.remote;

import io.peerd.Monotonic;
import io.peerd.search.FileHit;
import io.peerd.search.PeerCallException;
import io.peerd.search.PeerResult;
import io.peerd.search.SearchAnswer;
import io.peerd.transfer.Source;
import io.vertx.core.Future;
import io.vertx.core.net.SocketAddress;
import java.net.URI;
import java.util.List;

/**
 * Where a named file can be fetched: the asked peer's own file of that name, else the first exact
 * match a search through that peer finds, as a person's search would (the peer's own ttl and
 * fanout). The whole lookup has one deadline, {@link #deadlineMillis()}: half for the file list,
 * the rest for the search; a file list that fails or is too large still leaves the search.
 */
public final class Locator {

  private final HttpPeerClient client;
  private final long timeoutMillis;

  /**
   * @param timeoutMillis the whole lookup
   */
  public Locator(HttpPeerClient client, long timeoutMillis) {
    this.client = client;
    this.timeoutMillis = timeoutMillis;
  }

  /** The longest a {@link #locate} takes, whatever the peer does. */
  public long deadlineMillis() {
    return timeoutMillis;
  }

  /** A peer and its file of the name asked for. */
  public record Found(String peer, FileHit hit) {}

  public Future<Source> locate(String peerUrl, String name) {
    return hit(peerUrl, name).map(f -> source(f.peer(), f.hit()));
  }

  /** The file itself, as the peer that has it describes it (with its root, when it knows one). */
  public Future<Found> hit(String peerUrl, String name) {
    return hit(peerUrl, name, null);
  }

  /**
   * @param sha256 when not null, only a file of that name with this SHA-256 will do: the same name
   *     may hold other bytes elsewhere
   */
  public Future<Found> hit(String peerUrl, String name, String sha256) {
    long started = Monotonic.millis();
    return client
        .files(peerUrl, timeoutMillis / 2)
        .map(files -> own(peerUrl, files, name, sha256))
        .otherwise(err -> null)
        .compose(
            mine -> {
              if (mine != null) {
                return Future.succeededFuture(mine);
              }
              long left = Math.max(1, timeoutMillis - (Monotonic.millis() - started));
              return client
                  .search(peerUrl, name, left)
                  .compose(answer -> found(peerUrl, answer, name, sha256));
            });
  }

  private static Found own(String peerUrl, List<FileHit> files, String name, String sha256) {
    for (FileHit f : files) {
      if (name.equals(f.name()) && (sha256 == null || sha256.equals(f.checksum()))) {
        return new Found(peerUrl, f);
      }
    }
    return null;
  }

  private static Future<Found> found(
      String peerUrl, SearchAnswer answer, String name, String sha256) {
    for (PeerResult r : answer.results()) {
      Found f = own(r.peer(), r.files(), name, sha256);
      if (f != null) {
        return Future.succeededFuture(f);
      }
    }
    return Future.failedFuture(
        new PeerCallException(
            "not_found",
            "no peer reachable from "
                + peerUrl
                + " shares "
                + name
                + (sha256 == null ? "" : " with SHA-256 " + sha256)));
  }

  static Source source(String peer, FileHit f) {
    return new Source(
        peer, f.name(), f.size(), f.checksum() == null ? "" : f.checksum(), grpcOf(peer, f));
  }

  /**
   * Our peers serve gRPC on their REST port too; a {@code grpc://} address they give is preferred.
   */
  static SocketAddress grpcOf(String peer, FileHit f) {
    return address(f.grpc() != null && f.grpc().startsWith("grpc://") ? f.grpc() : peer);
  }

  /** The host and port of a peer URL ({@code http://h:p} or {@code grpc://h:p}). */
  public static SocketAddress address(String url) {
    URI uri = URI.create(url);
    if (uri.getHost() == null || uri.getPort() <= 0) {
      throw new IllegalArgumentException("not a host:port address: " + url);
    }
    return SocketAddress.inetSocketAddress(uri.getPort(), uri.getHost());
  }
}
