package io.peerd.remote;

import io.peerd.peers.Link;
import io.peerd.search.FileHit;
import io.peerd.search.PeerCallException;
import io.peerd.search.PeerResult;
import io.peerd.search.SearchAnswer;
import io.peerd.transfer.Source;
import io.peerd.transfer.Swarm;
import io.peerd.wire.Magnet;
import io.vertx.core.Future;
import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a swarm download needs, found through one peer: a name, a root or a magnet resolved to the
 * content's root, size and SHA-256 and the peers that hold it; and, while the download runs, the
 * swarm's {@link Swarm.Finder} ({@code /search?root=} through the same peer, again and again).
 *
 * <p>A name that only a seed peer shares has no root (the seed knows none): it resolves to that one
 * {@link Source}, fetched the old way. A seed peer never counts as a source of a root.
 */
public final class ContentSources implements Swarm.Finder {

  /**
   * A content to fetch.
   *
   * @param sha256 the whole file's SHA-256 as a peer that has the root gave it; null if none did
   * @param magnet a link to it (the holder's own when it gave one)
   * @param single set instead of a root when only a seed peer has the name
   */
  public record Target(
      String root,
      long size,
      String sha256,
      String name,
      String magnet,
      List<Swarm.Source> sources,
      Source single) {
    public Target {
      sources = List.copyOf(sources);
    }
  }

  private final HttpPeerClient client;
  private final String peerUrl;
  private final long timeoutMillis;
  private final Locator locator;
  private final java.util.function.Function<String, Link> links;

  /**
   * @param peerUrl the peer searches go through; null when there is none (a magnet's own peers)
   * @param timeoutMillis each lookup's deadline
   */
  public ContentSources(HttpPeerClient client, String peerUrl, long timeoutMillis) {
    this(client, peerUrl, timeoutMillis, Link::plain);
  }

  /**
   * @param links how each peer must be reached (the peer table's): a peer with a secure link is
   *     fetched over gRPC at its secure port, whatever address its files name; a refused one is no
   *     source
   */
  public ContentSources(
      HttpPeerClient client,
      String peerUrl,
      long timeoutMillis,
      java.util.function.Function<String, Link> links) {
    this.links = links;
    this.client = client;
    this.peerUrl = peerUrl;
    this.timeoutMillis = timeoutMillis;
    this.locator = new Locator(client, timeoutMillis);
  }

  /** The peer searches go through; null when there is none. */
  public String peerUrl() {
    return peerUrl;
  }

  /** The longest a {@link #resolve} takes, whatever the peers do. */
  public long deadlineMillis() {
    return 2 * timeoutMillis;
  }

  /** A name, a 64-hex root or a {@code magnet:} link, as a person would paste it. */
  public Future<Target> resolve(String what) {
    return resolve(what, null);
  }

  /**
   * @param sha256 for a name: the content wanted among the files of that name; null for the first
   */
  public Future<Target> resolve(String what, String sha256) {
    if (what.startsWith("magnet:")) {
      Magnet m;
      try {
        m = Magnet.parse(what);
      } catch (IllegalArgumentException e) {
        return Future.failedFuture(new PeerCallException("bad_link", e.getMessage()));
      }
      return byRoot(m.root(), m.size(), m.name(), m.peers(), what);
    }
    if (Magnet.isRoot(what)) {
      return byRoot(what, -1, null, List.of(), null);
    }
    return byName(what, sha256);
  }

  private Future<Target> byName(String name, String sha256) {
    if (peerUrl == null) {
      return Future.failedFuture(
          new PeerCallException("not_found", "a name needs --peer to look it up through"));
    }
    return locator
        .hit(peerUrl, name, sha256)
        .compose(
            found -> {
              FileHit f = found.hit();
              if (f.root() == null) {
                // A seed peer's file: one source, checked by its SHA-256 at the end.
                return Future.succeededFuture(
                    new Target(
                        null,
                        f.size(),
                        null,
                        f.name(),
                        null,
                        List.of(),
                        Locator.source(found.peer(), f)));
              }
              return byRoot(f.root(), f.size(), f.name(), List.of(found.peer()), f.magnet());
            });
  }

  /** The holders a root search finds, the given peers first; size and SHA-256 from a holder. */
  private Future<Target> byRoot(
      String root, long size, String name, List<String> given, String magnet) {
    Future<List<Holder>> found =
        peerUrl == null ? Future.succeededFuture(List.of()) : holders(root);
    return found.compose(
        holders -> {
          Map<String, Swarm.Source> sources = new LinkedHashMap<>();
          for (String url : given) {
            Swarm.Source s = secured(peerSource(url));
            if (s != null) {
              sources.putIfAbsent(s.url(), s);
            }
          }
          holders.forEach(h -> sources.putIfAbsent(h.source().url(), h.source()));
          Holder first = holders.isEmpty() ? null : holders.get(0);
          long length = size >= 0 ? size : first == null ? -1 : first.hit().size();
          if (length < 0) {
            return Future.failedFuture(
                new PeerCallException(
                    "not_found", "no peer reachable from " + peerUrl + " has root " + root));
          }
          String sha = null;
          for (Holder h : holders) {
            if (h.hit().size() == length && h.hit().checksum() != null) {
              sha = h.hit().checksum();
              break;
            }
          }
          String shown = name != null ? name : first == null ? root : first.hit().name();
          String link =
              magnet != null
                  ? magnet
                  : first != null && first.hit().magnet() != null
                      ? first.hit().magnet()
                      : new Magnet(root, length, shown, List.copyOf(sources.keySet())).format();
          return Future.succeededFuture(
              new Target(root, length, sha, shown, link, List.copyOf(sources.values()), null));
        });
  }

  @Override
  public Future<List<Swarm.Source>> find(String root) {
    if (peerUrl == null) {
      return Future.succeededFuture(List.of());
    }
    return holders(root).map(hs -> hs.stream().map(Holder::source).toList());
  }

  private record Holder(Swarm.Source source, FileHit hit) {}

  /** Every peer in a root search's answer whose file has that root (a seed's never does). */
  private Future<List<Holder>> holders(String root) {
    return client
        .searchRoot(peerUrl, root, timeoutMillis)
        .map(
            (SearchAnswer answer) -> {
              List<Holder> out = new ArrayList<>();
              for (PeerResult r : answer.results()) {
                for (FileHit f : r.files()) {
                  Swarm.Source source =
                      root.equals(f.root())
                          ? secured(
                              new Swarm.Source(r.peer(), Locator.grpcOf(r.peer(), f), f.partial()))
                          : null;
                  if (source != null) {
                    out.add(new Holder(source, f));
                    break;
                  }
                }
              }
              return out;
            });
  }

  /**
   * A peer source as its link says: its gRPC at its secure port when it has one (the address a hit
   * names is the peer's word, and only the secure port proves who answers), null when its identity
   * was refused; a web seed as it is.
   */
  private Swarm.Source secured(Swarm.Source s) {
    if (s == null || s.webSeed()) {
      return s;
    }
    Link link = links.apply(s.url());
    if (link.refused() != null) {
      return null;
    }
    return link.expect() == null
        ? s
        : new Swarm.Source(s.url(), Locator.address(link.url()), s.partial());
  }

  /**
   * A {@code --source} or a magnet's peer: a base URL ({@code http://host:port}) is a peer, fetched
   * over gRPC by root; a URL with a path is a web seed, fetched with HTTP ranges.
   *
   * @return null for something that is no http(s) URL (the scheme's port when none is given)
   */
  public static Swarm.Source peerSource(String url) {
    URI u;
    try {
      u = URI.create(url);
    } catch (IllegalArgumentException e) {
      return null;
    }
    if (u.getHost() == null || !("http".equals(u.getScheme()) || "https".equals(u.getScheme()))) {
      return null;
    }
    int port = u.getPort() > 0 ? u.getPort() : "https".equals(u.getScheme()) ? 443 : 80;
    String path = u.getRawPath();
    if (path == null || path.isEmpty() || path.equals("/")) {
      String base = u.getScheme() + "://" + u.getHost() + ":" + port;
      return new Swarm.Source(base, Locator.address(base));
    }
    return new Swarm.Source(url, null);
  }
}
