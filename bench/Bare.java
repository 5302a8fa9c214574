// The reference for the REST targets: a bare vertx-web server answering from memory.
// Run from the repository: java -cp target/peer.jar bench/Bare.java PORT [PATH=FILE ...]
// With no PATH=FILE pairs it answers GET /health with a small JSON. Each pair serves FILE's bytes
// (read once, at start) at PATH: bench/rest.sh captures a peer's answers and replays them here,
// so both servers send the same bytes and the ratio is the peer's own cost.
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.Router;
import java.nio.file.Files;
import java.nio.file.Path;

public class Bare {
  public static void main(String[] args) throws Exception {
    int port = Integer.parseInt(args[0]);
    Vertx vertx = Vertx.vertx();
    Router r = Router.router(vertx);
    if (args.length == 1) {
      Buffer body =
          Buffer.buffer(
              "{\"status\":\"ok\",\"peer\":\"bare\",\"url\":\"http://127.0.0.1:" + port + "\"}");
      r.get("/health")
          .handler(ctx -> ctx.response().putHeader("content-type", "application/json").end(body));
    }
    for (int i = 1; i < args.length; i++) {
      int eq = args[i].indexOf('=');
      String path = args[i].substring(0, eq);
      Buffer body = Buffer.buffer(Files.readAllBytes(Path.of(args[i].substring(eq + 1))));
      String type = path.startsWith("/files/") ? "application/octet-stream" : "application/json";
      r.get(path).handler(ctx -> ctx.response().putHeader("content-type", type).end(body));
    }
    vertx
        .createHttpServer()
        .requestHandler(r)
        .listen(port, "127.0.0.1")
        .onSuccess(s -> System.out.println("bare vertx-web on " + port));
  }
}
