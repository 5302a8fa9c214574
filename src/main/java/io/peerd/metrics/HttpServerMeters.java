package io.peerd.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.net.SocketAddress;
import io.vertx.core.spi.metrics.HttpServerMetrics;
import io.vertx.core.spi.observability.HttpRequest;
import io.vertx.core.spi.observability.HttpResponse;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One HTTP server's meters: requests and response times by route template, method and status, the
 * names and labels Vert.x's own Micrometer metrics give them. Vert.x's version built the tags and
 * looked the meters up in the registry for every request, which cost a fifth of a small answer's
 * CPU; here the pair of meters for a (route, method, code) is found by one map lookup and a short
 * scan, and made once. Label values are bounded: routes are the route table's templates, methods a
 * fixed set, codes 100-599; past {@link #MAX_SERIES} combinations, requests count under {@code
 * route="other"}.
 */
final class HttpServerMeters
    implements HttpServerMetrics<HttpServerMeters.Exchange, Void, HttpServerMeters.Connection> {

  static final int MAX_SERIES = 512;

  /** One request from its first byte to its response's last. */
  static final class Exchange {
    final long startedNanos = System.nanoTime();
    final String method;
    String route;

    Exchange(String method) {
      this.method = method;
    }
  }

  /** A connection: only counted, the socket metric Vert.x asks for. */
  static final class Connection {}

  private static final Connection CONNECTION = new Connection();

  private record Pair(String method, int code, Counter requests, Timer time) {}

  private final MeterRegistry registry;
  private final String local;
  private final ConcurrentHashMap<String, Pair[]> byRoute = new ConcurrentHashMap<>();
  private final AtomicInteger series = new AtomicInteger();
  private final AtomicInteger connections = new AtomicInteger();
  private final AtomicLong bytesRead = new AtomicLong();
  private final AtomicLong bytesWritten = new AtomicLong();
  private final java.util.List<io.micrometer.core.instrument.Meter> meters =
      new java.util.concurrent.CopyOnWriteArrayList<>();

  HttpServerMeters(MeterRegistry registry, SocketAddress localAddress) {
    this.registry = registry;
    this.local = localAddress == null ? "unknown" : localAddress.host() + ":" + localAddress.port();
    meters.add(
        Gauge.builder("vertx.http.server.active.connections", connections, AtomicInteger::get)
            .description("Number of opened connections to the HTTP Server")
            .tag("local", local)
            .register(registry));
    meters.add(
        io.micrometer.core.instrument.FunctionCounter.builder(
                "vertx.http.server.bytes.read", bytesRead, AtomicLong::get)
            .description("Number of bytes received by the server")
            .tag("local", local)
            .register(registry));
    meters.add(
        io.micrometer.core.instrument.FunctionCounter.builder(
                "vertx.http.server.bytes.written", bytesWritten, AtomicLong::get)
            .description("Number of bytes sent by the server")
            .tag("local", local)
            .register(registry));
  }

  @Override
  public Connection connected(SocketAddress remoteAddress, String remoteName) {
    connections.incrementAndGet();
    return CONNECTION;
  }

  @Override
  public void disconnected(Connection socketMetric, SocketAddress remoteAddress) {
    connections.decrementAndGet();
  }

  @Override
  public void bytesRead(Connection socketMetric, SocketAddress remoteAddress, long numberOfBytes) {
    bytesRead.addAndGet(numberOfBytes);
  }

  @Override
  public void bytesWritten(
      Connection socketMetric, SocketAddress remoteAddress, long numberOfBytes) {
    bytesWritten.addAndGet(numberOfBytes);
  }

  @Override
  public Exchange requestBegin(Connection socketMetric, HttpRequest request) {
    return new Exchange(method(request.method()));
  }

  /** Sub-routers add their part to the template, as Vert.x's metrics join them. */
  @Override
  public void requestRouted(Exchange exchange, String route) {
    if (exchange != null && route != null) {
      exchange.route = exchange.route == null ? route : exchange.route + ">" + route;
    }
  }

  @Override
  public void responseEnd(Exchange exchange, HttpResponse response, long bytesWritten) {
    if (exchange == null) {
      return;
    }
    Pair m = pair(exchange.route == null ? "" : exchange.route, exchange.method, code(response));
    m.requests().increment();
    m.time().record(System.nanoTime() - exchange.startedNanos, TimeUnit.NANOSECONDS);
  }

  @Override
  public void close() {
    meters.forEach(registry::remove);
  }

  private Pair pair(String route, String method, int code) {
    Pair[] known = byRoute.get(route);
    if (known != null) {
      for (Pair p : known) {
        if (p.code() == code && p.method() == method) {
          return p;
        }
      }
    }
    return make(route, method, code);
  }

  private synchronized Pair make(String route, String method, int code) {
    Pair[] known = byRoute.getOrDefault(route, new Pair[0]);
    for (Pair p : known) {
      if (p.code() == code && p.method() == method) {
        return p; // made by another thread a moment ago
      }
    }
    if (series.get() >= MAX_SERIES && !route.equals("other")) {
      return make("other", method, code);
    }
    String status = String.valueOf(code);
    Counter requests =
        Counter.builder("vertx.http.server.requests")
            .description("Number of processed requests")
            .tags("local", local, "route", route, "method", method, "code", status)
            .register(registry);
    Timer time =
        Timer.builder("vertx.http.server.response.time")
            .description("Request processing time")
            .tags("local", local, "route", route, "method", method, "code", status)
            .register(registry);
    meters.add(requests);
    meters.add(time);
    Pair p = new Pair(method, code, requests, time);
    Pair[] grown = java.util.Arrays.copyOf(known, known.length + 1);
    grown[known.length] = p;
    byRoute.put(route, grown);
    series.incrementAndGet();
    return p;
  }

  private static int code(HttpResponse response) {
    int code = response == null ? 0 : response.statusCode();
    return code >= 100 && code <= 599 ? code : 0;
  }

  // Interned: the scan above compares them by identity.
  private static final String[] METHODS = {
    "GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH", "TRACE", "CONNECT"
  };

  /** A method's label: the standard ones by name, any other method a client invents "other". */
  static String method(HttpMethod m) {
    String name = m == null ? "" : m.name();
    for (String known : METHODS) {
      if (known.equals(name)) {
        return known;
      }
    }
    return "other";
  }
}
