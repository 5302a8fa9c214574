package io.peerd.testkit;

import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;

/**
 * Server-Sent Events read by a test: a whole stream with the time each event arrived, or a stream
 * held open once its first bytes came. The parsing runs on the event loop as the chunks come in;
 * the test waits for the returned future on its own thread ({@link Await}).
 */
public final class Sse {

  /** One event and when it arrived (ms since the request was sent). */
  public record Event(String name, JsonObject data, long atMs) {}

  /** A stream read to its end. */
  public record Stream(int status, MultiMap headers, List<Event> events) {
    public String header(String name) {
      return headers.get(name);
    }
  }

  private Sse() {}

  /** GETs {@code path} and reads the event stream until the server ends it. */
  public static Future<Stream> read(Vertx vertx, HttpClient client, int port, String path) {
    List<Event> out = new ArrayList<>();
    return follow(vertx, client, port, path, out::add)
        .compose(
            resp -> {
              Promise<Stream> done = Promise.promise();
              resp.exceptionHandler(done::tryFail);
              resp.endHandler(
                  v -> done.tryComplete(new Stream(resp.statusCode(), resp.headers(), out)));
              return done.future();
            });
  }

  /**
   * GETs {@code path} and hands each event to {@code each} as it arrives (comment lines are
   * skipped) until the server ends the stream or the caller closes its connection. The handler is
   * set on the event loop with the answer's head ({@link OnLoop}): events sent with it are not
   * lost.
   */
  public static Future<HttpClientResponse> follow(
      Vertx vertx,
      HttpClient client,
      int port,
      String path,
      java.util.function.Consumer<Event> each) {
    return OnLoop.run(vertx, () -> followHere(client, port, path, each));
  }

  private static Future<HttpClientResponse> followHere(
      HttpClient client, int port, String path, java.util.function.Consumer<Event> each) {
    long start = System.nanoTime();
    StringBuilder buf = new StringBuilder();
    return client
        .request(HttpMethod.GET, port, "127.0.0.1", path)
        .compose(req -> req.send())
        .onSuccess(
            resp ->
                resp.handler(
                    chunk -> {
                      buf.append(chunk.toString());
                      int cut;
                      while ((cut = buf.indexOf("\n\n")) >= 0) {
                        String block = buf.substring(0, cut);
                        buf.delete(0, cut + 2);
                        Event e = parse(block, (System.nanoTime() - start) / 1_000_000);
                        if (e != null) {
                          each.accept(e);
                        }
                      }
                    }));
  }

  /**
   * GETs {@code path} and completes once the first bytes of the stream came; the stream stays open.
   */
  public static Future<HttpClientResponse> opened(
      Vertx vertx, HttpClient client, int port, String path) {
    return OnLoop.run(
        vertx,
        () ->
            client
                .request(HttpMethod.GET, port, "127.0.0.1", path)
                .compose(req -> req.send())
                .compose(
                    resp -> {
                      Promise<HttpClientResponse> first = Promise.promise();
                      resp.handler(chunk -> first.tryComplete(resp));
                      resp.exceptionHandler(first::tryFail);
                      resp.endHandler(v -> first.tryFail("the stream ended before any event"));
                      return first.future();
                    }));
  }

  /** One event; null for a block of comment lines only. */
  private static Event parse(String block, long atMs) {
    String name = null;
    String data = null;
    for (String line : block.split("\n")) {
      if (line.startsWith("event: ")) {
        name = line.substring(7);
      } else if (line.startsWith("data: ")) {
        data = line.substring(6);
      }
    }
    return data == null ? null : new Event(name, new JsonObject(data), atMs);
  }
}
