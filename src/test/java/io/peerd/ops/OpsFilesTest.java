package io.peerd.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * The container files cannot be built here (no Docker engine), so their consistency with the
 * configs is checked instead: every mounted file exists, ports and URLs agree, Prometheus scrapes
 * what compose runs, k6's proto path resolves.
 */
@Tag("unit")
class OpsFilesTest {

  static final Path ROOT = Path.of("").toAbsolutePath();

  @SuppressWarnings("unchecked")
  static Map<String, Object> compose() throws Exception {
    return new Yaml().load(Files.readString(ROOT.resolve("docker-compose.yml")));
  }

  @Test
  @SuppressWarnings("unchecked")
  void composePeersMatchTheirConfigFiles() throws Exception {
    Map<String, Object> services = (Map<String, Object>) compose().get("services");
    List<String> peers = new ArrayList<>();
    for (Map.Entry<String, Object> e : services.entrySet()) {
      Map<String, Object> svc = (Map<String, Object>) e.getValue();
      for (Object v : (List<Object>) svc.getOrDefault("volumes", List.of())) {
        String src = v.toString().split(":")[0];
        if (src.startsWith("./")) {
          assertTrue(Files.exists(ROOT.resolve(src)), e.getKey() + " mounts a missing " + src);
        }
      }
      if (!e.getKey().startsWith("peer") || !svc.containsKey("container_name")) {
        continue; // the swarm profile's scalable peer is checked below
      }
      peers.add(e.getKey());
      List<String> command = (List<String>) svc.get("command");
      String conf = command.get(command.indexOf("-conf") + 1);
      assertTrue(conf.startsWith("/app/conf/"), conf);
      Path file = ROOT.resolve("conf").resolve(conf.substring("/app/conf/".length()));
      assertTrue(Files.isRegularFile(file), e.getKey() + ": " + file + " is missing");
      JsonObject cfg = new JsonObject(Files.readString(file));
      int rest = cfg.getInteger("rest_port");
      int grpc = cfg.getInteger("grpc_port");
      Map<String, Object> env = (Map<String, Object>) svc.get("environment");
      assertEquals(String.valueOf(rest), env.get("PEER_REST_PORT"), e.getKey());
      assertEquals(String.valueOf(grpc), env.get("PEER_GRPC_PORT"), e.getKey());
      List<String> ports = (List<String>) svc.get("ports");
      String on = "${PEERD_PUBLISH:-127.0.0.1}:";
      assertTrue(
          ports.contains(on + rest + ":" + rest), e.getKey() + " publishes its REST port " + ports);
      assertTrue(
          ports.contains(on + grpc + ":" + grpc), e.getKey() + " publishes its gRPC port " + ports);
      URI self = URI.create((String) env.get("PEER_SELF_URL"));
      assertEquals(e.getKey(), self.getHost());
      assertEquals(rest, self.getPort());
      for (String friendKey : List.of("PEER_FRIEND_PRIMARY", "PEER_FRIEND_SECONDARY")) {
        URI friend = URI.create((String) env.get(friendKey));
        Map<String, Object> other = (Map<String, Object>) services.get(friend.getHost());
        assertTrue(other != null, e.getKey() + ": " + friendKey + " names no service: " + friend);
        assertEquals(
            String.valueOf(friend.getPort()),
            ((Map<String, Object>) other.get("environment")).get("PEER_REST_PORT"),
            friendKey + " port");
      }
      Matcher samples =
          Pattern.compile("\\./conf/shared/p\\d").matcher(svc.get("volumes").toString());
      assertTrue(samples.find(), e.getKey() + " mounts its sample files");
    }
    assertEquals(3, peers.size());
  }

  @Test
  @SuppressWarnings("unchecked")
  void theSwarmProfilesPeersJoinThroughNamedPeersWithTheirOwnAddress() throws Exception {
    Map<String, Object> services = (Map<String, Object>) compose().get("services");
    Map<String, Object> swarm = (Map<String, Object>) services.get("peer");
    assertEquals(List.of("swarm"), swarm.get("profiles"));
    assertFalse(swarm.containsKey("container_name"), "scalable: no fixed name");
    assertFalse(swarm.containsKey("ports"), "scalable: no fixed host port");
    String script = String.join(" ", (List<String>) swarm.get("entrypoint"));
    assertTrue(script.contains("PEER_SELF_URL=http://$$me:8001"), "advertises its own address");
    Matcher conf = Pattern.compile("-conf (/app/conf/\\S+)").matcher(script);
    assertTrue(conf.find(), script);
    assertTrue(
        Files.isRegularFile(ROOT.resolve("conf").resolve(conf.group(1).substring(10))),
        conf.group(1));
    Map<String, Object> env = (Map<String, Object>) swarm.get("environment");
    for (String friendKey : List.of("PEER_FRIEND_PRIMARY", "PEER_FRIEND_SECONDARY")) {
      String host = URI.create((String) env.get(friendKey)).getHost();
      assertTrue(services.containsKey(host), friendKey + " names no service: " + host);
    }
  }

  /**
   * The container runtime waits longer than the peer's own bounds after SIGTERM (the grace, then at
   * most 10 s to stop and save, 5 s to close), so that a stop is exit 0, never a kill.
   */
  @Test
  @SuppressWarnings("unchecked")
  void composeWaitsLongerThanThePeerTakesToStop() throws Exception {
    Map<String, Object> peer = (Map<String, Object>) compose().get("x-peer");
    String period = peer.get("stop_grace_period").toString();
    assertTrue(period.matches("\\d+s"), period);
    long seconds = Long.parseLong(period.substring(0, period.length() - 1));
    long grace =
        io.peerd.config.ConfigParser.parse(
                "t",
                new io.vertx.core.json.JsonObject()
                    .put("shared_dir", ROOT.toString())
                    .put("state_dir", ""),
                Map.of())
            .timeouts()
            .shutdownGrace()
            .toSeconds();
    assertTrue(seconds > grace + 10 + 5, period + " for a grace of " + grace + " s");
  }

  @Test
  @SuppressWarnings("unchecked")
  void baseImagesAndMonitoringImagesCanBeReplaced() throws Exception {
    String df = Files.readString(ROOT.resolve("Dockerfile"));
    assertTrue(df.contains("ARG BUILD_IMAGE=") && df.contains("FROM ${BUILD_IMAGE} AS build"));
    assertTrue(df.contains("ARG RUNTIME_IMAGE=") && df.contains("FROM ${RUNTIME_IMAGE}"));
    Map<String, Object> compose = compose();
    Map<String, Object> build =
        (Map<String, Object>) ((Map<String, Object>) compose.get("x-peer")).get("build");
    Map<String, Object> args = (Map<String, Object>) build.get("args");
    assertTrue(args.get("BUILD_IMAGE").toString().startsWith("${BUILD_IMAGE:-"), args.toString());
    assertTrue(args.get("RUNTIME_IMAGE").toString().startsWith("${RUNTIME_IMAGE:-"));
    Map<String, Object> services = (Map<String, Object>) compose.get("services");
    assertTrue(
        ((Map<String, Object>) services.get("prometheus"))
            .get("image")
            .toString()
            .startsWith("${PROMETHEUS_IMAGE:-"));
  }

  @Test
  @SuppressWarnings("unchecked")
  void prometheusScrapesEveryPeerOnItsRestPort() throws Exception {
    Map<String, Object> prom =
        new Yaml().load(Files.readString(ROOT.resolve("conf/prometheus.yml")));
    Map<String, Object> job = ((List<Map<String, Object>>) prom.get("scrape_configs")).get(0);
    assertEquals("/metrics", job.get("metrics_path"));
    List<String> targets =
        (List<String>)
            ((List<Map<String, Object>>) job.get("static_configs")).get(0).get("targets");
    Map<String, Object> services = (Map<String, Object>) compose().get("services");
    List<String> expected = new ArrayList<>();
    for (String name : services.keySet()) {
      if (name.startsWith("peer")
          && ((Map<String, Object>) services.get(name)).containsKey("container_name")) {
        Map<String, Object> env =
            (Map<String, Object>) ((Map<String, Object>) services.get(name)).get("environment");
        expected.add(name + ":" + env.get("PEER_REST_PORT"));
      }
    }
    assertEquals(expected.stream().sorted().toList(), targets.stream().sorted().toList());
  }

  @Test
  void dockerfileExposesTheDefaultPortsAndChecksHealth() throws Exception {
    String df = Files.readString(ROOT.resolve("Dockerfile"));
    assertTrue(df.contains("EXPOSE 8001 50051"), "EXPOSE");
    assertTrue(df.contains("HEALTHCHECK") && df.contains("/health"), "HEALTHCHECK on /health");
    assertTrue(df.contains("USER peer"), "runs as a non-root user");
    // The AOT cache is made by a training run with the very flags the peer runs with: with other
    // GC or heap flags the JVM ignores it without a word.
    assertTrue(
        df.contains("RUN java $JAVA_OPTS -XX:AOTCacheOutput=/app/peer.aot"),
        "AOT cache trained with JAVA_OPTS");
    assertTrue(df.contains("JAVA_AOT=\"-XX:AOTCache=/app/peer.aot\""), "AOT cache named");
    assertTrue(df.contains("exec java $JAVA_OPTS $JAVA_AOT -jar"), "AOT cache used with JAVA_OPTS");
    assertTrue(Files.exists(ROOT.resolve(".dockerignore")));
  }

  @Test
  void k6GrpcScriptLoadsTheRepositoryProto() throws Exception {
    String script = Files.readString(ROOT.resolve("k6/grpc-download.js"));
    Matcher m = Pattern.compile("client\\.load\\(\\['([^']+)'\\], '([^']+)'\\)").matcher(script);
    assertTrue(m.find(), "client.load(...) in the init context");
    assertTrue(
        Files.isRegularFile(
            ROOT.resolve("k6").resolve(m.group(1)).resolve(m.group(2)).normalize()));
    assertTrue(script.contains("'p2p.FileTransfer/Download'"));
  }
}
