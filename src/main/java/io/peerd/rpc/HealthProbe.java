package io.peerd.rpc;

import io.peerd.identity.Identity;
import io.peerd.identity.PeerId;
import io.peerd.identity.Tls;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.net.KeyCertOptions;
import io.vertx.core.net.SocketAddress;
import io.vertx.core.net.TrustOptions;
import io.vertx.grpc.client.GrpcClient;
import io.vertx.grpc.client.GrpcClientOptions;
import io.vertx.grpc.client.GrpcClientRequest;
import io.vertx.grpc.common.GrpcMessageDecoder;
import io.vertx.grpc.common.GrpcMessageEncoder;
import io.vertx.grpc.common.GrpcStatus;
import io.vertx.grpc.common.ServiceMethod;
import io.vertx.grpc.common.ServiceName;
import io.vertx.grpc.health.v1.HealthCheckRequest;
import io.vertx.grpc.health.v1.HealthCheckResponse;
import java.util.concurrent.TimeUnit;

/**
 * One {@code grpc.health.v1.Health/Check} call to a peer's gRPC endpoint, the standard probe that
 * grpcurl and Kubernetes use: the connection doctor's gRPC step. The answer comes back as the
 * project's own record, never as a generated message.
 */
public final class HealthProbe implements AutoCloseable {

  private static final ServiceMethod<HealthCheckResponse, HealthCheckRequest> CHECK =
      ServiceMethod.client(
          ServiceName.create("grpc.health.v1", "Health"),
          "Check",
          GrpcMessageEncoder.encoder(),
          GrpcMessageDecoder.decoder(HealthCheckResponse.newBuilder()));

  /**
   * What the peer answered.
   *
   * @param grpcStatus the call's gRPC status name, {@code OK} when it answered
   * @param serving the serving status it reported ({@code SERVING}, ...), or null when the call
   *     failed
   * @param message the gRPC status message of a failed call, or null
   * @param presented the id of the certificate presented over TLS, or null on a plain call
   */
  public record Health(String grpcStatus, String serving, String message, PeerId presented) {
    public boolean ok() {
      return "SERVING".equals(serving);
    }
  }

  private final Vertx vertx;
  private final GrpcClient plain;
  private final GrpcClient secure;

  /**
   * @param identity presented on TLS calls (a peer's secure port asks for a certificate but does
   *     not require one); null: none
   */
  public HealthProbe(Vertx vertx, Identity identity, int connectTimeoutMillis) {
    this.vertx = vertx;
    HttpClientOptions h2 =
        new HttpClientOptions()
            .setProtocolVersion(HttpVersion.HTTP_2)
            .setHttp2ClearTextUpgrade(false)
            .setConnectTimeout(connectTimeoutMillis)
            // A probe is one call: a connection kept for the next would hide a failing connect.
            .setKeepAlive(false);
    this.plain = GrpcClient.client(vertx, new GrpcClientOptions(), h2);
    HttpClientOptions tls =
        new HttpClientOptions(h2)
            .setSsl(true)
            .setUseAlpn(true)
            .setVerifyHost(false)
            .setEnabledSecureTransportProtocols(java.util.Set.of("TLSv1.3"))
            .setTrustOptions(TrustOptions.wrap(Tls.anyCertificate()));
    if (identity != null) {
      tls.setKeyCertOptions(KeyCertOptions.wrap(Tls.keyManager(identity)));
    }
    this.secure = GrpcClient.client(vertx, new GrpcClientOptions(), tls);
  }

  /**
   * Checks the overall health (service {@code ""}) at that address; fails only when there is no
   * gRPC answer at all (refused, timeout, not HTTP/2), with the cause.
   */
  public Future<Health> check(String host, int port, boolean tls, long timeoutMillis) {
    Promise<Health> done = Promise.promise();
    GrpcClientRequest<?, ?>[] current = new GrpcClientRequest<?, ?>[1];
    long timer =
        vertx.setTimer(
            Math.max(1, timeoutMillis),
            t -> {
              if (done.tryFail(
                      new java.util.concurrent.TimeoutException(
                          "no gRPC answer within " + timeoutMillis + " ms"))
                  && current[0] != null) {
                current[0].cancel();
              }
            });
    (tls ? secure : plain)
        .request(SocketAddress.inetSocketAddress(port, host), CHECK)
        .compose(
            req -> {
              current[0] = req;
              req.timeout(timeoutMillis, TimeUnit.MILLISECONDS);
              PeerId presented = tls ? Tls.presented(req.connection().sslSession()) : null;
              return req.send(HealthCheckRequest.newBuilder().setService("").build())
                  .compose(
                      resp ->
                          resp.last()
                              .map(m -> new Health("OK", m.getStatus().name(), null, presented))
                              .recover(
                                  err ->
                                      resp.status() != null && resp.status() != GrpcStatus.OK
                                          ? Future.succeededFuture(
                                              new Health(
                                                  resp.status().name(),
                                                  null,
                                                  resp.statusMessage(),
                                                  presented))
                                          : Future.failedFuture(err)));
            })
        .onComplete(
            ar -> {
              vertx.cancelTimer(timer);
              if (ar.succeeded()) {
                done.tryComplete(ar.result());
              } else {
                done.tryFail(ar.cause());
              }
            });
    return done.future();
  }

  @Override
  public void close() {
    plain.close();
    secure.close();
  }
}
