package io.peerd.cli;

import io.peerd.remote.HttpPeerClient;
import io.peerd.remote.HttpRanges;
import io.peerd.remote.Locator;
import io.peerd.rpc.TransferClient;
import io.peerd.search.PeerCallException;
import io.peerd.transfer.FileDownload;
import io.peerd.transfer.FileUpload;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * What the client verbs share: one Vert.x instance, the same REST and gRPC clients a peer uses to
 * talk to other peers, the download and upload engines on them, and a way for the CLI's main thread
 * (never an event loop) to wait for a result with a deadline.
 */
final class Client implements AutoCloseable {

  /** A failure the user sees as one line (exit code 1). */
  static class Failure extends RuntimeException {
    Failure(String message, Throwable cause) {
      super(message, cause);
    }

    Failure(String message) {
      super(message, null, false, false);
    }
  }

  static final Duration REST_TIMEOUT = Duration.ofSeconds(10);

  /**
   * Upper bound on a whole transfer; a stalled one fails long before, on the connection's idle
   * timeout.
   */
  static final Duration TRANSFER_TIMEOUT = Duration.ofHours(12);

  final Vertx vertx;
  final HttpPeerClient rest;
  final TransferClient grpc;
  final Locator locator;
  final FileDownload downloads;
  final FileUpload uploads;
  final HttpRanges ranges;

  Client() {
    vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1).setWorkerPoolSize(2));
    // A peer indexes up to 200,000 files: its /files answer can be tens of MiB.
    rest =
        new HttpPeerClient(
            vertx, new HttpPeerClient.Limits(64 * 1024 * 1024, 1000, 200_000), null, null);
    grpc = new TransferClient(vertx);
    locator = new Locator(rest, REST_TIMEOUT.toMillis());
    downloads = new FileDownload(vertx, grpc);
    uploads = new FileUpload(vertx, grpc);
    ranges = new HttpRanges(vertx);
  }

  /** Blocks the calling thread, which must not be an event loop (the CLI's main thread is not). */
  static <T> T await(Future<T> future, Duration timeout) {
    try {
      return future
          .toCompletionStage()
          .toCompletableFuture()
          .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      throw new Failure("no answer within " + timeout.toSeconds() + " s");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new Failure("interrupted");
    } catch (ExecutionException e) {
      throw translate(e.getCause());
    }
  }

  /** One line for a person: what failed, in the words of whoever failed it. */
  static RuntimeException translate(Throwable t) {
    if (t instanceof Failure f) {
      return f;
    }
    if (t instanceof PeerCallException p && p.reason().equals("refused")) {
      return new Failure("cannot connect: " + p.getMessage(), t);
    }
    String m = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    return new Failure(m, t);
  }

  /** Where a named file can be fetched through that peer; waits as long as the lookup may take. */
  io.peerd.transfer.Source locate(String peerUrl, String name) {
    return await(
        locator.locate(peerUrl, name), Duration.ofMillis(locator.deadlineMillis()).plusSeconds(1));
  }

  /** A JSON answer of a peer; a refusal is a failure that quotes the peer's {error, detail}. */
  JsonObject getJson(String peerUrl, String pathAndQuery, Duration timeout) {
    return await(rest.getJson(peerUrl, pathAndQuery, timeout.toMillis()), timeout.plusSeconds(1));
  }

  @Override
  public void close() {
    try {
      vertx.close().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
    } catch (Exception e) {
      // Closing is best effort at exit: the process ends either way.
    }
  }
}
