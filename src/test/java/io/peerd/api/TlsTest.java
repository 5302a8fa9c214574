package io.peerd.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.peerd.node.PeerVerticle;
import io.peerd.rpc.proto.DownloadRequest;
import io.peerd.rpc.proto.FileTransferGrpcClient;
import io.peerd.testkit.Peers;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.core.net.SocketAddress;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.grpc.client.GrpcClient;
import io.vertx.grpc.client.GrpcClientOptions;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Optional TLS, with a certificate the test makes: REST, peer-to-peer search and gRPC over it. */
@ExtendWith(VertxExtension.class)
@Tag("network")
class TlsTest {

  @TempDir
  Path tmp;
  Path cert;
  Path key;

  @BeforeEach
  void certificate() throws Exception {
    cert = tmp.resolve("cert.pem");
    key = tmp.resolve("key.pem");
    Process p;
    try {
      p = new ProcessBuilder("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
          "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
          "-keyout", key.toString(), "-out", cert.toString()).redirectErrorStream(true).start();
    } catch (java.io.IOException e) {
      p = null;
    }
    assumeTrue(p != null && p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0, "openssl is needed to make a certificate");
  }

  JsonObject tls() {
    return new JsonObject().put("tls", new JsonObject().put("cert", cert.toString()).put("key", key.toString())
        .put("ca", cert.toString()));
  }

  @Test
  void restSearchBetweenPeersAndGrpcAllRunOverTls(Vertx vertx, VertxTestContext ctx) {
    WebClient https = WebClient.create(vertx, new WebClientOptions().setSsl(true)
        .setTrustOptions(new PemTrustOptions().addCertPath(cert.toString())));
    WebClient plain = WebClient.create(vertx);
    GrpcClient grpc = GrpcClient.client(vertx, new GrpcClientOptions(), new HttpClientOptions().setSsl(true)
        .setUseAlpn(true).setTrustOptions(new PemTrustOptions().addCertPath(cert.toString())));
    Peers.start(vertx, Peers.config("b", Peers.folderWith(tmp, "b", Map.of("tls-b.txt", "over tls")), List.of(), tls()))
        .compose(b -> Peers.start(vertx, Peers.config("a", Peers.folderWith(tmp, "a", Map.of("tls-a.txt", "a")),
                List.of(b.selfUrl()), tls()))
            .compose(a -> {
              ctx.verify(() -> assertTrue(a.selfUrl().startsWith("https://"), a.selfUrl()));
              return https.get(a.restPort(), "127.0.0.1", "/search?query=tls").send()
                  .compose(r -> {
                    ctx.verify(() -> {
                      JsonObject answer = r.bodyAsJsonObject();
                      assertEquals(2, answer.getInteger("peers_answered"), "b answered a over https: " + answer.encode());
                      assertTrue(answer.getJsonArray("results").getJsonObject(0).getJsonArray("files").getJsonObject(0)
                          .getString("grpc").startsWith("grpcs://"));
                    });
                    return plain.get(a.restPort(), "127.0.0.1", "/health").send()
                        .transform(ar -> Future.succeededFuture(ar.succeeded() ? ar.result().statusCode() : -1));
                  })
                  .compose(plainStatus -> {
                    ctx.verify(() -> assertTrue(plainStatus != 200, "plain HTTP is not served on a TLS port"));
                    DownloadRequest req = DownloadRequest.newBuilder().setFilename("tls-b.txt").build();
                    return grpc.request(SocketAddress.inetSocketAddress(b.restPort(), "127.0.0.1"), FileTransferGrpcClient.Download)
                        .compose(call -> call.send(req))
                        .compose(resp -> {
                          Promise<Buffer> all = Promise.promise();
                          Buffer b2 = Buffer.buffer();
                          resp.handler(c -> b2.appendBytes(c.getData().toByteArray()));
                          resp.exceptionHandler(all::tryFail);
                          resp.endHandler(v -> all.tryComplete(b2));
                          return all.future();
                        });
                  });
            }))
        .onComplete(ctx.succeeding(data -> ctx.verify(() -> {
          assertEquals("over tls", data.toString());
          ctx.completeNow();
        })));
  }
}
