// The reference for the REST targets: a bare vertx-web server answering a small JSON from memory.
// Run from the repository: java -cp target/peer.jar bench/Bare.java PORT
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.Router;

public class Bare {
  public static void main(String[] args) {
    int port = Integer.parseInt(args[0]);
    Vertx vertx = Vertx.vertx();
    Router r = Router.router(vertx);
    Buffer body =
        Buffer.buffer(
            "{\"status\":\"ok\",\"peer\":\"bare\",\"url\":\"http://127.0.0.1:" + port + "\"}");
    r.get("/health")
        .handler(ctx -> ctx.response().putHeader("content-type", "application/json").end(body));
    vertx
        .createHttpServer()
        .requestHandler(r)
        .listen(port, "127.0.0.1")
        .onSuccess(s -> System.out.println("bare vertx-web on " + port));
  }
}
