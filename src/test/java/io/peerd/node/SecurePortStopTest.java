package io.peerd.node;

import static io.peerd.testkit.Await.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.peerd.identity.Identity;
import io.peerd.peers.Link;
import io.peerd.rpc.TransferClient;
import io.peerd.testkit.Http;
import io.peerd.testkit.OnLoop;
import io.peerd.testkit.Peers;
import io.peerd.testkit.Sse;
import io.peerd.testkit.StandIns;
import io.peerd.transfer.Received;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.SocketAddress;
import io.vertx.junit5.VertxExtension;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A stop with requests served on the secure port: it waits for what still runs there, and for
 * nothing else. The grace is 20 s, so a stop that waits it out is plain to see.
 */
@ExtendWith(VertxExtension.class)
@Tag("peer")
class SecurePortStopTest {

  static final JsonObject LONG_GRACE =
      new JsonObject().put("shutdown_grace_ms", 20_000).put("accept_uploads", true);

  @TempDir Path tmp;

  @Test
  void aStopAfterSearchesFilesStreamsAndUploadsOnTheSecurePortDoesNotWaitOutTheGrace(Vertx vertx)
      throws Exception {
    PeerVerticle peer =
        Peers.started(
            vertx,
            "s",
            Peers.folderWith(tmp, "s", Map.of("song.txt", "la la la")),
            List.of(),
            LONG_GRACE);
    int port = peer.securePort();
    // One keep-alive connection stays open through the stop, as a browser's or a neighbour's does.
    HttpClient tls = tls(vertx);
    assertEquals(200, await(send(vertx, tls, HttpMethod.GET, port, "/search?query=song", null)));
    assertEquals(200, await(send(vertx, tls, HttpMethod.GET, port, "/files/song.txt", null)));
    assertEquals(
        404, await(send(vertx, tls, HttpMethod.GET, port, "/content/" + "0".repeat(64), null)));
    assertEquals(
        201,
        await(send(vertx, tls, HttpMethod.PUT, port, "/upload/new.txt", Buffer.buffer("new"))));
    // A streamed search that ends by itself, and a download stream its client leaves.
    assertEquals(200, await(Sse.read(vertx, tls, port, "/search/stream?query=song")).status());
    HttpClient leaving = tls(vertx);
    await(Sse.opened(vertx, leaving, port, "/downloads/stream"));
    await(leaving.close());

    // gRPC too: the piece layer through Vert.x's gRPC server, the range straight on its stream.
    JsonObject file =
        new Http(vertx).getJson(peer, "/files").getJsonArray("files").getJsonObject(0);
    TransferClient grpc =
        new TransferClient(
            vertx, 5000, Identity.generate(), a -> Link.secure(peer.secureUrl(), peer.id()));
    SocketAddress nowhere = SocketAddress.inetSocketAddress(StandIns.closedPort(), "127.0.0.1");
    String root = file.getString("root");
    long size = file.getLong("size");
    assertEquals(size, await(OnLoop.run(vertx, () -> grpc.pieces(nowhere, root, 0))).size());
    Future<Void> never = Promise.<Void>promise().future();
    assertEquals(
        size,
        await(
            OnLoop.run(
                vertx, () -> grpc.range(nowhere, root, 0, size, Received.discard(), never))));
    // A caller that connected and said nothing yet (a handshake not begun): the server's own drain
    // waits for it until the grace ends, so only the count of what runs can end the stop sooner.
    try (Socket silent = new Socket("127.0.0.1", port)) {
      long start = System.nanoTime();
      Peers.stop(vertx, peer);
      long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
      assertTrue(tookMs < 5_000, "the stop took " + tookMs + " ms of a 20 s grace");
    }
    tls.close();
    grpc.close();
  }

  @Test
  void aFileStillBeingSentOnTheSecurePortAtTheStopIsSentWhole(Vertx vertx) throws Exception {
    Path share = Files.createDirectories(tmp.resolve("big"));
    byte[] data = new byte[16 * 1024 * 1024];
    new Random(3).nextBytes(data);
    Files.write(share.resolve("big.bin"), data);
    PeerVerticle peer = Peers.started(vertx, "b", share, List.of(), LONG_GRACE);
    HttpClient tls = tls(vertx);
    Buffer got = Buffer.buffer();
    Promise<Void> ended = Promise.promise();
    HttpClientResponse res =
        await(
            OnLoop.run(
                vertx,
                () ->
                    tls.request(HttpMethod.GET, peer.securePort(), "127.0.0.1", "/files/big.bin")
                        .compose(req -> req.send())
                        .onSuccess(
                            r -> {
                              r.pause(); // a slow reader: most of the file is still to come
                              r.handler(got::appendBuffer);
                              r.exceptionHandler(ended::tryFail);
                              r.endHandler(v -> ended.tryComplete());
                            })));
    assertEquals(200, res.statusCode());

    Future<?> stopped = vertx.undeploy(peer.deploymentID());
    Thread.sleep(500);
    assertFalse(stopped.isComplete(), "the stop waits for the file being sent");
    vertx.runOnContext(v -> res.resume());
    await(ended.future());
    assertArrayEquals(data, got.getBytes(), "the whole file arrived after the stop began");
    await(stopped);
    tls.close();
  }

  /** A client of the secure port that trusts the peer's self-signed certificate. */
  static HttpClient tls(Vertx vertx) {
    return vertx.createHttpClient(
        new HttpClientOptions().setSsl(true).setTrustAll(true).setVerifyHost(false));
  }

  static Future<Integer> send(
      Vertx vertx, HttpClient client, HttpMethod method, int port, String path, Buffer body) {
    return OnLoop.run(
        vertx,
        () ->
            client
                .request(method, port, "127.0.0.1", path)
                .compose(req -> body == null ? req.send() : req.send(body))
                .compose(r -> r.body().map(b -> r.statusCode())));
  }
}
