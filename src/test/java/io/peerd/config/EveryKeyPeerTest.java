package io.peerd.config;

import static io.peerd.testkit.Await.await;
import static io.peerd.testkit.Await.until;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.peerd.node.PeerVerticle;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real peer whose every key comes from its {@code PEER_<KEY>} variable starts and serves with
 * them.
 */
@ExtendWith(VertxExtension.class)
@Tag("peer")
class EveryKeyPeerTest {

  @TempDir Path tmp;

  @Test
  void aPeerStartsWithEveryKeySetByItsVariable(Vertx vertx) throws Exception {
    Path share = Files.createDirectories(tmp.resolve("share"));
    Files.writeString(share.resolve("env.txt"), "set by the environment");
    Map<Key<?>, KeyRows.Row> rows = KeyRows.of(tmp, share);
    PeerConfig config =
        ConfigParser.parse("environment only", new JsonObject(), KeyRows.everyVariable(rows));
    PeerVerticle peer = new PeerVerticle(config);
    await(vertx.deployVerticle(peer).compose(id -> peer.firstScan()));

    // tls.cert and tls.key make it serve https; tls.ca is what a client trusts.
    WebClient https =
        WebClient.create(
            vertx,
            new WebClientOptions()
                .setSsl(true)
                .setTrustOptions(new PemTrustOptions().addCertPath(config.tls().ca())));
    HttpResponse<Buffer> health = await(https.get(peer.restPort(), "127.0.0.1", "/health").send());
    assertEquals(200, health.statusCode(), "health stays open on a private peer");
    assertEquals("envpeer", health.bodyAsJsonObject().getString("peer"));
    assertEquals("https://127.0.0.1:4443", health.bodyAsJsonObject().getString("url"), "self_url");

    HttpResponse<Buffer> refused = await(https.get(peer.restPort(), "127.0.0.1", "/status").send());
    assertEquals(401, refused.statusCode(), "private: reading needs the token");
    JsonObject status =
        await(
                https
                    .get(peer.restPort(), "127.0.0.1", "/status")
                    .bearerTokenAuthentication(config.access().token())
                    .send())
            .bodyAsJsonObject();
    JsonObject c = status.getJsonObject("config");
    assertEquals("walk", c.getString("search_mode"));
    assertEquals(5, c.getInteger("search_ttl"));
    assertEquals(7, c.getInteger("max_fanout"));
    assertEquals(1, status.getJsonObject("stats").getInteger("files"));
    assertEquals(
        4,
        status.getJsonObject("stats").getInteger("total_peers"),
        "the four friends of the variables");

    HttpResponse<Buffer> metrics =
        await(https.get(peer.metricsPort(), "127.0.0.1", "/metrics").send());
    assertEquals(200, metrics.statusCode(), "metrics_port serves /metrics");
    assertTrue(
        peer.grpcPort() > 0 && peer.grpcPort() != peer.restPort(), "grpc_port is its own port");
    until(
        "the peer table saved in state_dir",
        Duration.ofSeconds(10),
        () -> Files.exists(config.stateDir().resolve("peers.json")));
  }
}
