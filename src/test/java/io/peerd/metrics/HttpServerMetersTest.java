package io.peerd.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.net.SocketAddress;
import io.vertx.core.spi.observability.HttpRequest;
import io.vertx.core.spi.observability.HttpResponse;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The HTTP server's own meters: Vert.x's names and labels, counted per (route, method, code), and
 * bounded whatever clients send: an invented method is "other", and past the series cap requests
 * count under route "other".
 */
@Tag("unit")
class HttpServerMetersTest {

  private static HttpRequest request(HttpMethod method) {
    return new HttpRequest() {
      @Override
      public int id() {
        return 0;
      }

      @Override
      public String uri() {
        return "/x";
      }

      @Override
      public String absoluteURI() {
        return "http://h/x";
      }

      @Override
      public HttpMethod method() {
        return method;
      }

      @Override
      public MultiMap headers() {
        return MultiMap.caseInsensitiveMultiMap();
      }

      @Override
      public SocketAddress remoteAddress() {
        return null;
      }
    };
  }

  private static HttpResponse status(int code) {
    return new HttpResponse() {
      @Override
      public int statusCode() {
        return code;
      }

      @Override
      public MultiMap headers() {
        return MultiMap.caseInsensitiveMultiMap();
      }
    };
  }

  private static void serve(HttpServerMeters m, HttpMethod method, String route, int code) {
    HttpServerMeters.Exchange x = m.requestBegin(null, request(method));
    if (route != null) {
      m.requestRouted(x, route);
    }
    m.responseEnd(x, status(code), 10);
  }

  private static double requests(SimpleMeterRegistry r, String route, String method, String code) {
    var c =
        r.find("vertx.http.server.requests")
            .tags("route", route, "method", method, "code", code, "local", "127.0.0.1:8001")
            .counter();
    return c == null ? 0 : c.count();
  }

  @Test
  void countedByRouteMethodAndCodeWithBoundedLabels() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    HttpServerMeters m =
        new HttpServerMeters(registry, SocketAddress.inetSocketAddress(8001, "127.0.0.1"));
    serve(m, HttpMethod.GET, "/health", 200);
    serve(m, HttpMethod.GET, "/health", 200);
    serve(m, HttpMethod.GET, "/health", 429);
    serve(m, HttpMethod.GET, null, 404);
    serve(m, HttpMethod.valueOf("BREW"), "/health", 405);
    assertEquals(2, requests(registry, "/health", "GET", "200"));
    assertEquals(1, requests(registry, "/health", "GET", "429"));
    assertEquals(1, requests(registry, "", "GET", "404"), "no route: the empty template");
    assertEquals(1, requests(registry, "/health", "other", "405"), "an invented method");
    assertEquals(
        5,
        registry.find("vertx.http.server.response.time").timers().stream()
            .mapToLong(t -> t.count())
            .sum());

    // A client that makes every combination it can: the series stop at the cap.
    for (int code = 100; code < 600; code++) {
      serve(m, HttpMethod.GET, "/files/", code);
      serve(m, HttpMethod.POST, "/files/", code);
    }
    Set<String> routes =
        registry.getMeters().stream()
            .filter(x -> x.getId().getName().equals("vertx.http.server.requests"))
            .map(x -> x.getId().getTag("route"))
            .collect(Collectors.toSet());
    long series =
        registry.getMeters().stream()
            .map(Meter::getId)
            .filter(id -> id.getName().equals("vertx.http.server.requests"))
            .count();
    assertTrue(series <= HttpServerMeters.MAX_SERIES + 1000, "series: " + series);
    assertTrue(routes.contains("other"), "past the cap, route other: " + routes);
    long other =
        registry.getMeters().stream()
            .map(Meter::getId)
            .filter(id -> id.getName().equals("vertx.http.server.requests"))
            .filter(id -> !"other".equals(id.getTag("route")))
            .count();
    assertEquals(HttpServerMeters.MAX_SERIES, other, "at most MAX_SERIES of real routes");

    m.close();
    assertTrue(registry.getMeters().isEmpty(), "a closed server's meters leave the registry");
  }
}
