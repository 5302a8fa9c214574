package io.peerd.doctor;

import static io.peerd.testkit.Await.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.peerd.identity.Identity;
import io.peerd.identity.PeerId;
import io.peerd.node.PeerVerticle;
import io.peerd.testkit.Await;
import io.peerd.testkit.Http;
import io.peerd.testkit.MainProcess;
import io.peerd.testkit.Peers;
import io.peerd.testkit.StandIns;
import io.peerd.testkit.TestFiles;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.net.ServerSocket;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The connection doctor against real peers: a live one, a closed port, a stopped process, a wrong
 * id; through the engine, through {@code GET /doctor} on another peer, and through the CLI.
 */
@ExtendWith(VertxExtension.class)
@Tag("peer")
class DoctorTest {

  static final List<String> STEPS = List.of("dns", "tcp", "tls", "http", "grpc", "search", "range");
  static final String TOKEN = "doctor-token-0123456789";

  @TempDir Path tmp;
  Http http;
  Doctor doctor;

  @BeforeEach
  void setUp(Vertx vertx) {
    http = new Http(vertx);
    doctor = new Doctor(vertx, Doctor.Settings.defaults(null, null));
  }

  @AfterEach
  void tearDown() {
    doctor.close();
  }

  /** A peer (identity on, as by default) sharing a 3 MiB file and a small one. */
  PeerVerticle sharing(Vertx vertx, String name, JsonObject extra) throws Exception {
    Path dir = Files.createDirectories(tmp.resolve(name));
    TestFiles.random(dir, "big.bin", 3 << 20, 7);
    Files.writeString(dir.resolve("small.txt"), "small");
    return Peers.started(vertx, name, dir, List.of(), extra);
  }

  static Step step(Report r, String name) {
    return r.steps().stream().filter(s -> s.name().equals(name)).findFirst().orElseThrow();
  }

  static JsonObject step(JsonObject report, String name) {
    for (Object o : report.getJsonArray("steps")) {
      JsonObject s = (JsonObject) o;
      if (s.getString("name").equals(name)) {
        return s;
      }
    }
    throw new AssertionError("no step " + name + " in " + report);
  }

  @Test
  void aLivePeerPassesEveryStepThroughTheEngine(Vertx vertx) throws Exception {
    PeerVerticle a = sharing(vertx, "a", null);

    Report r = await(doctor.run(Target.parse(a.selfUrl(), a.id().toString())));

    assertTrue(r.ok(), r.toString());
    assertEquals(STEPS, r.steps().stream().map(Step::name).toList());
    for (Step s : r.steps()) {
      assertEquals(Verdict.PASS, s.verdict(), s.toString());
      assertNull(s.hint(), s.toString());
    }
    assertTrue(step(r, "tls").detail().contains(a.id().toString()), step(r, "tls").detail());
    assertTrue(step(r, "range").detail().startsWith("1048576 bytes of big.bin (206)"));
    assertTrue(step(r, "grpc").detail().contains("SERVING"));
  }

  @Test
  void aNameIsResolvedOffTheLoopAndItsAddressConnected(Vertx vertx) throws Exception {
    PeerVerticle a = sharing(vertx, "a", null);

    Report r = await(doctor.run(Target.parse("http://localhost:" + a.restPort(), null)));

    assertTrue(r.ok(), r.toString());
    assertTrue(step(r, "dns").detail().startsWith("localhost is "), step(r, "dns").detail());
    assertTrue(step(r, "dns").detail().contains("127.0.0.1"), step(r, "dns").detail());
    assertTrue(step(r, "tcp").detail().contains(":" + a.restPort()), step(r, "tcp").detail());
  }

  @Test
  void itsSecureUrlPassesWithTheIdItPresents(Vertx vertx) throws Exception {
    PeerVerticle a = sharing(vertx, "a", null);

    Report r = await(doctor.run(Target.parse(a.secureUrl(), null)));

    assertTrue(r.ok(), r.toString());
    r.steps().forEach(s -> assertEquals(Verdict.PASS, s.verdict(), s.toString()));
    assertTrue(step(r, "tls").detail().contains("presented " + a.id()));
  }

  @Test
  void anotherPeerDiagnosesItAndChecksTheIdItsTableBound(Vertx vertx) throws Exception {
    PeerVerticle a = sharing(vertx, "a", null);
    PeerVerticle b =
        Peers.started(vertx, "b", Files.createDirectories(tmp.resolve("b")), List.of(), null);
    http.register(b, a);
    Await.until(
        "b proves a's id",
        Duration.ofSeconds(20),
        () -> {
          for (Object o : http.getJson(b, "/peers").getJsonArray("table")) {
            JsonObject row = (JsonObject) o;
            if (row.getString("url").equals(a.selfUrl()) && row.getBoolean("authenticated")) {
              return true;
            }
          }
          return false;
        });

    Http.Reply reply = http.get(b, "/doctor?url=" + enc(a.selfUrl()));

    assertEquals(200, reply.status(), reply.text());
    JsonObject report = reply.json();
    assertTrue(report.getBoolean("ok"), report.encodePrettily());
    assertEquals(a.id().toString(), report.getString("expected_id"), "the table's id, unasked");
    assertEquals(b.selfUrl(), report.getString("from"));
    for (String name : STEPS) {
      assertEquals("pass", step(report, name).getString("verdict"), name + ": " + report);
    }
  }

  @Test
  void aClosedPortIsRefusedWithItsHintAndTheRestIsSkipped() throws Exception {
    int port = StandIns.closedPort();

    Report r = await(doctor.run(Target.parse("http://127.0.0.1:" + port, null)));

    assertFalse(r.ok());
    assertEquals(Verdict.PASS, step(r, "dns").verdict());
    Step tcp = step(r, "tcp");
    assertEquals(Verdict.FAIL, tcp.verdict(), tcp.toString());
    assertTrue(tcp.hint().startsWith("refused: nothing is listening there"), tcp.hint());
    for (String later : STEPS.subList(2, STEPS.size())) {
      assertEquals(Verdict.SKIP, step(r, later).verdict(), later);
      assertEquals(Doctor.NOT_RUN, step(r, later).detail());
    }
  }

  @Test
  void theCommandPrintsJsonAndExitsOneForAClosedPortZeroForALivePeer(Vertx vertx) throws Exception {
    int port = StandIns.closedPort();
    Run closed = cli("doctor", "http://127.0.0.1:" + port, "--json");
    assertEquals(1, closed.exit(), closed.toString());
    JsonObject report = new JsonObject(closed.stdout());
    assertFalse(report.getBoolean("ok"));
    assertEquals("fail", step(report, "tcp").getString("verdict"));
    assertTrue(step(report, "tcp").getString("hint").contains("refused"));

    PeerVerticle a = sharing(vertx, "a", null);
    Run live = cli("doctor", a.selfUrl(), "--json", "--id", a.id().toString());
    assertEquals(0, live.exit(), live.toString());
    JsonObject ok = new JsonObject(live.stdout());
    assertTrue(ok.getBoolean("ok"), ok.encodePrettily());
    assertEquals(STEPS.size(), ok.getJsonArray("steps").size());

    Run human = cli("doctor", a.selfUrl());
    assertEquals(0, human.exit(), human.toString());
    assertTrue(human.stdout().contains("SKIP tls"), human.stdout());
    assertTrue(human.stdout().contains("ok: every step passed"), human.stdout());
  }

  @Test
  void aPrivatePeerWantsTheTokenFromTheFirstStepThatNeedsIt(Vertx vertx) throws Exception {
    PeerVerticle p =
        sharing(vertx, "private", new JsonObject().put("api_token", TOKEN).put("private", true));
    Target target = Target.parse(p.selfUrl(), null);

    Report without = await(doctor.run(target));

    assertEquals(Verdict.PASS, step(without, "http").verdict(), "/health stays open: " + without);
    Step search = step(without, "search");
    assertEquals(Verdict.FAIL, search.verdict(), without.toString());
    assertTrue(search.detail().contains("HTTP 401"), search.detail());
    assertTrue(search.hint().contains("--token"), search.hint());

    Doctor withToken = new Doctor(vertx, Doctor.Settings.defaults(null, TOKEN));
    try {
      Report with = await(withToken.run(target));
      assertTrue(with.ok(), with.toString());
      assertEquals(Verdict.PASS, step(with, "range").verdict());
    } finally {
      withToken.close();
    }
  }

  @Test
  void aRateLimitedAnswerIsNamedWithItsRetryAfter(Vertx vertx) {
    io.vertx.core.http.HttpServer limited =
        await(
            vertx
                .createHttpServer()
                .requestHandler(
                    req ->
                        req.response()
                            .setStatusCode(429)
                            .putHeader("retry-after", "7")
                            .putHeader("content-type", "application/json")
                            .end("{\"error\":\"rate_limited\",\"detail\":\"request rate limit\"}"))
                .listen(0, "127.0.0.1"));
    try {
      Report r = await(doctor.run(Target.parse("http://127.0.0.1:" + limited.actualPort(), null)));

      Step h = step(r, "http");
      assertEquals(Verdict.FAIL, h.verdict(), h.toString());
      assertTrue(h.detail().contains("HTTP 429: request rate limit"), h.detail());
      assertTrue(h.hint().startsWith("rate limited"), h.hint());
      assertTrue(h.hint().contains("wait 7 s"), h.hint());
    } finally {
      await(limited.close());
    }
  }

  /**
   * A plain URL's /health names where its secure port is: a claim, followed only on the same host,
   * or anyone's server could aim the doctor's TLS connection anywhere.
   */
  @Test
  void aSecureUrlOnAnotherHostIsNotFollowed(Vertx vertx) {
    PeerId someone = Identity.generate().id();
    io.vertx.core.http.HttpServer claims =
        await(
            vertx
                .createHttpServer()
                .requestHandler(
                    req ->
                        req.response()
                            .putHeader("content-type", "application/json")
                            .end(
                                new JsonObject()
                                    .put("status", "ok")
                                    .put("secure_url", "https://127.0.0.2:443")
                                    .encode()))
                .listen(0, "127.0.0.1"));
    try {
      Report r =
          await(
              doctor.run(
                  Target.parse("http://127.0.0.1:" + claims.actualPort(), someone.toString())));

      Step tls = step(r, "tls");
      assertEquals(Verdict.FAIL, tls.verdict(), tls.toString());
      assertTrue(tls.detail().contains("on another host"), tls.detail());
    } finally {
      await(claims.close());
    }
  }

  /**
   * A listener whose accept queue is full drops new SYNs, as a firewall's DROP rule would: the
   * connect times out instead of being refused.
   */
  @Test
  void droppedConnectsTimeOutWithTheFilterHint(Vertx vertx) throws Exception {
    try (ServerSocket full = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      List<java.net.Socket> filling = new java.util.ArrayList<>();
      try {
        for (int i = 0; i < 3; i++) {
          java.net.Socket s = new java.net.Socket();
          try {
            s.connect(full.getLocalSocketAddress(), 300);
            filling.add(s);
          } catch (java.io.IOException queueFull) {
            s.close();
          }
        }
        Doctor quick = new Doctor(vertx, new Doctor.Settings(1000, 2000, 1 << 20, null, null));
        try {
          Report r =
              await(quick.run(Target.parse("http://127.0.0.1:" + full.getLocalPort(), null)));

          Step tcp = step(r, "tcp");
          assertEquals(Verdict.FAIL, tcp.verdict(), tcp.toString());
          assertTrue(tcp.hint().startsWith("no answer to the connection"), tcp.toString());
          assertTrue(tcp.millis() >= 900 && tcp.millis() < 5_000, tcp.toString());
        } finally {
          quick.close();
        }
      } finally {
        for (java.net.Socket s : filling) {
          s.close();
        }
      }
    }
  }

  @Test
  void aWrongIdFailsTheTlsStepWithTheMismatchHint(Vertx vertx) throws Exception {
    PeerVerticle a = sharing(vertx, "a", null);
    PeerVerticle other =
        Peers.started(vertx, "other", Files.createDirectories(tmp.resolve("o")), List.of(), null);

    Report r = await(doctor.run(Target.parse(a.selfUrl(), other.id().toString())));

    assertFalse(r.ok());
    Step tls = step(r, "tls");
    assertEquals(Verdict.FAIL, tls.verdict(), tls.toString());
    assertTrue(tls.detail().contains("expected " + other.id()), tls.detail());
    assertTrue(tls.detail().contains("presented " + a.id()), tls.detail());
    assertTrue(tls.hint().startsWith("the certificate is another peer's"), tls.hint());
    assertEquals(Verdict.SKIP, step(r, "http").verdict());

    // Without an api_token, a peer diagnoses the peers in its table that have answered it.
    http.register(other, a);
    Await.until("other's probe reaches a", Duration.ofSeconds(20), () -> authenticated(other, a));
    Http.Reply viaRoute =
        http.get(other, "/doctor?url=" + enc(a.selfUrl()) + "&id=" + enc(other.id().toString()));
    assertEquals(200, viaRoute.status(), "the report is the answer, whatever it found");
    assertEquals("fail", step(viaRoute.json(), "tls").getString("verdict"));
  }

  @Test
  void aStoppedProcessTimesOutAtTheFirstHttpStep(Vertx vertx) throws Exception {
    int port = StandIns.closedPort();
    Path conf = tmp.resolve("p.json");
    Files.createDirectories(tmp.resolve("ps"));
    Files.writeString(
        conf,
        Peers.config(
                "stopped", tmp.resolve("ps"), List.of(), new JsonObject().put("rest_port", port))
            .encode());
    ProcessBuilder pb =
        new ProcessBuilder(MainProcess.command("96m", "-conf", conf.toString()))
            .redirectErrorStream(true)
            .redirectOutput(tmp.resolve("log").toFile());
    pb.environment().keySet().removeIf(k -> k.startsWith("PEER_"));
    Process peer = pb.start();
    String pid = String.valueOf(peer.pid());
    Doctor quick = new Doctor(vertx, new Doctor.Settings(1500, 3000, 1 << 20, null, null));
    try {
      Await.until(
          "the peer answers /health",
          Duration.ofSeconds(60),
          () -> {
            try {
              return http.get(port, "/health").status() == 200;
            } catch (Throwable notYet) {
              return false;
            }
          });
      signal("-STOP", pid);

      Report r = await(quick.run(Target.parse("http://127.0.0.1:" + port, null)));

      assertEquals(Verdict.PASS, step(r, "dns").verdict(), r.toString());
      assertEquals(Verdict.PASS, step(r, "tcp").verdict(), "the kernel still accepts: " + r);
      assertEquals(Verdict.SKIP, step(r, "tls").verdict());
      Step h = step(r, "http");
      assertEquals(Verdict.FAIL, h.verdict(), h.toString());
      assertTrue(h.detail().contains("no answer within 1500 ms"), h.detail());
      assertTrue(h.hint().startsWith("connected, but no HTTP answer"), h.hint());
      assertTrue(h.millis() >= 1400 && h.millis() < 10_000, "bounded by its deadline: " + h);
    } finally {
      quick.close();
      signal("-CONT", pid);
      peer.destroy();
      if (!peer.waitFor(20, TimeUnit.SECONDS)) {
        peer.destroyForcibly();
      }
    }
  }

  @Test
  void badInputIsRefusedAndTheRouteNeedsTheToken(Vertx vertx) throws Exception {
    PeerVerticle open =
        Peers.started(vertx, "open", Files.createDirectories(tmp.resolve("open")), List.of(), null);
    for (String query :
        List.of(
            "",
            "?url=",
            "?url=" + enc("ftp://127.0.0.1:21"),
            "?url=" + enc("http://127.0.0.1:1/../../etc/passwd"),
            "?url=" + enc("http://127.0.0.1"),
            "?url=" + enc("http://127.0.0.1:1") + "&id=NOT-AN-ID",
            "?url=" + enc("http://" + "a".repeat(600) + ":1"))) {
      Http.Reply r = http.get(open, "/doctor" + query);
      assertEquals(400, r.status(), query + ": " + r.text());
      assertEquals("bad_parameter", r.error(), query);
      assertNotNull(r.json().getString("detail"), query);
    }

    Http.Reply stranger = http.get(open, "/doctor?url=" + enc("http://127.0.0.1:1"));
    assertEquals(
        403, stranger.status(), "an open peer is nobody's port scanner: " + stranger.text());
    assertEquals("not_a_peer", stranger.error());
    // Anyone may register a URL on an open peer: in its table then, but it never answered.
    assertEquals(
        200,
        http.post(open, "/register", new JsonObject().put("url", "http://127.0.0.1:1")).status());
    Http.Reply registered = http.get(open, "/doctor?url=" + enc("http://127.0.0.1:1"));
    assertEquals(403, registered.status(), "registered, never answered: " + registered.text());

    PeerVerticle guarded =
        Peers.started(
            vertx,
            "guarded",
            Files.createDirectories(tmp.resolve("g")),
            List.of(),
            new JsonObject().put("api_token", TOKEN));
    String path = "/doctor?url=" + enc(open.selfUrl());
    Http.Reply anonymous = http.get(guarded, path);
    assertEquals(401, anonymous.status(), anonymous.text());
    assertEquals("unauthorized", anonymous.error());
    int withToken =
        await(
                http.client()
                    .get(guarded.restPort(), "127.0.0.1", path)
                    .putHeader("authorization", "Bearer " + TOKEN)
                    .send())
            .statusCode();
    assertEquals(200, withToken);
  }

  @Test
  void twoRunsAtATimeAndTheThirdIsToldToRetry(Vertx vertx) throws Exception {
    int port = StandIns.closedPort();
    // A listener that never answers HTTP holds each run at its http step for the step's deadline.
    java.util.concurrent.atomic.AtomicInteger connections =
        new java.util.concurrent.atomic.AtomicInteger();
    io.vertx.core.net.NetServer silent =
        await(
            vertx
                .createNetServer()
                .connectHandler(so -> connections.incrementAndGet())
                .listen(port, "127.0.0.1"));
    // With a token, any URL may be diagnosed (an open peer would ask for one of its peers).
    PeerVerticle p =
        Peers.started(
            vertx,
            "p",
            Files.createDirectories(tmp.resolve("p")),
            List.of(),
            new JsonObject().put("api_token", TOKEN));
    String path = "/doctor?url=" + enc("http://127.0.0.1:" + port);
    try {
      var first = withToken(p, path);
      var second = withToken(p, path);
      // Each run connects twice (its tcp step, then its http step, which then waits): both wait.
      Await.until(
          "both runs are at their http step", Duration.ofSeconds(20), () -> connections.get() >= 4);

      Http.Reply third = await(withToken(p, path));

      assertEquals(503, third.status(), third.text());
      assertEquals("busy", third.error());
      assertEquals("5", third.header("retry-after"));
      assertEquals(200, await(first).status());
      assertEquals(200, await(second).status());
      JsonObject report = await(second).json();
      assertEquals("fail", step(report, "http").getString("verdict"), report.encode());
    } finally {
      await(silent.close());
    }
  }

  boolean authenticated(PeerVerticle at, PeerVerticle peer) {
    for (Object o : http.getJson(at, "/peers").getJsonArray("table")) {
      JsonObject row = (JsonObject) o;
      if (row.getString("url").equals(peer.selfUrl()) && row.getBoolean("authenticated")) {
        return true;
      }
    }
    return false;
  }

  io.vertx.core.Future<Http.Reply> withToken(PeerVerticle p, String path) {
    return http.client()
        .get(p.restPort(), "127.0.0.1", path)
        .putHeader("authorization", "Bearer " + TOKEN)
        .send()
        .map(r -> new Http.Reply(r.statusCode(), r.headers(), r.body()));
  }

  record Run(int exit, String stdout, String stderr) {}

  Run cli(String... args) throws Exception {
    ProcessBuilder pb = new ProcessBuilder(MainProcess.command("64m", args));
    pb.environment().keySet().removeIf(k -> k.startsWith("PEER_"));
    Path out = Files.createTempFile(tmp, "out", ".txt");
    Path err = Files.createTempFile(tmp, "err", ".txt");
    Process p = pb.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
    try {
      assertTrue(p.waitFor(90, TimeUnit.SECONDS), "the command is bounded");
    } finally {
      p.destroyForcibly();
    }
    return new Run(p.exitValue(), Files.readString(out), Files.readString(err));
  }

  static void signal(String sig, String pid) throws Exception {
    Process kill = new ProcessBuilder("kill", sig, pid).inheritIO().start();
    assertTrue(kill.waitFor(10, TimeUnit.SECONDS));
    assertEquals(0, kill.exitValue(), "kill " + sig + " " + pid);
  }

  static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }
}
