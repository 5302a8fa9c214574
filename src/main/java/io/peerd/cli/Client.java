package io.peerd.cli;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.Http2Settings;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.SocketAddress;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.grpc.client.GrpcClient;
import io.vertx.grpc.client.GrpcClientOptions;
import io.vertx.grpc.client.InvalidStatusException;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * What the client verbs share: one Vert.x instance, REST and gRPC clients, and a way for the
 * CLI's main thread (never an event loop) to wait for a result with a deadline.
 */
final class Client implements AutoCloseable {

  /** A failure the user sees as one line (exit code 1). */
  static class Failure extends RuntimeException {
    Failure(String message) {
      super(message, null, false, false);
    }

    Failure(String message, Throwable cause) {
      super(message, cause);
    }
  }

  /** Peers send chunks of up to 1 MiB (chunk_size); gRPC's usual 4 MiB would do, Vert.x's default does not. */
  static final int MAX_MESSAGE = 4 << 20;

  final Vertx vertx;
  final WebClient http;
  final GrpcClient grpc;

  Client() {
    vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1).setWorkerPoolSize(2));
    http = WebClient.create(vertx, new WebClientOptions().setConnectTimeout(5000).setIdleTimeout(30)
        .setIdleTimeoutUnit(TimeUnit.SECONDS).setUserAgent("peerd-cli"));
    grpc = GrpcClient.client(vertx, new GrpcClientOptions().setMaxMessageSize(MAX_MESSAGE),
        new HttpClientOptions().setProtocolVersion(HttpVersion.HTTP_2).setHttp2ClearTextUpgrade(false)
            .setConnectTimeout(5000)
            // HTTP/2's default 64 KiB windows cap a stream at one window per round trip.
            .setInitialSettings(new Http2Settings().setInitialWindowSize(16 << 20).setMaxFrameSize(1 << 20))
            .setHttp2ConnectionWindowSize(64 << 20));
  }

  /** Blocks the calling thread, which must not be an event loop (the CLI's main thread is not). */
  static <T> T await(Future<T> future, Duration timeout) {
    try {
      return future.toCompletionStage().toCompletableFuture().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      throw new Failure("no answer within " + timeout.toSeconds() + " s");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new Failure("interrupted");
    } catch (ExecutionException e) {
      throw translate(e.getCause());
    }
  }

  static RuntimeException translate(Throwable t) {
    if (t instanceof Failure f) {
      return f;
    }
    if (t instanceof InvalidStatusException s) {
      return new Failure("peer answered " + s.actualStatus().name(), t);
    }
    String m = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    if (t instanceof java.net.ConnectException || m.contains("Connection refused")) {
      return new Failure("cannot connect: " + m, t);
    }
    return new Failure(m, t);
  }

  /** GET a JSON object; a non-200 answer is a failure that quotes the peer's {error, detail}. */
  JsonObject getJson(String peerUrl, String pathAndQuery, Duration timeout) {
    URI uri = URI.create(peerUrl);
    Future<HttpResponse<io.vertx.core.buffer.Buffer>> f = http
        .get(port(uri), uri.getHost(), pathAndQuery).ssl("https".equals(uri.getScheme()))
        .timeout(timeout.toMillis()).send();
    HttpResponse<io.vertx.core.buffer.Buffer> r = await(f, timeout.plusSeconds(1));
    JsonObject body;
    try {
      body = r.bodyAsJsonObject();
    } catch (RuntimeException e) {
      throw new Failure(peerUrl + pathAndQuery + " answered HTTP " + r.statusCode() + " without JSON");
    }
    if (r.statusCode() != 200) {
      String detail = body == null ? "" : ": " + body.getString("detail", body.encode());
      throw new Failure(peerUrl + " answered HTTP " + r.statusCode() + detail);
    }
    return body;
  }

  static int port(URI uri) {
    return uri.getPort() > 0 ? uri.getPort() : ("https".equals(uri.getScheme()) ? 443 : 80);
  }

  /** The gRPC address of a peer: a {@code grpc://host:port} from its file list, or its REST URL. */
  static SocketAddress grpcAddress(String url) {
    URI uri = URI.create(url);
    if (uri.getHost() == null || uri.getPort() <= 0) {
      throw new Failure("not a host:port address: " + url);
    }
    return SocketAddress.inetSocketAddress(uri.getPort(), uri.getHost());
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
