package io.peerd.api;

import io.peerd.identity.PeerId;
import io.peerd.identity.Tls;
import io.vertx.core.http.HttpServerRequest;

/** Who is calling: the id of the certificate the caller presented on the secure port. */
final class Callers {

  private Callers() {}

  /**
   * @return the caller's id, or null: a plain connection, or a TLS one without a client certificate
   *     (curl, a browser)
   */
  static PeerId id(HttpServerRequest req) {
    // The connection's own TLS, not the request's isSSL(): behind vertx-web that also reads
    // Forwarded headers, work on every request and a claim no header can make.
    io.vertx.core.http.HttpConnection c = req.connection();
    return c != null && c.isSsl() ? Tls.presented(c.sslSession()) : null;
  }
}
