package io.peerd.rpc;

import static io.peerd.testkit.Await.await;
import static io.peerd.testkit.Grpc.header;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.peerd.node.PeerVerticle;
import io.peerd.rpc.proto.DownloadRequest;
import io.peerd.rpc.proto.FileTransferGrpcClient;
import io.peerd.testkit.Grpc;
import io.peerd.testkit.Listing;
import io.peerd.testkit.OnLoop;
import io.peerd.testkit.Peers;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.grpc.common.GrpcStatus;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** gRPC streams that stop moving are cut after stream_idle_timeout_ms and free what they held. */
@ExtendWith(VertxExtension.class)
@Tag("peer")
class StalledStreamTest {

  static final int IDLE_MS = 300;

  @TempDir Path tmp;

  PeerVerticle peer(Vertx vertx, Path share) {
    return Peers.started(
        vertx,
        "s",
        share,
        List.of(),
        new JsonObject().put("accept_uploads", true).put("stream_idle_timeout_ms", IDLE_MS));
  }

  static String grpcStatus(HttpClientResponse resp) {
    String status = resp.getTrailer("grpc-status");
    return status != null ? status : resp.getHeader("grpc-status");
  }

  /** A Download read with its client paused for {@code pause}: how it ended, as a sentence. */
  static Future<String> readPaused(Vertx vertx, Grpc grpc, int port, String name, Duration pause) {
    return OnLoop.run(
        vertx,
        () ->
            grpc.client()
                .request(Grpc.address(port), FileTransferGrpcClient.Download)
                .compose(call -> call.send(DownloadRequest.newBuilder().setFilename(name).build()))
                .compose(
                    resp -> {
                      Promise<String> outcome = Promise.promise();
                      long[] got = {0};
                      long start = System.nanoTime();
                      resp.handler(c -> got[0] += c.getData().size());
                      resp.exceptionHandler(
                          err ->
                              outcome.tryComplete(
                                  "reset after "
                                      + got[0]
                                      + " bytes, "
                                      + (System.nanoTime() - start) / 1_000_000
                                      + " ms"));
                      resp.endHandler(
                          v ->
                              outcome.tryComplete(
                                  "completed with " + got[0] + " " + resp.status()));
                      resp.pause();
                      vertx.setTimer(pause.toMillis(), t -> resp.resume());
                      return outcome.future();
                    }));
  }

  @Test
  void anUploadThatNeverSendsItsFirstMessageIsCut(Vertx vertx) {
    PeerVerticle p = peer(vertx, Peers.folderWith(tmp, "s", Map.of()));
    // The gRPC client sends headers with the first message; a raw HTTP/2 request can send the
    // headers of an Upload call and then nothing at all.
    HttpClient h2 =
        vertx.createHttpClient(
            new HttpClientOptions()
                .setProtocolVersion(HttpVersion.HTTP_2)
                .setHttp2ClearTextUpgrade(false));
    RequestOptions upload =
        new RequestOptions()
            .setMethod(HttpMethod.POST)
            .setHost("127.0.0.1")
            .setPort(p.restPort())
            .setURI("/p2p.FileTransfer/Upload")
            .putHeader("content-type", "application/grpc")
            .putHeader("te", "trailers");

    long start = System.nanoTime();
    String status =
        await(
            h2.request(upload)
                .compose(req -> req.sendHead().map(v -> req))
                .compose(HttpClientRequest::response)
                .compose(resp -> resp.end().map(v -> grpcStatus(resp))));
    long ms = (System.nanoTime() - start) / 1_000_000;

    assertEquals(String.valueOf(GrpcStatus.DEADLINE_EXCEEDED.code), status);
    // The idle timeout is 300 ms; without it only the 60 s idle connection timeout would end the
    // call. A quarter of that tells the two apart with room for a loaded 2-core machine (up to 2 s
    // seen there, for a first HTTP/2 connection of the run).
    assertTrue(ms < 15_000, ms + " ms");
  }

  @Test
  void anUploadThatStallsIsCutAndLeavesNothing(Vertx vertx) throws Exception {
    Path share = Peers.folderWith(tmp, "s", Map.of());
    int port = peer(vertx, share).restPort();

    Grpc.Upload stalled =
        new Grpc(vertx)
            .uploadUnfinished(
                port, header("slow.bin", 1_000_000, "0".repeat(64)), new byte[10_000]);
    assertEquals(GrpcStatus.DEADLINE_EXCEEDED, stalled.status());
    // Looked at no sooner than an idle timeout after the answer: a temporary file that appeared
    // after it would be there by then. It is deleted on a worker, possibly after the answer: the
    // 10 s are for a loaded 2-core machine.
    Thread.sleep(IDLE_MS);
    Listing.emptyWithin("the temporary file was removed", share, Duration.ofSeconds(10));
  }

  @Test
  void aDownloadWhoseClientStopsReadingIsReset(Vertx vertx) throws Exception {
    Path share = Peers.folderWith(tmp, "s", Map.of());
    Files.write(share.resolve("big.bin"), new byte[32 * 1024 * 1024]);
    int port = peer(vertx, share).restPort();

    // Stop reading well past the server's idle timeout, then read again. The reset reaches the
    // client while it is paused, so the pause costs nothing: it is only the time the server gets
    // to give up (300 ms idle timeout), with room for a loaded 2-core machine.
    String outcome =
        await(readPaused(vertx, new Grpc(vertx), port, "big.bin", Duration.ofSeconds(10)));
    assertTrue(
        outcome.startsWith("reset"),
        "the server gave up on a client that stopped reading: " + outcome);
  }
}
