package io.peerd.api;

import io.peerd.Monotonic;
import io.peerd.config.PeerConfig;
import io.peerd.transfer.RateLimiter;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.RoutingContext;

/**
 * The first handler of every route: access token and per-client request rate. {@code /health} and
 * {@code /metrics} are exempt from both (monitoring must see a peer under attack). Queries
 * forwarded by a neighbour (they carry {@code from}) are counted per neighbour, in their own
 * bucket, so a person searching from the same address never spends a neighbour's budget. A
 * neighbour that presented the certificate of an id this peer has bound is counted by its id
 * instead of its address.
 */
final class Guard {

  private final PeerConfig.Access access;
  private final RateLimiter requests;
  private final java.util.function.Predicate<io.peerd.identity.PeerId> known;

  /**
   * @param known whether an id is one this peer has bound a neighbour to: only those get a bucket
   *     of their own (anyone can make a fresh certificate per connection)
   */
  Guard(
      PeerConfig.Access access,
      RateLimiter requests,
      java.util.function.Predicate<io.peerd.identity.PeerId> known) {
    this.access = access;
    this.requests = requests;
    this.known = known;
  }

  /**
   * The client's address, the key of its limits. A request may have none (a unix socket, a
   * connection already gone): those share one key instead of failing.
   */
  static String clientOf(io.vertx.core.http.HttpServerRequest req) {
    return req.remoteAddress() == null || req.remoteAddress().host() == null
        ? "unknown"
        : req.remoteAddress().host();
  }

  void handle(RoutingContext ctx) {
    // The raw path: normalising a malformed one (say "%zz") throws, and that must stay a 400 later.
    String path = ctx.request().path();
    if (path.equals("/health") || path.equals("/metrics")) {
      ctx.next();
      return;
    }
    HttpMethod method = ctx.request().method();
    boolean changesState =
        method == HttpMethod.POST
            || method == HttpMethod.PUT
            || method == HttpMethod.DELETE
            || method == HttpMethod.PATCH;
    // The doctor connects to any address it is given, on the caller's behalf: not for strangers.
    boolean actsForCaller = path.equals(DoctorRoute.PATH);
    // The page's static files hold no data, and a browser cannot send a token when it navigates:
    // a private peer serves them openly, and the page then asks for the token for everything else.
    boolean privateRead = access.privatePeer() && !WebUi.isAsset(path);
    if ((changesState || privateRead || actsForCaller)
        && !access.allows(ctx.request().getHeader(HttpHeaders.AUTHORIZATION))) {
      ctx.response().putHeader("WWW-Authenticate", "Bearer");
      throw new BadRequest(
          401,
          "unauthorized",
          changesState
              ? "this call changes the peer: it needs Authorization: Bearer <api_token>"
              : actsForCaller
                  ? "the doctor connects to other hosts for you: it needs Authorization: Bearer"
                      + " <api_token>"
                  : "this peer is private: every call needs Authorization: Bearer <api_token>");
    }
    // A neighbour that proved its id is counted by it: behind one NAT, or under two addresses.
    io.peerd.identity.PeerId caller = Callers.id(ctx.request());
    if (caller != null && !known.test(caller)) {
      caller = null;
    }
    String client = clientOf(ctx.request());
    String from = ctx.request().getParam("from");
    String key =
        caller != null ? "id:" + caller.base32() : from == null ? client : client + "|" + from;
    long wait = requests.acquire(key, Monotonic.millis());
    if (wait > 0) {
      ctx.response().putHeader(HttpHeaders.RETRY_AFTER, String.valueOf((wait + 999) / 1000));
      throw new BadRequest(429, "rate_limited", "request rate limit: retry in " + wait + " ms");
    }
    ctx.next();
  }
}
