package io.peerd.transfer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The streamer's reads run on workers and may finish before their handler is attached: no chunk may
 * reach the sink before {@code start}'s future has told its caller (who sets headers then), and
 * under a rate limit, whose waits then come back at once, every byte still arrives in order.
 */
@ExtendWith(VertxExtension.class)
@Tag("unit")
class FileStreamerTest {

  @TempDir Path tmp;

  @Test
  void noChunkBeforeStartHasAnsweredAndEveryByteInOrder(Vertx vertx, VertxTestContext ctx)
      throws Exception {
    byte[] data = new byte[300 * 1024 + 17];
    new Random(3).nextBytes(data);
    Path file = Files.write(tmp.resolve("f.bin"), data);
    List<Future<Void>> runs = new ArrayList<>();
    vertx.runOnContext(
        x -> {
          for (int i = 0; i < 200; i++) {
            // Every other run under a limit small enough to wait between reads.
            Bandwidth limit = i % 2 == 0 ? Bandwidth.UNLIMITED : new Bandwidth(vertx, 64 << 20);
            runs.add(once(vertx, file, data, limit));
          }
          Future.all(runs).onComplete(ctx.succeedingThenComplete());
        });
    ctx.awaitCompletion(60, TimeUnit.SECONDS);
    if (ctx.failed()) {
      throw new AssertionError(ctx.causeOfFailure());
    }
  }

  /**
   * A receiver whose stream is gone (every write throws, as a reset HTTP/2 stream's does, or
   * fails): the streamer stops at once with {@link FileStreamer.Gone} instead of reading the rest
   * of the file into it, and calls it no success.
   */
  @Test
  void aReceiverThatIsGoneStopsTheReadsAndFailsTheTransfer(Vertx vertx, VertxTestContext ctx)
      throws Exception {
    byte[] data = new byte[8 << 20];
    Path file = Files.write(tmp.resolve("big.bin"), data);
    for (boolean throwing : new boolean[] {true, false}) {
      int[] writes = {0};
      ChunkSink sink =
          new ChunkSink() {
            @Override
            public Future<Void> write(Chunk chunk) {
              writes[0]++;
              if (throwing) {
                throw new IllegalStateException("The stream is failed");
              }
              return Future.failedFuture(new IllegalStateException("stream reset"));
            }

            @Override
            public boolean writeQueueFull() {
              return false;
            }

            @Override
            public void drainHandler(Handler<Void> handler) {}
          };
      Promise<Void> checked = Promise.promise();
      vertx.runOnContext(
          x ->
              FileStreamer.start(vertx, file, 0, -1, 64 * 1024, sink, 10_000, Bandwidth.UNLIMITED)
                  .compose(FileStreamer::result)
                  .onComplete(
                      ar -> {
                        if (ar.succeeded() || !(ar.cause() instanceof FileStreamer.Gone)) {
                          checked.tryFail(new AssertionError("not Gone: " + ar));
                        } else if (writes[0] > 16) {
                          // One 1 MiB read's chunks at most: it stopped at the first failure.
                          checked.tryFail(new AssertionError(writes[0] + " writes to a dead sink"));
                        } else {
                          checked.tryComplete();
                        }
                      }));
      checked.future().toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
    }
    ctx.completeNow();
  }

  private static Future<Void> once(Vertx vertx, Path file, byte[] data, Bandwidth limit) {
    boolean[] answered = {false};
    Buffer got = Buffer.buffer();
    Promise<Void> checked = Promise.promise();
    ChunkSink sink =
        new ChunkSink() {
          @Override
          public Future<Void> write(Chunk chunk) {
            if (!answered[0]) {
              checked.tryFail(new AssertionError("a chunk before start() answered"));
            }
            assertEquals(got.length(), chunk.offset(), "chunks in order");
            got.appendBuffer(chunk.data());
            return Future.succeededFuture();
          }

          @Override
          public boolean writeQueueFull() {
            return false;
          }

          @Override
          public void drainHandler(Handler<Void> handler) {}
        };
    FileStreamer.start(vertx, file, 0, -1, 64 * 1024, sink, 10_000, limit)
        .onSuccess(s -> answered[0] = true)
        .compose(FileStreamer::result)
        .onSuccess(
            end -> {
              assertEquals(data.length, end);
              assertArrayEquals(data, got.getBytes());
              checked.tryComplete();
            })
        .onFailure(checked::tryFail);
    return checked.future();
  }
}
