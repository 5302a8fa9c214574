package io.peerd.testkit;

import static io.peerd.testkit.Await.await;

import io.peerd.node.PeerVerticle;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;

/**
 * A test's HTTP client for peers on loopback: the GET-and-read-JSON that tests used to write again
 * and again, as one call. The blocking methods wait on the test thread ({@link Await}); the {@code
 * *Async} ones return the future, for requests a test wants in flight together.
 */
public final class Http {

  /** One answer, read whole. */
  public record Reply(int status, MultiMap headers, Buffer body) {

    public JsonObject json() {
      return body == null || body.length() == 0 ? null : body.toJsonObject();
    }

    public String text() {
      return body == null ? "" : body.toString();
    }

    public String header(String name) {
      return headers.get(name);
    }

    /** The {@code error} field of an {@code {error, detail}} answer. */
    public String error() {
      JsonObject j = json();
      return j == null ? null : j.getString("error");
    }
  }

  private final WebClient client;

  public Http(Vertx vertx) {
    this.client = WebClient.create(vertx);
  }

  public WebClient client() {
    return client;
  }

  public Future<Reply> sendAsync(HttpMethod method, int port, String path, Buffer body) {
    HttpRequest<Buffer> req = client.request(method, port, "127.0.0.1", path);
    Future<HttpResponse<Buffer>> sent = body == null ? req.send() : req.sendBuffer(body);
    return sent.map(r -> new Reply(r.statusCode(), r.headers(), r.body()));
  }

  public Future<Reply> getAsync(PeerVerticle peer, String path) {
    return sendAsync(HttpMethod.GET, peer.restPort(), path, null);
  }

  public Reply get(PeerVerticle peer, String path) {
    return await(getAsync(peer, path));
  }

  public Reply get(int port, String path) {
    return await(sendAsync(HttpMethod.GET, port, path, null));
  }

  /** A GET that must answer 200 with a JSON object. */
  public JsonObject getJson(PeerVerticle peer, String path) {
    Reply r = get(peer, path);
    if (r.status() != 200) {
      throw new AssertionError("GET " + path + " answered " + r.status() + ": " + r.text());
    }
    return r.json();
  }

  public Reply post(PeerVerticle peer, String path, JsonObject body) {
    return await(
        sendAsync(HttpMethod.POST, peer.restPort(), path, body == null ? null : body.toBuffer()));
  }

  public Reply post(PeerVerticle peer, String path, Buffer body) {
    return await(sendAsync(HttpMethod.POST, peer.restPort(), path, body));
  }

  /** {@code POST /register} on {@code at} with the other peer's URL; must answer 200. */
  public void register(PeerVerticle at, PeerVerticle other) {
    Reply r = post(at, "/register", new JsonObject().put("url", other.selfUrl()));
    if (r.status() != 200) {
      throw new AssertionError("register answered " + r.status() + ": " + r.text());
    }
  }
}
