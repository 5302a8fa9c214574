package io.peerd.metrics;

import static io.peerd.testkit.Await.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.peerd.node.PeerVerticle;
import io.peerd.testkit.Http;
import io.peerd.testkit.Peers;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** /metrics is valid Prometheus text, moves with traffic, and keeps route labels bounded. */
@Tag("peer")
class MetricsTest {

  @TempDir Path tmp;
  // A Vert.x of its own, not the extension's: the HTTP server metrics need it built with the
  // registry.
  Vertx vertx;
  PeerVerticle peer;
  Http http;

  @BeforeEach
  void start() {
    PrometheusMeterRegistry registry = Metrics.newRegistry();
    vertx = Metrics.vertxWithMetrics(new VertxOptions(), registry);
    Metrics.bindJvm(registry);
    peer =
        new PeerVerticle(
            Peers.parse(
                Peers.config(
                    "m",
                    Peers.folderWith(tmp, "s", Map.of("a.txt", "aaa")),
                    List.of(),
                    new JsonObject().put("metrics_port", 0))),
            registry);
    await(vertx.deployVerticle(peer).compose(id -> peer.firstScan()));
    http = new Http(vertx);
  }

  @AfterEach
  void stop() {
    await(vertx.close());
  }

  String get(String path) {
    return http.get(peer.restPort(), path).text();
  }

  static final Pattern SAMPLE =
      Pattern.compile(
          "([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{((?:[a-zA-Z_][a-zA-Z0-9_]*=\"(?:[^\"\\\\]|\\\\.)*\",?)*)\\})? "
              + "(-?[0-9.eE+-]+|NaN|\\+Inf|-Inf)( -?[0-9]+)?");
  static final Pattern LABEL =
      Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"");

  record Sample(String name, Map<String, String> labels, double value) {}

  /**
   * A strict enough parser of the text exposition format: every line must be a comment or a sample.
   */
  static List<Sample> parse(String text) {
    List<Sample> out = new ArrayList<>();
    Set<String> typed = new HashSet<>();
    for (String line : text.split("\n")) {
      if (line.isEmpty()) {
        continue;
      }
      if (line.startsWith("# TYPE ")) {
        String[] parts = line.split(" ");
        assertTrue(
            Set.of("counter", "gauge", "histogram", "summary", "untyped").contains(parts[3]), line);
        typed.add(parts[2]);
        continue;
      }
      if (line.startsWith("# HELP ") || line.startsWith("# EOF")) {
        continue;
      }
      Matcher m = SAMPLE.matcher(line);
      assertTrue(m.matches(), "not a Prometheus sample line: " + line);
      Map<String, String> labels = new HashMap<>();
      if (m.group(3) != null) {
        Matcher l = LABEL.matcher(m.group(3));
        while (l.find()) {
          labels.put(l.group(1), l.group(2));
        }
      }
      String name = m.group(1);
      String family = name.replaceAll("_(bucket|count|sum|total|created|max)$", "");
      assertTrue(
          typed.contains(name) || typed.contains(family) || typed.contains(family + "_total"),
          "sample without a TYPE line: " + line);
      out.add(new Sample(name, labels, Double.parseDouble(m.group(4).replace("+Inf", "Infinity"))));
    }
    return out;
  }

  static double sum(List<Sample> samples, String name, Map<String, String> match) {
    return samples.stream()
        .filter(s -> s.name().equals(name))
        .filter(
            s ->
                match.entrySet().stream()
                    .allMatch(e -> e.getValue().equals(s.labels().get(e.getKey()))))
        .mapToDouble(Sample::value)
        .sum();
  }

  @Test
  void validExpositionThatCountsRequestsSearchesAndTransfers() {
    List<Sample> before = parse(get("/metrics"));
    for (int i = 0; i < 3; i++) {
      get("/search?query=a");
    }
    get("/files/a.txt");
    List<Sample> after = parse(get("/metrics"));
    assertEquals(
        3,
        sum(after, "peer_search_seconds_count", Map.of("role", "origin"))
            - sum(before, "peer_search_seconds_count", Map.of("role", "origin")));
    assertEquals(
        3,
        sum(after, "peer_search_processed_total", Map.of("peer", "m"))
            - sum(before, "peer_search_processed_total", Map.of("peer", "m")));
    assertEquals(
        3,
        sum(after, "peer_transfer_bytes_total", Map.of("protocol", "http", "direction", "sent")));
    assertEquals(1, sum(after, "peer_index_files", Map.of("peer", "m")));
    assertEquals(
        java.util.Set.of("queued", "resolving", "active", "paused", "verifying", "done", "failed"),
        after.stream()
            .filter(x -> x.name().equals("peer_downloads"))
            .map(x -> x.labels().get("state"))
            .collect(java.util.stream.Collectors.toSet()),
        "the download queue by state, for the dashboard");
    double searchRequests =
        sum(after, "vertx_http_server_requests_total", Map.of("route", "/search", "code", "200"));
    assertTrue(searchRequests >= 3, "HTTP server requests by route: " + searchRequests);
    assertTrue(sum(after, "jvm_memory_used_bytes", Map.of()) > 0, "JVM metrics are there");
    // The seed's metrics_port serves the same registry.
    String viaMetricsPort = http.get(peer.metricsPort(), "/metrics").text();
    assertTrue(viaMetricsPort.contains("peer_search_seconds_count"));
  }

  @Test
  void aStreamedSearchCountsAsASearch() {
    List<Sample> before = parse(get("/metrics"));
    String events = get("/search/stream?query=a");
    assertTrue(events.contains("event: done"), events);
    get("/search?query=a");
    List<Sample> after = parse(get("/metrics"));
    assertEquals(
        2,
        sum(after, "peer_search_seconds_count", Map.of("role", "origin"))
            - sum(before, "peer_search_seconds_count", Map.of("role", "origin")),
        "the stream and /search alike");
    assertEquals(
        2,
        sum(after, "peer_search_results_count", Map.of("peer", "m"))
            - sum(before, "peer_search_results_count", Map.of("peer", "m")));
  }

  @Test
  void routeLabelsStayBoundedWhateverPathsAreRequested() {
    for (int i = 0; i < 200; i++) {
      get("/no/such/path/" + i);
      get("/files/missing-" + i + ".bin");
    }
    List<Sample> samples = parse(get("/metrics"));
    Set<String> routes = new HashSet<>();
    for (Sample s : samples) {
      if (s.name().startsWith("vertx_http_server") && s.labels().containsKey("route")) {
        routes.add(s.labels().get("route"));
      }
      assertTrue(
          s.labels().keySet().stream().noneMatch(k -> k.equals("path")), "no raw path label: " + s);
    }
    assertTrue(routes.size() <= 12, "routes are templates, not paths: " + routes);
  }
}
