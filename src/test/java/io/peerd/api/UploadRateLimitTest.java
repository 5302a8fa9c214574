package io.peerd.api;

import static io.peerd.testkit.Await.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.peerd.node.PeerVerticle;
import io.peerd.testkit.Grpc;
import io.peerd.testkit.Http;
import io.peerd.testkit.Peers;
import io.peerd.testkit.TestFiles;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.grpc.common.GrpcStatus;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code upload_rate_limit} holds everything a peer serves, both wires together, to its rate: an
 * HTTP GET and a gRPC Download at once share one budget. The bytes are the same as unlimited.
 */
@ExtendWith(VertxExtension.class)
@Tag("peer")
class UploadRateLimitTest {

  @TempDir Path tmp;

  @Test
  void httpAndGrpcShareOneLimit(Vertx vertx) {
    Path share = Peers.folderWith(tmp, "a", Map.of());
    TestFiles.Written f = TestFiles.random(share, "big.bin", 3 << 19, 7); // 1.5 MiB
    PeerVerticle peer =
        Peers.started(
            vertx,
            "a",
            share,
            List.of(),
            new JsonObject()
                .put("upload_rate_limit", 1 << 20)
                // The test client's message bound is gRPC's customary one.
                .put("download_chunk_size", 128 * 1024));
    Http http = new Http(vertx);
    Grpc grpc = new Grpc(vertx);

    long start = System.nanoTime();
    Future<Http.Reply> viaHttp =
        http.sendAsync(HttpMethod.GET, peer.restPort(), "/files/big.bin", null);
    Future<Grpc.Download> viaGrpc = grpc.downloadAsync(peer.restPort(), "big.bin", 0, 0);
    await(Future.all(viaHttp, viaGrpc), Duration.ofSeconds(60));
    double seconds = (System.nanoTime() - start) / 1e9;

    assertEquals(200, viaHttp.result().status());
    assertArrayEquals(f.bytes(), viaHttp.result().body().getBytes());
    assertEquals(GrpcStatus.OK, viaGrpc.result().status());
    assertArrayEquals(f.bytes(), viaGrpc.result().data().getBytes());
    // 3 MiB at 1 MiB/s, less the first bucket's 100 KiB: a limit can only make it slower.
    assertTrue(seconds >= 2.6, "3 MiB served in " + seconds + " s under a 1 MiB/s limit");
  }

  @Test
  void aRangeUnderTheLimitIsStillExact(Vertx vertx) {
    Path share = Peers.folderWith(tmp, "b", Map.of());
    TestFiles.Written f = TestFiles.random(share, "mid.bin", 300_000, 9);
    PeerVerticle peer =
        Peers.started(
            vertx, "b", share, List.of(), new JsonObject().put("upload_rate_limit", 4 << 20));
    Http.Reply r =
        await(
            new Http(vertx)
                .client()
                .get(peer.restPort(), "127.0.0.1", "/files/mid.bin")
                .putHeader("Range", "bytes=100000-199999")
                .send()
                .map(resp -> new Http.Reply(resp.statusCode(), resp.headers(), resp.body())));
    assertEquals(206, r.status());
    assertEquals("100000", r.header("Content-Length"));
    assertArrayEquals(
        java.util.Arrays.copyOfRange(f.bytes(), 100_000, 200_000), r.body().getBytes());
  }
}
