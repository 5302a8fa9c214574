package io.peerd.api;

import io.peerd.Monotonic;
import io.peerd.peers.PeerProbe;
import io.peerd.peers.PeerState;
import io.peerd.peers.PeerTable;
import io.peerd.peers.PeerUrl;
import io.peerd.search.PeerCallException;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code GET /network}: this peer, its neighbours, and theirs (each healthy neighbour's {@code
 * /peers}, asked concurrently with the friend timeout), as nodes and edges for the web page's
 * graph. The page may not call other peers itself (its CSP allows only this origin), so the peer
 * gathers it. A neighbour that fails is listed as unreachable; the rest is still answered.
 */
final class NetworkView {

  static final int MAX_NEIGHBOURS = 16;
  static final int MAX_PEERS_EACH = 32;
  static final int MAX_NODES = 128;
  static final int MAX_EDGES = 512;

  /** Answers are reused this long: any number of open pages costs one fan-out per interval. */
  static final long REUSE_MS = 2000;

  private final String self;
  private final PeerTable peers;
  private final PeerProbe probe;
  private final long timeoutMillis;
  private Future<JsonObject> last;
  private long lastStarted;

  NetworkView(String self, PeerTable peers, PeerProbe probe, long timeoutMillis) {
    this.self = self;
    this.peers = peers;
    this.probe = probe;
    this.timeoutMillis = timeoutMillis;
  }

  void handle(RoutingContext ctx) {
    long now = Monotonic.millis();
    if (last == null || (last.isComplete() && now - lastStarted > REUSE_MS)) {
      lastStarted = now;
      last = build();
    }
    last.onSuccess(body -> Errors.json(ctx, 200, body)).onFailure(ctx::fail);
  }

  private record Asked(String peer, List<String> peers, String failure) {}

  Future<JsonObject> build() {
    Map<String, JsonObject> nodes = new LinkedHashMap<>();
    Set<String> edges = new LinkedHashSet<>();
    nodes.put(
        self,
        new JsonObject().put("url", self).put("self", true).put("hops", 0).put("healthy", true));
    for (PeerState s : peers.all()) {
      if (nodes.size() >= MAX_NODES) {
        break;
      }
      nodes.put(
          s.url(),
          new JsonObject()
              .put("url", s.url())
              .put("hops", 1)
              .put("healthy", s.healthy())
              .put("rtt_ms", s.rttMs() < 0 ? null : s.rttMs())
              .put("failures", s.failures())
              .put("last_seen", s.lastSeenMillis() == 0 ? null : s.lastSeenMillis()));
      edge(edges, self, s.url());
    }
    List<String> asked = peers.healthyUrls();
    asked = asked.subList(0, Math.min(asked.size(), MAX_NEIGHBOURS));
    List<Future<Asked>> calls = new ArrayList<>();
    for (String n : asked) {
      calls.add(
          probe
              .peersOf(n, MAX_PEERS_EACH, timeoutMillis)
              .map(list -> new Asked(n, list.urls(), null))
              .otherwise(
                  err ->
                      new Asked(
                          n,
                          List.of(),
                          err instanceof PeerCallException pce ? pce.getMessage() : "error")));
    }
    return Future.join(calls)
        .transform(
            ignored -> {
              JsonArray unreachable = new JsonArray();
              for (Future<Asked> f : calls) {
                Asked a = f.result();
                if (a.failure() != null) {
                  unreachable.add(
                      new JsonObject().put("peer", a.peer()).put("reason", a.failure()));
                  continue;
                }
                for (String raw : a.peers()) {
                  // Another peer's list is input like any other: only well-formed peer URLs become
                  // nodes.
                  String url = PeerUrl.tryParse(raw);
                  if (url == null || url.equals(a.peer())) {
                    continue;
                  }
                  if (!nodes.containsKey(url) && nodes.size() < MAX_NODES) {
                    nodes.put(url, new JsonObject().put("url", url).put("hops", 2));
                  }
                  if (nodes.containsKey(url) && edges.size() < MAX_EDGES) {
                    edge(edges, a.peer(), url);
                  }
                }
              }
              JsonArray edgeList = new JsonArray();
              for (String e : edges) {
                int bar = e.indexOf('\n');
                edgeList.add(
                    new JsonObject()
                        .put("from", e.substring(0, bar))
                        .put("to", e.substring(bar + 1)));
              }
              return Future.succeededFuture(
                  new JsonObject()
                      .put("self", self)
                      .put("nodes", new JsonArray(new ArrayList<>(nodes.values())))
                      .put("edges", edgeList)
                      .put("unreachable", unreachable)
                      .put("partial", !unreachable.isEmpty()));
            });
  }

  /** Undirected: a-b and b-a are one edge. URLs have no line breaks, so one joins them. */
  private static void edge(Set<String> edges, String a, String b) {
    if (edges.size() < MAX_EDGES) {
      edges.add(a.compareTo(b) < 0 ? a + "\n" + b : b + "\n" + a);
    }
  }
}
