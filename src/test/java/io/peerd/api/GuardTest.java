package io.peerd.api;

import static io.peerd.testkit.Await.await;
import static io.vertx.core.http.HttpMethod.GET;
import static io.vertx.core.http.HttpMethod.POST;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.peerd.node.PeerVerticle;
import io.peerd.rpc.proto.FileTransferGrpcClient;
import io.peerd.rpc.proto.UploadChunk;
import io.peerd.rpc.proto.UploadResult;
import io.peerd.testkit.Http;
import io.peerd.testkit.Http.Reply;
import io.peerd.testkit.Peers;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.SocketAddress;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.grpc.client.GrpcClient;
import io.vertx.grpc.client.GrpcClientRequest;
import io.vertx.grpc.common.GrpcStatus;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Access token and per-client request limits on a real peer. */
@ExtendWith(VertxExtension.class)
@Tag("peer")
class GuardTest {

  static final String TOKEN = "s3cret-token-0123456789";

  @TempDir Path tmp;
  Http http;

  PeerVerticle started(Vertx vertx, JsonObject extra) {
    return Peers.started(
        vertx, "g", Peers.folderWith(tmp, "s", Map.of("a.txt", "a")), List.of(), extra);
  }

  @BeforeEach
  void client(Vertx vertx) {
    http = new Http(vertx);
  }

  /** For the requests that carry a header or a JSON body of their own. */
  HttpRequest<Buffer> request(HttpMethod method, PeerVerticle p, String path) {
    return http.client().request(method, p.restPort(), "127.0.0.1", path);
  }

  @Test
  void stateChangingCallsNeedTheTokenReadsDoNot(Vertx vertx) {
    JsonObject reg = new JsonObject().put("url", "http://127.0.0.1:1");
    PeerVerticle p = started(vertx, new JsonObject().put("api_token", TOKEN));

    List<HttpResponse<Buffer>> refused =
        List.of(
            await(request(POST, p, "/register").sendJsonObject(reg)),
            await(
                request(POST, p, "/register")
                    .putHeader("Authorization", "Bearer wrong-token-0000000")
                    .sendJsonObject(reg)),
            await(request(POST, p, "/bootstrap").send()),
            await(request(POST, p, "/index/rescan").send()));
    for (int i = 0; i < refused.size(); i++) {
      assertEquals(401, refused.get(i).statusCode(), "call " + i);
      assertEquals("unauthorized", refused.get(i).bodyAsJsonObject().getString("error"));
      assertEquals("Bearer", refused.get(i).getHeader("WWW-Authenticate"));
    }

    assertEquals(200, http.get(p, "/files").status(), "reading stays open");
    assertEquals(200, http.get(p, "/search?query=a").status(), "searching stays open");
    HttpResponse<Buffer> withToken =
        await(
            request(POST, p, "/register")
                .putHeader("Authorization", "Bearer " + TOKEN)
                .sendJsonObject(reg));
    assertEquals(200, withToken.statusCode(), "with the token");
  }

  @Test
  void aPrivatePeerGuardsReadsButNotHealthOrMetrics(Vertx vertx) {
    PeerVerticle p = started(vertx, new JsonObject().put("api_token", TOKEN).put("private", true));

    assertEquals(401, http.get(p, "/files").status());
    assertEquals(
        200,
        await(request(GET, p, "/files").putHeader("Authorization", "bearer " + TOKEN).send())
            .statusCode());
    assertEquals(200, http.get(p, "/health").status());
    assertEquals(200, http.get(p, "/metrics").status());
  }

  @Test
  void grpcUploadNeedsTheToken(Vertx vertx) {
    PeerVerticle p =
        started(vertx, new JsonObject().put("api_token", TOKEN).put("accept_uploads", true));
    GrpcClientRequest<UploadChunk, UploadResult> call =
        await(
            GrpcClient.client(vertx)
                .request(
                    SocketAddress.inetSocketAddress(p.restPort(), "127.0.0.1"),
                    FileTransferGrpcClient.Upload));
    // The answer is read by handlers set before the request goes out: set later, from this
    // thread, they could miss the end of a stream that has already arrived.
    Future<GrpcStatus> status =
        call.response()
            .compose(resp -> resp.last().transform(ar -> Future.succeededFuture(resp.status())));
    call.end(
        UploadChunk.newBuilder().setFilename("x.bin").setSize(1).setSha256("0".repeat(64)).build());
    assertEquals(GrpcStatus.UNAUTHENTICATED, await(status));
  }

  @Test
  void requestRateIsLimitedPerClientWithNeighboursInTheirOwnBucket(Vertx vertx) {
    PeerVerticle p =
        started(
            vertx,
            new JsonObject().put("rate_limit", new JsonObject().put("requests_per_minute", 3)));

    for (int i = 0; i < 3; i++) {
      assertEquals(200, http.get(p, "/files").status(), "within the budget: " + i);
    }
    Reply over = http.get(p, "/files");
    assertEquals(429, over.status());
    assertTrue(Integer.parseInt(over.header("Retry-After")) >= 1);
    assertEquals(200, http.get(p, "/health").status(), "/health is exempt");
    assertEquals(
        200,
        http.get(p, "/search?query=a&from=http://127.0.0.1:1&id=n1").status(),
        "a neighbour's forwarded query has its own bucket");
  }

  @Test
  void thousandsOfRegistrationsKeepTheTableBoundedAndFriendsInIt(Vertx vertx) {
    String friend = "http://127.0.0.1:7";
    PeerVerticle p =
        Peers.started(
            vertx,
            "b",
            Peers.folderWith(tmp, "b", Map.of()),
            List.of(friend),
            new JsonObject().put("max_peers", 50));

    // 2000 registrations, 100 in flight at a time.
    for (int batch = 0; batch < 20; batch++) {
      List<Future<HttpResponse<Buffer>>> calls = new ArrayList<>();
      for (int i = 0; i < 100; i++) {
        calls.add(
            request(POST, p, "/register")
                .sendJsonObject(
                    new JsonObject().put("url", "http://127.1." + batch + "." + i + ":9")));
      }
      await(Future.all(calls));
    }

    JsonArray all = http.getJson(p, "/peers").getJsonArray("all_peers");
    assertEquals(51, all.size(), "50 peers and the peer itself");
    assertTrue(all.contains(friend), "a configured friend is never evicted");
  }
}
