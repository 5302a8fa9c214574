package io.peerd.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.micrometer.Label;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;
import java.time.Duration;
import java.util.EnumSet;
import java.util.function.ToDoubleFunction;

/** One peer's meters, all in one Prometheus registry; every meter carries a {@code peer} tag. */
public final class Metrics {

  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(Metrics.class);

  private final PrometheusMeterRegistry registry;
  private final String peer;

  public Metrics(PrometheusMeterRegistry registry, String peer) {
    this.registry = registry;
    this.peer = peer;
  }

  /** A registry of its own, for a peer deployed in a Vert.x without metrics (tests). */
  public static PrometheusMeterRegistry newRegistry() {
    return new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  }

  /**
   * A Vert.x whose HTTP server and client, pools and event loops report into {@code registry}. HTTP
   * metrics are labelled by route template, method and status code only; pools by name.
   */
  public static Vertx vertxWithMetrics(VertxOptions options, PrometheusMeterRegistry registry) {
    MicrometerMetricsOptions metrics =
        new MicrometerMetricsOptions()
            .setEnabled(true)
            // Bound by bindJvm once the peer is up: their MXBeans cost a tenth of a second of
            // start-up.
            .setJvmMetricsEnabled(false)
            // Per-request meter lookups otherwise cost more than our whole /health handler (the
            // HTTP server's meters are our own, PeerVertxMetrics; the client's are Vert.x's).
            .setMeterCacheEnabled(true)
            // Event-loop queue depths and the like: how busy the loops are.
            .setNettyMetricsEnabled(true)
            .setLabels(
                EnumSet.of(
                    Label.LOCAL,
                    Label.HTTP_ROUTE,
                    Label.HTTP_METHOD,
                    Label.HTTP_CODE,
                    Label.POOL_TYPE,
                    Label.POOL_NAME));
    return Vertx.builder()
        .with(new VertxOptions(options).setMetricsOptions(metrics))
        .withMetrics(
            o -> new PeerVertxMetrics(new MicrometerMetricsFactory(registry).metrics(o), registry))
        .build();
  }

  /**
   * The JVM's meters (memory, GC, threads, classes, CPU), as Vert.x's JVM metrics option binds
   * them.
   */
  @SuppressWarnings("resource") // the GC listener lives as long as the process
  public static void bindJvm(PrometheusMeterRegistry registry) {
    new io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics().bindTo(registry);
    new io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics().bindTo(registry);
    new io.micrometer.core.instrument.binder.jvm.JvmGcMetrics().bindTo(registry);
    new io.micrometer.core.instrument.binder.system.ProcessorMetrics().bindTo(registry);
    new io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics().bindTo(registry);
  }

  public PrometheusMeterRegistry registry() {
    return registry;
  }

  public String scrape() {
    return registry.scrape();
  }

  public <T> void gauge(String name, String help, T obj, ToDoubleFunction<T> f, String... tags) {
    Gauge.builder(name, obj, f).description(help).tag("peer", peer).tags(tags).register(registry);
  }

  public <T> void counter(String name, String help, T obj, ToDoubleFunction<T> f, String... tags) {
    FunctionCounter.builder(name, obj, f)
        .description(help)
        .tag("peer", peer)
        .tags(tags)
        .register(registry);
  }

  public Counter counter(String name, String help, String... tags) {
    return Counter.builder(name).description(help).tag("peer", peer).tags(tags).register(registry);
  }

  public Timer timer(String name, String help, String... tags) {
    return Timer.builder(name)
        .description(help)
        .tag("peer", peer)
        .tags(tags)
        .publishPercentileHistogram()
        .minimumExpectedValue(Duration.ofMillis(1))
        .maximumExpectedValue(Duration.ofSeconds(60))
        .register(registry);
  }

  /** gRPC calls by method and final status: a small fixed set of label values. */
  public void grpcCall(String method, String status) {
    pair("peer_grpc_calls_total", "gRPC calls by method and final status", "method", method)
        .apply("status", status)
        .increment();
  }

  /**
   * An unexpected failure inside the peer: logged once, here, with where it happened, an id and the
   * stack, and counted. The caller answers the id alone (HTTP 500 {@code {error:"internal",
   * detail:id}}, gRPC {@code INTERNAL}), so a remote client learns nothing of the peer's insides
   * and an operator finds the line from what the client saw.
   *
   * @param where a route template or a gRPC method: a small fixed set, as it is a label
   * @return the id to answer
   */
  public String incident(String where, Throwable err) {
    String id =
        Long.toHexString(java.util.concurrent.ThreadLocalRandom.current().nextLong() >>> 16);
    LOG.error("peer {}: internal error {} in {}", peer, id, where, err);
    counter(
            "peer_internal_errors_total",
            "Unexpected failures answered as internal errors",
            "where",
            where)
        .increment();
    return id;
  }

  /** Uploads by protocol (http, grpc) and outcome (ok, or why not: a small fixed set). */
  public void upload(String protocol, String outcome) {
    pair("peer_uploads_total", "Uploads by protocol and outcome", "protocol", protocol)
        .apply("outcome", outcome)
        .increment();
  }

  /** Bytes moved by transfers, by protocol (grpc, http) and direction (sent, received). */
  public void transferred(String protocol, String direction, long bytes) {
    pair("peer_transfer_bytes_total", "Bytes moved by file transfers", "protocol", protocol)
        .apply("direction", direction)
        .increment(bytes);
  }

  /**
   * The counters of one name by two labels, each made once: a counter's builder and registry lookup
   * cost more than a small file's whole answer. The callers' label values are small fixed sets
   * (methods, statuses, protocols, outcomes), so these maps are bounded by them.
   */
  private java.util.function.BiFunction<String, String, Counter> pair(
      String name, String help, String key1, String value1) {
    java.util.concurrent.ConcurrentHashMap<String, Counter> byValue2 =
        pairs
            .computeIfAbsent(name, n -> new java.util.concurrent.ConcurrentHashMap<>())
            .computeIfAbsent(value1, v -> new java.util.concurrent.ConcurrentHashMap<>());
    return (key2, value2) ->
        byValue2.computeIfAbsent(value2, v -> counter(name, help, key1, value1, key2, v));
  }

  private final java.util.concurrent.ConcurrentHashMap<
          String,
          java.util.concurrent.ConcurrentHashMap<
              String, java.util.concurrent.ConcurrentHashMap<String, Counter>>>
      pairs = new java.util.concurrent.ConcurrentHashMap<>();
}
