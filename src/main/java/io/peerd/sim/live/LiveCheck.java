package io.peerd.sim.live;

import io.peerd.config.ConfigParser;
import io.peerd.node.PeerVerticle;
import io.peerd.routing.Mode;
import io.peerd.routing.Rules;
import io.peerd.sim.Catalog;
import io.peerd.sim.Experiment;
import io.peerd.sim.Graph;
import io.peerd.sim.Simulator;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpResponseExpectation;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * Starts N real peers in this JVM (one verticle deployment each, real sockets on loopback), links
 * them in a random graph, places files, runs searches in each mode through the REST API, and
 * reports the same figures as the simulator, read from the peers' own counters; then runs the
 * simulator on the same graph and files so the two can be compared line by line.
 */
public final class LiveCheck {

  /**
   * @param minDegree fewest neighbours a peer gets (random in [minDegree, maxDegree])
   */
  public record Settings(
      int peers,
      int minDegree,
      int maxDegree,
      int searches,
      List<Mode> modes,
      int objects,
      double ratio,
      int walkers,
      int walkTtl,
      long seed,
      Path dir) {}

  /** What a run measured, and what the simulator predicts for the same network. */
  public record Outcome(
      List<Simulator.Result> live, List<Simulator.Result> simulated, String describe) {}

  private final Vertx vertx;
  private final WebClient http;
  private final Settings s;
  private final List<PeerVerticle> peers = new ArrayList<>();

  public LiveCheck(Vertx vertx, Settings settings) {
    this.vertx = vertx;
    this.http = WebClient.create(vertx, new WebClientOptions().setKeepAlive(true));
    this.s = settings;
  }

  /** Runs the whole check; peers are undeployed by the caller closing the Vert.x instance. */
  public Future<Outcome> run() {
    SplittableRandom random = new SplittableRandom(s.seed());
    int[] degrees = new int[s.peers()];
    for (int i = 0; i < degrees.length; i++) {
      degrees[i] = s.minDegree() + random.nextInt(s.maxDegree() - s.minDegree() + 1);
    }
    Graph graph = Graph.withDegrees(degrees, random);
    Catalog catalog =
        Catalog.place(s.peers(), s.objects(), Catalog.Replication.SQRT, s.ratio(), 1.2, random);
    int floodTtl = Experiment.autoFloodTtl(s.peers(), graph.meanDegree());
    String describe =
        String.format(
            java.util.Locale.ROOT,
            "%d live peers, random graph of degree %d-%d (mean %.1f), %d objects, sqrt replication at %.0f %%, "
                + "%d searches per mode, flood ttl %d over every neighbour, %d walkers with ttl %d, check every 4 hops, seed %d",
            s.peers(),
            s.minDegree(),
            s.maxDegree(),
            graph.meanDegree(),
            s.objects(),
            100 * s.ratio(),
            s.searches(),
            floodTtl,
            s.walkers(),
            s.walkTtl(),
            s.seed());
    return vertx
        .executeBlocking(() -> writeFiles(catalog), false)
        .compose(dirs -> deploy(dirs, graph.maxDegree()))
        .compose(v -> link(graph))
        .compose(v -> settled(graph, System.currentTimeMillis() + 60_000))
        .compose(
            v -> {
              List<Simulator.Result> live = new ArrayList<>();
              Future<Void> chain = Future.succeededFuture();
              for (Mode mode : s.modes()) {
                chain =
                    chain.compose(
                        x ->
                            measure(
                                    mode,
                                    mode == Mode.FLOOD ? floodTtl : s.walkTtl(),
                                    catalog,
                                    new SplittableRandom(s.seed() + 7))
                                .map(
                                    r -> {
                                      live.add(r);
                                      return null;
                                    }));
              }
              return chain.map(x -> live);
            })
        .map(
            live -> {
              Simulator sim =
                  new Simulator(graph, catalog, io.peerd.routing.NameSummary.DEFAULT_BITS);
              List<Simulator.Result> simulated = new ArrayList<>();
              for (Mode mode : s.modes()) {
                Rules rules = new Rules(Integer.MAX_VALUE, s.walkers(), 1, 4);
                simulated.add(
                    sim.run(
                        new Simulator.Settings(
                            mode,
                            mode == Mode.FLOOD ? floodTtl : s.walkTtl(),
                            rules,
                            Math.max(s.searches(), 500),
                            s.seed(),
                            1,
                            1)));
              }
              return new Outcome(live, simulated, describe);
            });
  }

  private List<Path> writeFiles(Catalog catalog) throws IOException {
    List<Path> dirs = new ArrayList<>();
    for (int v = 0; v < s.peers(); v++) {
      Path dir = Files.createDirectories(s.dir().resolve("peer" + v));
      for (int object : catalog.holdings()[v]) {
        Files.writeString(
            dir.resolve(catalog.names()[object]),
            catalog.names()[object] + " held by peer " + v + "\n");
      }
      dirs.add(dir);
    }
    return dirs;
  }

  private Future<Void> deploy(List<Path> dirs, int maxDegree) {
    List<Future<?>> started = new ArrayList<>();
    for (int v = 0; v < dirs.size(); v++) {
      JsonObject json =
          new JsonObject()
              .put("name", "live" + v)
              .put("ip", "127.0.0.1")
              .put("rest_port", 0)
              .put("shared_dir", dirs.get(v).toString())
              .put("state_dir", "")
              .put("health_check_interval", 1)
              .put("friend_timeout_ms", 2000)
              .put("search_timeout_ms", 8000)
              .put("search_ttl", 16)
              .put("max_fanout", Math.max(3, maxDegree))
              .put("peer_exchange", false)
              .put("walkers", s.walkers())
              .put("walk_ttl", s.walkTtl())
              .put("log_level", "WARN")
              // Its peers share a few event loops: one peer's delay is the others' work, not a
              // queue of its own to shed.
              .put("max_loop_delay_ms", 0);
      PeerVerticle peer = new PeerVerticle(ConfigParser.parse("live" + v, json, Map.of()));
      peers.add(peer);
      started.add(vertx.deployVerticle(peer).compose(id -> peer.firstScan()));
    }
    return Future.all(started).mapEmpty();
  }

  private Future<Void> link(Graph graph) {
    List<Future<?>> calls = new ArrayList<>();
    for (int v = 0; v < graph.size(); v++) {
      for (int w : graph.adj()[v]) {
        calls.add(
            http.post(peers.get(v).restPort(), "127.0.0.1", "/register")
                .timeout(10_000)
                .sendJsonObject(new JsonObject().put("url", peers.get(w).selfUrl()))
                .expecting(HttpResponseExpectation.SC_OK));
      }
    }
    return Future.all(calls).mapEmpty();
  }

  /** Until every peer sees all its neighbours healthy and holds their summaries. */
  private Future<Void> settled(Graph graph, long deadline) {
    List<Future<Boolean>> checks = new ArrayList<>();
    for (int v = 0; v < graph.size(); v++) {
      int degree = graph.adj()[v].length;
      checks.add(
          status(v)
              .map(
                  st ->
                      st.getInteger("healthy_peers") >= degree
                          && st.getInteger("summaries_known") >= degree));
    }
    return Future.all(checks)
        .compose(
            all -> {
              boolean done = checks.stream().allMatch(Future::result);
              if (done) {
                return Future.succeededFuture();
              }
              if (System.currentTimeMillis() > deadline) {
                return Future.failedFuture(
                    "peers did not see all their neighbours healthy within 60 s");
              }
              return vertx.timer(250, TimeUnit.MILLISECONDS).compose(t -> settled(graph, deadline));
            });
  }

  private Future<JsonObject> status(int v) {
    return http.get(peers.get(v).restPort(), "127.0.0.1", "/status")
        .timeout(10_000)
        .send()
        .expecting(HttpResponseExpectation.SC_OK)
        .map(r -> r.bodyAsJsonObject().getJsonObject("stats"));
  }

  /** Sum and max over peers of the counters a message moves. */
  private record Counters(long received, long duplicates, long checks, long[] perPeer) {}

  private Future<Counters> counters() {
    List<Future<JsonObject>> all = new ArrayList<>();
    for (int v = 0; v < peers.size(); v++) {
      all.add(status(v));
    }
    return Future.all(all)
        .map(
            x -> {
              long received = 0;
              long duplicates = 0;
              long checks = 0;
              long[] per = new long[peers.size()];
              for (int v = 0; v < all.size(); v++) {
                JsonObject st = all.get(v).result();
                per[v] = st.getLong("searches_processed") + st.getLong("duplicates_dropped");
                received += per[v];
                duplicates += st.getLong("duplicates_dropped");
                checks += st.getLong("origin_checks");
              }
              return new Counters(received, duplicates, checks, per);
            });
  }

  private record One(boolean found, int hops, long millis) {}

  private Future<Simulator.Result> measure(
      Mode mode, int ttl, Catalog catalog, SplittableRandom workload) {
    return counters()
        .compose(
            before -> {
              // Filled by the chain below, one search after the other, on this context: no locking
              // needed.
              List<One> results = new ArrayList<>();
              Future<Void> chain = Future.succeededFuture();
              for (int i = 0; i < s.searches(); i++) {
                int object = catalog.draw(workload);
                int origin;
                do {
                  origin = workload.nextInt(peers.size());
                } while (catalog.holds(origin, object));
                int o = origin;
                chain =
                    chain.compose(
                        x ->
                            search(o, catalog.query(object), mode, ttl)
                                .map(
                                    r -> {
                                      results.add(r);
                                      return null;
                                    }));
              }
              return chain
                  .compose(x -> counters())
                  .map(
                      after -> {
                        double q = s.searches();
                        // Each search's first message is the client's call to its origin: not
                        // network traffic.
                        long received = after.received() - before.received() - s.searches();
                        long checks = after.checks() - before.checks();
                        long busiest = 0;
                        for (int v = 0; v < peers.size(); v++) {
                          busiest = Math.max(busiest, after.perPeer()[v] - before.perPeer()[v]);
                        }
                        List<Integer> hops = new ArrayList<>();
                        List<Long> millis = new ArrayList<>();
                        int found = 0;
                        for (One r : results) {
                          if (r.found()) {
                            found++;
                            hops.add(r.hops());
                          }
                          millis.add(r.millis());
                        }
                        Collections.sort(hops);
                        Collections.sort(millis);
                        return new Simulator.Result(
                            mode,
                            peers.size(),
                            ttl,
                            s.searches(),
                            found / q,
                            (received + 2 * checks) / q,
                            (after.received()
                                    - before.received()
                                    - (after.duplicates() - before.duplicates())
                                    - s.searches())
                                / q,
                            (after.duplicates() - before.duplicates()) / q,
                            2 * checks / q,
                            (int) Simulator.percentile(hops, 50),
                            (int) Simulator.percentile(hops, 99),
                            Simulator.percentile(millis, 50),
                            Simulator.percentile(millis, 99),
                            busiest / q);
                      });
            });
  }

  private Future<One> search(int origin, String text, Mode mode, int ttl) {
    long started = System.nanoTime();
    String path =
        "/search?query="
            + URLEncoder.encode(text, StandardCharsets.UTF_8)
            + "&mode="
            + mode.wire()
            + "&ttl="
            + ttl
            + "&fanout=64&walkers="
            + s.walkers();
    return http.get(peers.get(origin).restPort(), "127.0.0.1", path)
        .timeout(30_000)
        .send()
        .expecting(HttpResponseExpectation.SC_OK)
        .map(
            r -> {
              long ms = (System.nanoTime() - started) / 1_000_000;
              JsonArray results = r.bodyAsJsonObject().getJsonArray("results");
              int best = -1;
              String self = peers.get(origin).selfUrl();
              for (int i = 0; i < results.size(); i++) {
                JsonObject pr = results.getJsonObject(i);
                if (!self.equals(pr.getString("peer")) && !pr.getJsonArray("files").isEmpty()) {
                  int h = pr.getInteger("hops", -1);
                  best = best < 0 ? h : Math.min(best, h);
                }
              }
              return new One(best >= 0, best, ms);
            });
  }
}
