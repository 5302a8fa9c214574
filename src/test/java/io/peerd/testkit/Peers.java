package io.peerd.testkit;

import io.peerd.config.ConfigParser;
import io.peerd.config.PeerConfig;
import io.peerd.node.PeerVerticle;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpResponseExpectation;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** Starts real peers on ephemeral loopback ports for tests. */
public final class Peers {

  private Peers() {}

  /** A config for a test peer: loopback, port 0, short timeouts; {@code extra} overrides. */
  public static JsonObject config(
      String name, Path shared, List<String> friends, JsonObject extra) {
    JsonObject c =
        new JsonObject()
            .put("name", name)
            .put("ip", "127.0.0.1")
            .put("rest_port", 0)
            .put("shared_dir", shared.toString())
            .put("friends", new JsonArray(List.copyOf(friends)))
            .put("health_check_interval", 1)
            .put("friend_timeout_ms", 1000)
            .put("search_timeout_ms", 3000)
            .put("state_dir", "")
            // Topologies here are the friends given; discovery tests turn it on themselves.
            .put("local_discovery", false)
            // Many peers share one test JVM and its two cores: one peer's hashing or transfer
            // keeps the others' loops behind, which would shed their work as overload. OverloadTest
            // turns it on; the daemon's own tests (e2e, netns, chaos) run with the default.
            .put("max_loop_delay_ms", 0);
    return c.mergeIn(extra == null ? new JsonObject() : extra);
  }

  /** Makes a and b neighbours the way peers do it: each registers the other over HTTP. */
  public static Future<Void> link(WebClient http, PeerVerticle a, PeerVerticle b) {
    return Future.all(
            http.post(a.restPort(), "127.0.0.1", "/register")
                .sendJsonObject(new JsonObject().put("url", b.selfUrl()))
                .expecting(HttpResponseExpectation.SC_OK),
            http.post(b.restPort(), "127.0.0.1", "/register")
                .sendJsonObject(new JsonObject().put("url", a.selfUrl()))
                .expecting(HttpResponseExpectation.SC_OK))
        .mapEmpty();
  }

  /** A /status counter of a peer. */
  public static Future<Long> stat(WebClient http, PeerVerticle p, String key) {
    return http.get(p.restPort(), "127.0.0.1", "/status")
        .send()
        .map(r -> r.bodyAsJsonObject().getJsonObject("stats").getLong(key));
  }

  /**
   * Bytes a peer counts as sent by its file transfers, from its own {@code /metrics}: over {@code
   * protocol} ({@code grpc}, {@code http}), or over both when it is null.
   */
  public static double sentBytes(Http http, PeerVerticle p, String protocol) {
    return http.get(p, "/metrics")
        .text()
        .lines()
        .filter(l -> l.startsWith("peer_transfer_bytes_total{"))
        .filter(l -> l.contains("direction=\"sent\""))
        .filter(l -> protocol == null || l.contains("protocol=\"" + protocol + "\""))
        .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
        .sum();
  }

  public static PeerConfig parse(JsonObject json) {
    return ConfigParser.parse("test", json, Map.of());
  }

  /** Deploys a peer and waits for its first index scan, so its files are searchable. */
  public static Future<PeerVerticle> start(Vertx vertx, JsonObject json) {
    PeerVerticle peer = new PeerVerticle(parse(json));
    return vertx.deployVerticle(peer).compose(id -> peer.firstScan()).map(v -> peer);
  }

  /** {@link #start}, waited for on the test thread: for straight-line tests. */
  public static PeerVerticle started(
      Vertx vertx, String name, Path shared, List<String> friends, JsonObject extra) {
    return Await.await(start(vertx, config(name, shared, friends, extra)));
  }

  /** Stops a peer started by {@link #start} and waits until its ports are closed. */
  public static void stop(Vertx vertx, PeerVerticle peer) {
    try {
      Await.await(vertx.undeploy(peer.deploymentID()));
    } catch (AssertionError notStopped) {
      // A stop that never ends is a bug to find: where every thread was is the first clue.
      StringBuilder dump = new StringBuilder("threads when the stop of a peer timed out:\n");
      Thread.getAllStackTraces()
          .forEach(
              (t, stack) -> {
                dump.append('"').append(t.getName()).append("\" ").append(t.getState());
                for (StackTraceElement e : stack) {
                  dump.append("\n\tat ").append(e);
                }
                dump.append('\n');
              });
      System.err.println(dump);
      throw notStopped;
    }
  }

  /** A folder of text files; unchecked so that it can be called inside future chains. */
  public static Path folderWith(Path parent, String name, Map<String, String> files) {
    try {
      Path dir = Files.createDirectories(parent.resolve(name));
      for (Map.Entry<String, String> e : files.entrySet()) {
        Path f = dir.resolve(e.getKey());
        Files.createDirectories(f.getParent());
        Files.writeString(f, e.getValue());
      }
      return dir;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
