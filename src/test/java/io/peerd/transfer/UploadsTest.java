package io.peerd.transfer;

import static io.peerd.testkit.Await.await;
import static io.peerd.testkit.Await.failure;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.peerd.config.PeerConfig;
import io.peerd.metrics.Metrics;
import io.peerd.testkit.Listing;
import io.peerd.testkit.TestFiles;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.buffer.Buffer;
import io.vertx.junit5.VertxExtension;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.function.Supplier;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The one upload life cycle, driven directly as an edge drives it (announce, data, end, cut) on
 * real files with a real worker, for what no wire can make happen on demand: a cut while our own
 * worker prepares the file, a worker slower than the idle timeout, a failing index refresh, a
 * temporary file that cannot be deleted.
 */
@ExtendWith(VertxExtension.class)
@Tag("unit")
class UploadsTest {

  static final byte[] HELLO = "hello".getBytes(StandardCharsets.UTF_8);

  @TempDir Path share;
  Vertx vertx;
  Context loop;
  WorkerExecutor worker;
  PrometheusMeterRegistry registry;
  Uploads.Inlet inlet =
      new Uploads.Inlet() {
        @Override
        public void pause() {}

        @Override
        public void resume() {}
      };

  @BeforeEach
  void setUp(Vertx vertx) {
    this.vertx = vertx;
    loop = vertx.getOrCreateContext();
    // One thread: a test can hold it, and with it the preparation of every upload.
    worker = vertx.createSharedWorkerExecutor("uploads-test-" + UUID.randomUUID(), 1);
    registry = Metrics.newRegistry();
  }

  Uploads uploads(Duration idle, Supplier<Future<?>> refresh) {
    return new Uploads(
        vertx,
        worker,
        share,
        new PeerConfig.UploadSettings(true, "uploads", 1 << 20, false),
        idle,
        refresh,
        new Metrics(registry, "t"));
  }

  /** Runs on the event loop that owns the sessions, as an edge's handlers do, and waits for it. */
  <T> T onLoop(Supplier<T> action) {
    Promise<T> done = Promise.promise();
    loop.runOnContext(v -> done.complete(action.get()));
    return await(done.future());
  }

  void onLoop(Runnable action) {
    onLoop(
        () -> {
          action.run();
          return null;
        });
  }

  /** Occupies the worker until the latch opens. */
  CountDownLatch holdTheWorker() {
    CountDownLatch hold = new CountDownLatch(1);
    CountDownLatch held = new CountDownLatch(1);
    worker.executeBlocking(
        () -> {
          held.countDown();
          hold.await();
          return null;
        });
    try {
      held.await();
    } catch (InterruptedException e) {
      throw new AssertionError(e);
    }
    return hold;
  }

  Upload.Request hello(String name) {
    return new Upload.Request(name, HELLO.length, TestFiles.sha256(HELLO), false);
  }

  static UploadRefused.Kind kind(Throwable t) {
    return ((UploadRefused) t).kind();
  }

  @Test
  void aCutWhileTheFileIsPreparedLeavesNothing() {
    Uploads uploads = uploads(Duration.ofSeconds(30), () -> Future.succeededFuture());
    CountDownLatch hold = holdTheWorker();
    Uploads.Session s = onLoop(() -> uploads.open("grpc", "test", inlet));
    onLoop(() -> s.announce(hello("cut.txt")));
    onLoop(s::cut);
    assertEquals(UploadRefused.Kind.CANCELLED, kind(failure(s.result())));
    assertEquals(1, uploads.active(), "the worker's job still holds its slot");

    hold.countDown();
    await(s.settled());
    assertEquals(0, uploads.active());
    assertEquals(
        List.of(), Listing.files(share.resolve("uploads")), "the file made after the cut is gone");
  }

  /** Uploads that announce and drop at once must not queue worker jobs past the cap. */
  @Test
  void cutsWhileTheWorkerIsBusyStillCountAgainstTheCap() {
    Uploads uploads = uploads(Duration.ofSeconds(30), () -> Future.succeededFuture());
    CountDownLatch hold = holdTheWorker();
    List<Uploads.Session> sessions = new java.util.ArrayList<>();
    for (int i = 0; i < Uploads.MAX_ACTIVE + 24; i++) {
      Uploads.Session s = onLoop(() -> uploads.open("http", "test", inlet));
      String name = "drop-" + i + ".txt";
      onLoop(
          () -> {
            s.announce(hello(name));
            s.cut();
          });
      sessions.add(s);
    }
    long busy =
        sessions.stream().filter(s -> kind(failure(s.result())) == UploadRefused.Kind.BUSY).count();
    assertEquals(24, busy, "past 16 jobs on the worker, the rest are refused as busy");

    hold.countDown();
    sessions.forEach(s -> await(s.settled()));
    assertEquals(0, uploads.active());
    assertEquals(List.of(), Listing.files(share.resolve("uploads")));
  }

  /** A client held back while the file opens stays paused while that first write is queued. */
  @Test
  void theFirstWriteKeepsItsBackpressure() {
    List<String> calls = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
    Uploads.Inlet recording =
        new Uploads.Inlet() {
          @Override
          public void pause() {
            calls.add("pause");
          }

          @Override
          public void resume() {
            calls.add("resume");
          }
        };
    Uploads uploads =
        new Uploads(
            vertx,
            worker,
            share,
            new PeerConfig.UploadSettings(true, "uploads", 64 << 20, false),
            Duration.ofSeconds(30),
            () -> Future.succeededFuture(),
            new Metrics(registry, "t"));
    byte[] big = new byte[(Uploads.PENDING_LIMIT) + (1 << 20)];
    CountDownLatch hold = holdTheWorker();
    Uploads.Session s = onLoop(() -> uploads.open("grpc", "test", recording));
    onLoop(
        () -> {
          s.announce(new Upload.Request("big.bin", big.length, TestFiles.sha256(big), false));
          s.data(Buffer.buffer(big));
        });
    assertEquals(List.of("pause"), calls, "held back while the file opens");

    hold.countDown();
    await(s.ready());
    io.peerd.testkit.Await.until(
        "the drain resumes the client", Duration.ofSeconds(10), () -> calls.size() >= 3);
    assertEquals(
        List.of("pause", "pause", "resume"),
        calls,
        "resumed once, by the drain of the first write, not at once");
    onLoop(s::end);
    assertEquals(big.length, await(s.result()).size());
  }

  @Test
  void theIdleClockWaitsForOurOwnWorker() throws Exception {
    Uploads uploads = uploads(Duration.ofMillis(200), () -> Future.succeededFuture());
    CountDownLatch hold = holdTheWorker();
    Uploads.Session s = onLoop(() -> uploads.open("http", "test", inlet));
    onLoop(() -> s.announce(hello("slow.txt")));
    Thread.sleep(600);
    assertFalse(
        s.result().isComplete(),
        "three idle timeouts spent waiting on our worker are not the client's");

    hold.countDown();
    await(s.ready());
    // Now the client is the one who sends nothing.
    assertEquals(UploadRefused.Kind.TIMEOUT, kind(failure(s.result())));
    await(s.settled());
    assertEquals(List.of(), Listing.files(share.resolve("uploads")));
  }

  @Test
  void aFailedIndexRefreshIsSaidNotHidden() throws Exception {
    Uploads uploads =
        uploads(Duration.ofSeconds(30), () -> Future.failedFuture(new IOException("scan failed")));
    Uploads.Session s = onLoop(() -> uploads.open("grpc", "test", inlet));
    onLoop(
        () -> {
          s.announce(hello("placed.txt"));
          s.data(Buffer.buffer(HELLO));
          s.end();
        });

    UploadReceipt r = await(s.result());
    assertEquals("uploads/placed.txt", r.name());
    assertFalse(r.indexed(), "the rescan failed: the answer says so");
    assertEquals(
        "hello",
        Files.readString(share.resolve("uploads/placed.txt")),
        "the file is in place all the same");
  }

  @Test
  void aTemporaryFileThatCannotBeDeletedIsCountedAndLogged() throws Exception {
    Uploads uploads = uploads(Duration.ofSeconds(30), () -> Future.succeededFuture());
    Uploads.Session s = onLoop(() -> uploads.open("http", "test", inlet));
    onLoop(() -> s.announce(hello("stuck.txt")));
    await(s.ready());
    Path temp;
    try (var files = Files.list(share.resolve("uploads"))) {
      temp =
          files.filter(p -> p.getFileName().toString().endsWith(".part")).findFirst().orElseThrow();
    }
    // A folder with something in it where the temporary file was: deleting it fails, even as root.
    Files.delete(temp);
    Files.createDirectories(temp.resolve("inside"));

    onLoop(s::cut);
    await(s.settled());
    assertEquals(1.0, registry.get("peer_upload_cleanup_failures_total").functionCounter().count());
    assertTrue(Files.isDirectory(temp), "left for the next start to clean");
  }

  @Test
  void anEmptyStreamAndATooLargeOneAreRefusedBeforeAnyFile() {
    Uploads uploads = uploads(Duration.ofSeconds(30), () -> Future.succeededFuture());
    Uploads.Session empty = onLoop(() -> uploads.open("grpc", "test", inlet));
    onLoop(empty::end);
    assertEquals(UploadRefused.Kind.BAD_REQUEST, kind(failure(empty.result())));

    Uploads.Session big = onLoop(() -> uploads.open("grpc", "test", inlet));
    onLoop(
        () -> big.announce(new Upload.Request("big.bin", 2 << 20, TestFiles.sha256(HELLO), false)));
    assertEquals(UploadRefused.Kind.TOO_LARGE, kind(failure(big.result())));
    assertFalse(Files.exists(share.resolve("uploads")), "nothing was made for either");
    assertEquals(
        2.0,
        registry.get("peer_uploads_total").tag("outcome", "bad_request").counter().count()
            + registry.get("peer_uploads_total").tag("outcome", "too_large").counter().count());
  }
}
