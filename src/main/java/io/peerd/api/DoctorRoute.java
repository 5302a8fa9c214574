package io.peerd.api;

import io.peerd.doctor.Doctor;
import io.peerd.doctor.Target;
import io.peerd.peers.PeerState;
import io.peerd.peers.PeerTable;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;

/**
 * {@code GET /doctor?url=&id=}: the connection doctor, run from this peer's own vantage point (what
 * the web page's "diagnose" shows). The report is the answer, 200 whatever the steps found; only
 * bad input is an error. Without {@code id=}, the id the peer table has bound for that URL is
 * checked, over the secure URL the table knows.
 *
 * <p>It connects wherever it is told, on a caller's behalf: with an {@code api_token}, only for
 * whoever holds it (see {@link Guard}); without one, only to peers already in this peer's table
 * (the page's "diagnose" is offered for those), so that an open peer is nobody's port scanner. The
 * command line ({@code peer.jar doctor}) checks any URL from where it runs.
 */
final class DoctorRoute {

  static final String PATH = "/doctor";

  /**
   * Runs at a time, per peer: each holds a few connections for up to {@link
   * Doctor.Settings#totalMillis()}, made on a caller's behalf.
   */
  static final int MAX_RUNNING = 2;

  private final Doctor doctor;
  private final PeerTable peers;
  private final String self;

  /** No api_token: only peers in the table may be diagnosed. */
  private final boolean open;

  /** Touched on the verticle's event loop only. */
  private int running;

  DoctorRoute(Doctor doctor, PeerTable peers, String self, boolean open) {
    this.doctor = doctor;
    this.peers = peers;
    this.self = self;
    this.open = open;
  }

  void handle(RoutingContext ctx) {
    Target target = target(ctx);
    if (running >= MAX_RUNNING) {
      ctx.response().putHeader(HttpHeaders.RETRY_AFTER, "5");
      throw new BadRequest(
          503, "busy", MAX_RUNNING + " doctor runs are under way on this peer: retry in 5 s");
    }
    running++;
    doctor
        .run(target)
        .onComplete(
            ar -> {
              running--;
              if (ar.succeeded()) {
                Errors.json(ctx, 200, ar.result().toJson().put("from", self));
              } else {
                ctx.fail(ar.cause());
              }
            });
  }

  private Target target(RoutingContext ctx) {
    String url = Params.string(ctx, "url", null, 512);
    if (url == null || url.isBlank()) {
      throw new BadRequest("bad_parameter", "url: required, e.g. /doctor?url=http://host:port");
    }
    Target target;
    try {
      target = Target.parse(url, Params.string(ctx, "id", null, 128));
    } catch (IllegalArgumentException e) {
      throw new BadRequest("bad_parameter", e.getMessage());
    }
    PeerState known = peers.get(target.url());
    // Anyone may register any URL on an open peer, so being in the table is not enough: the peer
    // must have answered once (a friend, or one found on the LAN, or one a probe reached).
    if (open && (known == null || known.lastSeenMillis() == 0)) {
      throw new BadRequest(
          403,
          "not_a_peer",
          "this peer has no api_token, so its doctor checks only the peers in its table that"
              + " have answered it (GET /peers); check any other URL with peer.jar doctor URL");
    }
    if (target.expect() != null) {
      return target;
    }
    return known == null || known.trust().id() == null
        ? target
        : target.withExpected(known.trust().id(), known.trust().secureUrl());
  }
}
