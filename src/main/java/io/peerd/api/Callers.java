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
    return req.isSSL() && req.connection() != null
        ? Tls.presented(req.connection().sslSession())
        : null;
  }
}
