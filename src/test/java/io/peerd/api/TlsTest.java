package io.peerd.api;

import static io.peerd.testkit.Await.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.google.protobuf.ByteString;
import io.peerd.node.PeerVerticle;
import io.peerd.rpc.proto.DownloadRequest;
import io.peerd.rpc.proto.FileChunk;
import io.peerd.rpc.proto.FileTransferGrpcClient;
import io.peerd.testkit.Await;
import io.peerd.testkit.Peers;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClosedException;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.core.net.SocketAddress;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.grpc.client.GrpcClient;
import io.vertx.grpc.client.GrpcClientOptions;
import io.vertx.grpc.client.GrpcClientRequest;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Optional TLS, with a certificate the test makes: REST, peer-to-peer search and gRPC over it. */
@ExtendWith(VertxExtension.class)
@Tag("network")
class TlsTest {

  @TempDir Path tmp;
  Path cert;
  Path key;

  @BeforeEach
  void certificate() throws Exception {
    cert = tmp.resolve("cert.pem");
    key = tmp.resolve("key.pem");
    Process p;
    try {
      p =
          new ProcessBuilder(
                  "openssl",
                  "req",
                  "-x509",
                  "-newkey",
                  "rsa:2048",
                  "-nodes",
                  "-days",
                  "1",
                  "-subj",
                  "/CN=127.0.0.1",
                  "-addext",
                  "subjectAltName=IP:127.0.0.1",
                  "-keyout",
                  key.toString(),
                  "-out",
                  cert.toString())
              .redirectErrorStream(true)
              .start();
    } catch (java.io.IOException e) {
      p = null;
    }
    assumeTrue(
        p != null && p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0,
        "openssl is needed to make a certificate");
  }

  /**
   * TLS on every port; and neighbour calls bounded at 10 s instead of the test peers' 1 s: a's
   * first call to b includes a cold TLS handshake, which took over 1 s on a loaded 2-core machine.
   * What this test checks is that TLS works, not how fast.
   */
  JsonObject tls() {
    return new JsonObject()
        .put(
            "tls",
            new JsonObject()
                .put("cert", cert.toString())
                .put("key", key.toString())
                .put("ca", cert.toString()))
        .put("friend_timeout_ms", 10_000)
        .put("search_timeout_ms", 15_000);
  }

  @Test
  void restSearchBetweenPeersAndGrpcAllRunOverTls(Vertx vertx) {
    PemTrustOptions trust = new PemTrustOptions().addCertPath(cert.toString());
    WebClient https =
        WebClient.create(vertx, new WebClientOptions().setSsl(true).setTrustOptions(trust));
    PeerVerticle b =
        Peers.started(
            vertx,
            "b",
            Peers.folderWith(tmp, "b", Map.of("tls-b.txt", "over tls")),
            List.of(),
            tls());
    PeerVerticle a =
        Peers.started(
            vertx,
            "a",
            Peers.folderWith(tmp, "a", Map.of("tls-a.txt", "a")),
            List.of(b.selfUrl()),
            tls());
    assertTrue(a.selfUrl().startsWith("https://"), a.selfUrl());

    JsonObject answer =
        await(https.get(a.restPort(), "127.0.0.1", "/search?query=tls").send()).bodyAsJsonObject();
    assertEquals(
        2, answer.getInteger("peers_answered"), "b answered a over https: " + answer.encode());
    assertTrue(
        answer
            .getJsonArray("results")
            .getJsonObject(0)
            .getJsonArray("files")
            .getJsonObject(0)
            .getString("grpc")
            .startsWith("grpcs://"));

    // Plain HTTP on a TLS port: the TLS layer finds no TLS record and closes the connection
    // unanswered.
    Throwable plain =
        Await.failure(WebClient.create(vertx).get(a.restPort(), "127.0.0.1", "/health").send());
    assertInstanceOf(
        HttpClosedException.class, plain, "plain HTTP is not served on a TLS port: " + plain);

    GrpcClient grpc =
        GrpcClient.client(
            vertx,
            new GrpcClientOptions(),
            new HttpClientOptions().setSsl(true).setUseAlpn(true).setTrustOptions(trust));
    GrpcClientRequest<DownloadRequest, FileChunk> call =
        await(
            grpc.request(
                SocketAddress.inetSocketAddress(b.restPort(), "127.0.0.1"),
                FileTransferGrpcClient.Download));
    // The chunks are read by handlers set before the request goes out: set later, from this
    // thread, they could miss chunks that have already arrived.
    Future<List<FileChunk>> chunks =
        call.response().compose(resp -> resp.collect(Collectors.toList()));
    call.end(DownloadRequest.newBuilder().setFilename("tls-b.txt").build());
    ByteString data =
        await(chunks).stream().map(FileChunk::getData).reduce(ByteString.EMPTY, ByteString::concat);
    assertEquals("over tls", data.toStringUtf8());
  }
}
