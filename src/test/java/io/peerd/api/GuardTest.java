package io.peerd.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.peerd.node.PeerVerticle;
import io.peerd.rpc.proto.FileTransferGrpcClient;
import io.peerd.rpc.proto.UploadChunk;
import io.peerd.testkit.Peers;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.SocketAddress;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.grpc.client.GrpcClient;
import io.vertx.grpc.common.GrpcStatus;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Access token and per-client request limits on a real peer. */
@ExtendWith(VertxExtension.class)
@Tag("peer")
class GuardTest {

  static final String TOKEN = "s3cret-token-0123456789";

  @TempDir
  Path tmp;

  Future<PeerVerticle> peer(Vertx vertx, JsonObject extra) {
    return Peers.start(vertx, Peers.config("g", Peers.folderWith(tmp, "s", Map.of("a.txt", "a")), List.of(), extra));
  }

  @Test
  void stateChangingCallsNeedTheTokenReadsDoNot(Vertx vertx, VertxTestContext ctx) {
    WebClient http = WebClient.create(vertx);
    JsonObject reg = new JsonObject().put("url", "http://127.0.0.1:1");
    peer(vertx, new JsonObject().put("api_token", TOKEN)).compose(p -> Future.all(List.of(
            http.post(p.restPort(), "127.0.0.1", "/register").sendJsonObject(reg),
            http.post(p.restPort(), "127.0.0.1", "/register").putHeader("Authorization", "Bearer wrong-token-0000000")
                .sendJsonObject(reg),
            http.post(p.restPort(), "127.0.0.1", "/bootstrap").send(),
            http.post(p.restPort(), "127.0.0.1", "/index/rescan").send(),
            http.get(p.restPort(), "127.0.0.1", "/files").send(),
            http.get(p.restPort(), "127.0.0.1", "/search?query=a").send()))
        .compose(all -> http.post(p.restPort(), "127.0.0.1", "/register").putHeader("Authorization", "Bearer " + TOKEN)
            .sendJsonObject(reg).map(ok -> {
              List<HttpResponse<Buffer>> r = new ArrayList<>(all.list());
              r.add(ok);
              return r;
            })))
        .onComplete(ctx.succeeding(r -> ctx.verify(() -> {
          for (int i = 0; i < 4; i++) {
            assertEquals(401, r.get(i).statusCode(), "call " + i);
            assertEquals("unauthorized", r.get(i).bodyAsJsonObject().getString("error"));
            assertEquals("Bearer", r.get(i).getHeader("WWW-Authenticate"));
          }
          assertEquals(200, r.get(4).statusCode(), "reading stays open");
          assertEquals(200, r.get(5).statusCode(), "searching stays open");
          assertEquals(200, r.get(6).statusCode(), "with the token");
          ctx.completeNow();
        })));
  }

  @Test
  void aPrivatePeerGuardsReadsButNotHealthOrMetrics(Vertx vertx, VertxTestContext ctx) {
    WebClient http = WebClient.create(vertx);
    peer(vertx, new JsonObject().put("api_token", TOKEN).put("private", true)).compose(p -> Future.all(List.of(
            http.get(p.restPort(), "127.0.0.1", "/files").send(),
            http.get(p.restPort(), "127.0.0.1", "/files").putHeader("Authorization", "bearer " + TOKEN).send(),
            http.get(p.restPort(), "127.0.0.1", "/health").send(),
            http.get(p.restPort(), "127.0.0.1", "/metrics").send())))
        .onComplete(ctx.succeeding(all -> ctx.verify(() -> {
          assertEquals(401, all.<HttpResponse<Buffer>>resultAt(0).statusCode());
          assertEquals(200, all.<HttpResponse<Buffer>>resultAt(1).statusCode());
          assertEquals(200, all.<HttpResponse<Buffer>>resultAt(2).statusCode());
          assertEquals(200, all.<HttpResponse<Buffer>>resultAt(3).statusCode());
          ctx.completeNow();
        })));
  }

  @Test
  void grpcUploadNeedsTheToken(Vertx vertx, VertxTestContext ctx) {
    GrpcClient grpc = GrpcClient.client(vertx);
    peer(vertx, new JsonObject().put("api_token", TOKEN).put("accept_uploads", true))
        .compose(p -> grpc.request(SocketAddress.inetSocketAddress(p.restPort(), "127.0.0.1"), FileTransferGrpcClient.Upload))
        .compose(call -> {
          call.end(UploadChunk.newBuilder().setFilename("x.bin").setSize(1).setSha256("0".repeat(64)).build());
          return call.response();
        })
        .compose(resp -> resp.last().transform(ar -> Future.succeededFuture(resp.status())))
        .onComplete(ctx.succeeding(status -> ctx.verify(() -> {
          assertEquals(GrpcStatus.UNAUTHENTICATED, status);
          ctx.completeNow();
        })));
  }

  @Test
  void requestRateIsLimitedPerClientWithNeighboursInTheirOwnBucket(Vertx vertx, VertxTestContext ctx) {
    WebClient http = WebClient.create(vertx);
    peer(vertx, new JsonObject().put("rate_limit", new JsonObject().put("requests_per_minute", 3))).compose(p -> {
      List<Future<HttpResponse<Buffer>>> calls = new ArrayList<>();
      Future<?> chain = Future.succeededFuture();
      for (int i = 0; i < 4; i++) {
        chain = chain.compose(x -> {
          Future<HttpResponse<Buffer>> f = http.get(p.restPort(), "127.0.0.1", "/files").send();
          calls.add(f);
          return f;
        });
      }
      return chain.compose(x -> Future.all(
          http.get(p.restPort(), "127.0.0.1", "/health").send(),
          http.get(p.restPort(), "127.0.0.1", "/search?query=a&from=http://127.0.0.1:1&id=n1").send()))
          .map(extra -> {
            List<HttpResponse<Buffer>> r = new ArrayList<>();
            calls.forEach(c -> r.add(c.result()));
            r.add(extra.resultAt(0));
            r.add(extra.resultAt(1));
            return r;
          });
    }).onComplete(ctx.succeeding(r -> ctx.verify(() -> {
      for (int i = 0; i < 3; i++) {
        assertEquals(200, r.get(i).statusCode(), "within the budget: " + i);
      }
      assertEquals(429, r.get(3).statusCode());
      assertTrue(Integer.parseInt(r.get(3).getHeader("Retry-After")) >= 1);
      assertEquals(200, r.get(4).statusCode(), "/health is exempt");
      assertEquals(200, r.get(5).statusCode(), "a neighbour's forwarded query has its own bucket");
      ctx.completeNow();
    })));
  }

  @Test
  void thousandsOfRegistrationsKeepTheTableBoundedAndFriendsInIt(Vertx vertx, VertxTestContext ctx) {
    WebClient http = WebClient.create(vertx);
    String friend = "http://127.0.0.1:7";
    Peers.start(vertx, Peers.config("b", Peers.folderWith(tmp, "b", Map.of()), List.of(friend),
            new JsonObject().put("max_peers", 50)))
        .compose(p -> {
          Future<?> chain = Future.succeededFuture();
          for (int batch = 0; batch < 20; batch++) {
            int b = batch;
            chain = chain.compose(x -> {
              List<Future<HttpResponse<Buffer>>> calls = new ArrayList<>();
              for (int i = 0; i < 100; i++) {
                calls.add(http.post(p.restPort(), "127.0.0.1", "/register")
                    .sendJsonObject(new JsonObject().put("url", "http://127.1." + b + "." + i + ":9")));
              }
              return Future.all(calls);
            });
          }
          return chain.compose(x -> http.get(p.restPort(), "127.0.0.1", "/peers").send());
        })
        .onComplete(ctx.succeeding(r -> ctx.verify(() -> {
          var all = r.bodyAsJsonObject().getJsonArray("all_peers");
          assertEquals(51, all.size(), "50 peers and the peer itself");
          assertTrue(all.contains(friend), "a configured friend is never evicted");
          ctx.completeNow();
        })));
  }
}
