package io.peerd.remote;

import io.peerd.search.FileHit;
import io.peerd.search.PeerCallException;
import io.peerd.search.PeerResult;
import io.peerd.search.SearchQuery;
import io.peerd.transfer.Source;
import io.vertx.core.Future;
import io.vertx.core.net.SocketAddress;
import java.net.URI;
import java.util.UUID;

/**
 * Where a named file can be fetched: the asked peer's own file of that name, else the first exact
 * match a search through that peer finds. The search goes with the largest ttl, fanout and deadline
 * a peer takes; the peer clamps them to its own caps.
 */
public final class Locator {

  private final HttpPeerClient client;
  private final long timeoutMillis;

  public Locator(HttpPeerClient client, long timeoutMillis) {
    this.client = client;
    this.timeoutMillis = timeoutMillis;
  }

  public Future<Source> locate(String peerUrl, String name) {
    return client
        .files(peerUrl, timeoutMillis)
        .compose(
            files -> {
              for (FileHit f : files) {
                if (name.equals(f.name())) {
                  return Future.succeededFuture(source(peerUrl, f));
                }
              }
              // The peer must answer before this call gives up on it.
              SearchQuery q =
                  SearchQuery.fromClient(
                      UUID.randomUUID().toString(), name, 255, 64, timeoutMillis * 9 / 10);
              return client
                  .forward(peerUrl, q, timeoutMillis)
                  .compose(
                      answer -> {
                        for (PeerResult r : answer.results()) {
                          for (FileHit f : r.files()) {
                            if (name.equals(f.name())) {
                              return Future.succeededFuture(source(r.peer(), f));
                            }
                          }
                        }
                        return Future.failedFuture(
                            new PeerCallException(
                                "not_found",
                                "no peer reachable from " + peerUrl + " shares " + name));
                      });
            });
  }

  /**
   * Our peers serve gRPC on their REST port too; a {@code grpc://} address they give is preferred.
   */
  static Source source(String peer, FileHit f) {
    String grpc = f.grpc() != null && f.grpc().startsWith("grpc://") ? f.grpc() : peer;
    return new Source(
        peer, f.name(), f.size(), f.checksum() == null ? "" : f.checksum(), address(grpc));
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
