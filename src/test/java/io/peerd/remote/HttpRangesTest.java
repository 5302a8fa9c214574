package io.peerd.remote;

import static io.peerd.testkit.Await.await;
import static io.peerd.testkit.Await.failure;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.peerd.index.Merkle;
import io.peerd.node.PeerVerticle;
import io.peerd.testkit.Peers;
import io.peerd.testkit.TestFiles;
import io.peerd.transfer.FileTransfers;
import io.peerd.transfer.TransferFailure;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.core.streams.WriteStream;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The HTTP wire of a swarm download against a real private peer: its {@code /content/{root}} ranges
 * with the network's token, refused without it; a web seed, which may be any server, never sees the
 * token.
 */
@ExtendWith(VertxExtension.class)
@Tag("peer")
class HttpRangesTest {

  static final String TOKEN = "s3cret-token-of-the-network";

  @TempDir Path tmp;

  /** What a range wrote, gathered. */
  static WriteStream<Buffer> into(Buffer all) {
    return new WriteStream<>() {
      @Override
      public WriteStream<Buffer> exceptionHandler(io.vertx.core.Handler<Throwable> h) {
        return this;
      }

      @Override
      public Future<Void> write(Buffer data) {
        all.appendBuffer(data);
        return Future.succeededFuture();
      }

      @Override
      public Future<Void> end() {
        return Future.succeededFuture();
      }

      @Override
      public WriteStream<Buffer> setWriteQueueMaxSize(int maxSize) {
        return this;
      }

      @Override
      public boolean writeQueueFull() {
        return false;
      }

      @Override
      public WriteStream<Buffer> drainHandler(io.vertx.core.Handler<Void> handler) {
        return this;
      }
    };
  }

  @Test
  void aPrivatePeersContentNeedsTheTokenAndAWebSeedNeverSeesIt(Vertx vertx) {
    Path share = Peers.folderWith(tmp, "share", Map.of());
    byte[] data = TestFiles.random(share, "f.bin", 300_000, 3).bytes();
    PeerVerticle p =
        Peers.started(
            vertx,
            "priv",
            share,
            List.of(),
            new JsonObject().put("api_token", TOKEN).put("private", true));
    String root =
        await(
                io.vertx.ext.web.client.WebClient.create(vertx)
                    .get(p.restPort(), "127.0.0.1", "/files")
                    .putHeader("Authorization", "Bearer " + TOKEN)
                    .send())
            .bodyAsJsonObject()
            .getJsonArray("files")
            .getJsonObject(0)
            .getString("root");

    HttpRanges withToken = new HttpRanges(vertx, TOKEN, null);
    Buffer got = Buffer.buffer();
    long n =
        await(
            io.peerd.testkit.OnLoop.run(
                vertx,
                () ->
                    withToken.content(
                        p.selfUrl(),
                        root,
                        1000,
                        70_000,
                        into(got),
                        io.vertx.core.Promise.<Void>promise().future())));
    assertEquals(70_000, n);
    assertArrayEquals(Arrays.copyOfRange(data, 1000, 71_000), got.getBytes());

    FileTransfers.Layer layer =
        await(
            io.peerd.testkit.OnLoop.run(
                vertx,
                () -> withToken.pieces(p.selfUrl(), root, Merkle.defaultPieceSize(data.length))));
    assertEquals(data.length, layer.size());
    assertEquals(
        root,
        java.util.HexFormat.of().formatHex(Merkle.rootOf(layer.layer(), data.length)),
        "the layer over HTTP proves the root");

    Throwable refused =
        failure(
            io.peerd.testkit.OnLoop.run(
                vertx,
                () ->
                    new HttpRanges(vertx)
                        .content(
                            p.selfUrl(),
                            root,
                            0,
                            10,
                            into(Buffer.buffer()),
                            io.vertx.core.Promise.<Void>promise().future())));
    TransferFailure f = assertInstanceOf(TransferFailure.class, refused);
    assertEquals("HTTP_401", f.code(), f.getMessage());

    AtomicReference<String> seen = new AtomicReference<>("not asked");
    HttpServer seed =
        await(
            vertx
                .createHttpServer()
                .requestHandler(
                    req -> {
                      seen.set(req.getHeader("Authorization"));
                      req.response()
                          .setStatusCode(206)
                          .putHeader("Content-Range", "bytes 0-1/2")
                          .end("ab");
                    })
                .listen(0, "127.0.0.1"));
    await(
        io.peerd.testkit.OnLoop.run(
            vertx,
            () ->
                withToken.range(
                    "http://127.0.0.1:" + seed.actualPort() + "/any/file.bin",
                    0,
                    2,
                    into(Buffer.buffer()),
                    io.vertx.core.Promise.<Void>promise().future())));
    assertNull(seen.get(), "a web seed got no Authorization header");
  }

  /**
   * A refusal for load is data: {@code LIMITED} with the wait the source asked for; its small body
   * is read, so the next range goes over the same connection rather than a new one (a new TLS
   * handshake, over a secure port).
   */
  @Test
  void aBusySourceSaysHowLongToWaitAndKeepsItsConnection(Vertx vertx) {
    java.util.concurrent.atomic.AtomicInteger connections =
        new java.util.concurrent.atomic.AtomicInteger();
    java.util.concurrent.atomic.AtomicInteger asked =
        new java.util.concurrent.atomic.AtomicInteger();
    HttpServer seed =
        await(
            vertx
                .createHttpServer()
                .connectionHandler(c -> connections.incrementAndGet())
                .requestHandler(
                    req -> {
                      int n = asked.getAndIncrement();
                      if (n == 0) {
                        req.response()
                            .setStatusCode(503)
                            .putHeader("Retry-After", "3")
                            .end("{\"error\":\"overloaded\",\"detail\":\"7 ms behind\"}");
                      } else if (n == 1) {
                        req.response().setStatusCode(429).end();
                      } else {
                        req.response()
                            .setStatusCode(206)
                            .putHeader("Content-Range", "bytes 0-1/2")
                            .end("ab");
                      }
                    })
                .listen(0, "127.0.0.1"));
    HttpRanges ranges = new HttpRanges(vertx);
    String url = "http://127.0.0.1:" + seed.actualPort() + "/f.bin";
    java.util.function.Supplier<Future<Long>> one =
        () ->
            io.peerd.testkit.OnLoop.run(
                vertx,
                () ->
                    ranges.range(
                        url,
                        0,
                        2,
                        into(Buffer.buffer()),
                        io.vertx.core.Promise.<Void>promise().future()));

    TransferFailure busy = assertInstanceOf(TransferFailure.class, failure(one.get()));
    assertEquals(TransferFailure.Reason.LIMITED, busy.reason(), busy.getMessage());
    assertEquals("HTTP_503", busy.code());
    assertEquals(3000, busy.retryAfterMillis());
    TransferFailure limited = assertInstanceOf(TransferFailure.class, failure(one.get()));
    assertEquals(TransferFailure.Reason.LIMITED, limited.reason(), limited.getMessage());
    assertEquals(0, limited.retryAfterMillis(), "it did not say");
    assertEquals(2L, await(one.get()));
    assertEquals(1, connections.get(), "three ranges, one after another, on one connection");
  }
}
