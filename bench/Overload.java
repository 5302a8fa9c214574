// An open-loop load generator for bench/overload.sh: requests go out at a fixed rate whatever the
// answers do, as many independent clients send them (a closed-loop tool such as wrk slows down with
// the server, and so never overloads it). Latency counts from when a request was due, not from
// when it could be sent, so a generator that falls behind does not hide the server's queueing.
//
// java -cp target/peer.jar bench/Overload.java BASE_URL SECONDS MULTIPLIERS [CLIENTS [CONTROL]]
//   BASE_URL     the peer under load, e.g. http://127.0.0.1:18201
//   SECONDS      per phase
//   MULTIPLIERS  e.g. 1,2,5,10,1: phases at these multiples of the sustained rate
//   CLIENTS      source addresses 127.0.1.1 ... (default 16), each its own client
//   CONTROL      an idle server's /health (bench/Bare.java), asked beside the peer's: what any
//                process on this machine waits for the CPU under the same load, the floor
// First a closed-loop phase measures the sustained rate X: 32 requests always in flight, counting
// complete answers only. Then each phase sends MULTIPLIER * X requests/s, half searches (a
// different query each time, fanout 3: complete when all 3 peers answered) and half file requests
// (GET /files/{name} of a small shared file), while a separate client asks /health every 10 ms.
// Prints one Markdown row per phase.
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import java.net.URI;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

public class Overload {

  /** What the generator may have in flight: past it, a due request is counted as not sent. */
  static final int MAX_OUTSTANDING = 8192;

  static final long TIMEOUT_MS = 5_000;

  /** One phase's counts, touched only on the sender's event loop. */
  static final class Phase {
    long due, complete, partial, shed, limited, otherError, failed, notSent, late;
    final long[] lat = new long[4_000_000];
    int n;
    final long[] health = new long[100_000];
    int hn;
    long healthFailed;
    final long[] control = new long[100_000];
    int cn;
  }

  static HttpClient[] clients;
  static HttpClient healthClient;
  static HttpClient controlClient;
  static Vertx healthVertx;
  static String host;
  static int port;
  static URI control;
  static long outstanding;

  public static void main(String[] args) throws Exception {
    URI base = URI.create(args[0]);
    host = base.getHost();
    port = base.getPort();
    int seconds = Integer.parseInt(args[1]);
    double[] multipliers =
        Arrays.stream(args[2].split(",")).mapToDouble(Double::parseDouble).toArray();
    int nClients = args.length > 3 ? Integer.parseInt(args[3]) : 16;
    control = args.length > 4 ? URI.create(args[4]) : null;
    Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(2));
    clients = new HttpClient[nClients];
    for (int i = 0; i < nClients; i++) {
      clients[i] =
          vertx.createHttpClient(
              new HttpClientOptions()
                  .setLocalAddress("127.0.1." + (i + 1))
                  .setKeepAlive(true)
                  .setConnectTimeout(2_000),
              new PoolOptions().setHttp1MaxSize(32).setMaxWaitQueueSize(MAX_OUTSTANDING));
    }
    // /health is asked from a Vert.x of its own: on the generator's loops, its latency would be
    // the generator's own queueing at 10x as much as the peer's.
    healthVertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1));
    healthClient = probeClient("127.0.2.1");
    controlClient = probeClient("127.0.2.2");

    // JIT warm-up, gently first: cold neighbours that miss friend_timeout_ms are skipped until
    // their next probe, and the phases would then measure a peer searching only itself.
    calibrate(vertx, 10, 2);
    calibrate(vertx, 10, 16);
    reachAll(base);
    double x = calibrate(vertx, seconds, 32);
    System.out.printf(
        "Sustained rate X, closed loop with 32 requests in flight: %.0f complete answers/s%n%n", x);
    System.out.println(
        "| load | offered/s | complete/s | partial/s | shed 503/s | 429/s | other 5xx/s | failed/s |"
            + " not sent/s | p50 ms | p99 ms | /health p99 ms | /health max ms |"
            + (control == null ? "" : " idle server's /health p99 ms |"));
    System.out.println(
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|" + (control == null ? "" : "---|"));
    for (double m : multipliers) {
      reachAll(base);
      Phase p = run(vertx, m * x, seconds);
      print(m, seconds, p);
      // Between phases: the answers still in flight finish, and the peer's queues drain.
      Thread.sleep(3_000);
    }
    System.out.println();
    System.out.println("Why answers were partial (neighbour failures, counted): " + reasons);
    vertx.close().toCompletionStage().toCompletableFuture().get();
    healthVertx.close().toCompletionStage().toCompletableFuture().get();
  }

  /** One connection from its own address, on the health Vert.x. */
  static HttpClient probeClient(String localAddress) {
    return healthVertx.createHttpClient(
        new HttpClientOptions()
            .setLocalAddress(localAddress)
            .setKeepAlive(true)
            .setIdleTimeout((int) TIMEOUT_MS)
            .setIdleTimeoutUnit(java.util.concurrent.TimeUnit.MILLISECONDS),
        new PoolOptions().setHttp1MaxSize(1));
  }

  static String nextPath(boolean search) {
    int k = ThreadLocalRandom.current().nextInt(1, 1001);
    return search
        ? String.format("/search?query=doc-%04d&fanout=3", k)
        : String.format("/files/p1-doc-%04d.txt", k);
  }

  /** Sends one request; calls done with its status (0: it failed) and body. */
  static void send(
      HttpClient client, String path, java.util.function.BiConsumer<Integer, Buffer> done) {
    outstanding++;
    client
        .request(
            new RequestOptions()
                .setMethod(HttpMethod.GET)
                .setHost(host)
                .setPort(port)
                .setURI(path)
                .setIdleTimeout(TIMEOUT_MS))
        .compose(
            req ->
                req.send()
                    .compose(
                        resp -> {
                          boolean retryAfter = resp.getHeader("Retry-After") != null;
                          return resp.body()
                              .map(b -> new Object[] {resp.statusCode(), b, retryAfter});
                        }))
        .timeout(TIMEOUT_MS, java.util.concurrent.TimeUnit.MILLISECONDS)
        .onComplete(
            ar -> {
              outstanding--;
              if (ar.succeeded()) {
                Object[] r = ar.result();
                int status = (Integer) r[0];
                // A 503 without Retry-After is not shedding: it counts as another 5xx.
                done.accept(status == 503 && !(Boolean) r[2] ? 599 : status, (Buffer) r[1]);
              } else {
                done.accept(0, null);
              }
            });
  }

  /** Why answers were partial, over the whole run: the neighbours' failure reasons, counted. */
  static final java.util.Map<String, Long> reasons = new java.util.TreeMap<>();

  static final java.util.regex.Pattern REASON =
      java.util.regex.Pattern.compile("\"reason\":\"([^\"]{0,48})");

  static void tally(Buffer body) {
    if (body == null || reasons.size() > 50) {
      return;
    }
    java.util.regex.Matcher m = REASON.matcher(body.toString());
    while (m.find()) {
      reasons.merge(m.group(1).replaceAll("[0-9]+", "N"), 1L, Long::sum);
    }
  }

  static boolean complete(Buffer body) {
    return body != null && body.toString().contains("\"peers_answered\":3,");
  }

  /** Waits until a search reaches all three peers again (each phase starts from the same state). */
  static void reachAll(URI base) throws Exception {
    java.net.http.HttpClient c =
        java.net.http.HttpClient.newBuilder()
            .connectTimeout(java.time.Duration.ofSeconds(2))
            .build();
    for (int i = 0; i < 300; i++) {
      try {
        String body =
            c.send(
                    java.net.http.HttpRequest.newBuilder(
                            base.resolve("/search?query=doc-0042&fanout=3"))
                        .timeout(java.time.Duration.ofSeconds(5))
                        .build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString())
                .body();
        if (body.contains("\"peers_answered\":3,")) {
          return;
        }
      } catch (java.io.IOException e) {
        // not yet
      }
      Thread.sleep(200);
    }
    throw new IllegalStateException("the neighbours were not back within 60 s");
  }

  static double calibrate(Vertx vertx, int seconds, int inFlight) throws Exception {
    AtomicLong completeCount = new AtomicLong();
    long end = System.nanoTime() + seconds * 1_000_000_000L;
    CompletableFuture<Void> finished = new CompletableFuture<>();
    int[] running = {0};
    vertx.runOnContext(
        v -> {
          for (int i = 0; i < inFlight; i++) {
            running[0]++;
            loop(i, i, end, completeCount, running, finished, vertx);
          }
        });
    finished.get();
    return completeCount.get() / (double) seconds;
  }

  /**
   * One closed-loop lane: a search, then a file request, and so on, so that every lane is as slow
   * as the mix (lanes of one kind let the cheap kind alone set the rate). A refused request counts
   * nothing and the lane waits 5 ms, so that shedding cannot make the sustained rate look higher.
   */
  static void loop(
      int i,
      int n,
      long end,
      AtomicLong completeCount,
      int[] running,
      CompletableFuture<Void> finished,
      Vertx vertx) {
    if (System.nanoTime() > end) {
      if (--running[0] == 0) {
        finished.complete(null);
      }
      return;
    }
    boolean search = (n & 1) == 0;
    send(
        clients[i % clients.length],
        nextPath(search),
        (status, body) -> {
          if (status == 200 && (!search || complete(body))) {
            completeCount.incrementAndGet();
          }
          if (status == 200) {
            loop(i, n + 1, end, completeCount, running, finished, vertx);
          } else {
            vertx.setTimer(5, t -> loop(i, n + 1, end, completeCount, running, finished, vertx));
          }
        });
  }

  /**
   * Asks /health every 10 ms (one at a time) until {@code end}, on the health Vert.x; the phase's
   * health figures are read once {@code done} completes. The same for the idle control server, if
   * there is one, into {@code p.control}.
   */
  static void probe(Phase p, boolean ofControl, long end, CompletableFuture<Void> done) {
    long now = System.nanoTime();
    if (now >= end) {
      done.complete(null);
      return;
    }
    (ofControl ? controlClient : healthClient)
        .request(
            HttpMethod.GET,
            ofControl ? control.getPort() : port,
            ofControl ? control.getHost() : host,
            "/health")
        .compose(req -> req.send().compose(resp -> resp.body().map(b -> resp.statusCode())))
        .timeout(TIMEOUT_MS, java.util.concurrent.TimeUnit.MILLISECONDS)
        .onComplete(
            ar -> {
              long micros = (System.nanoTime() - now) / 1000;
              if (ar.succeeded() && ar.result() == 200 && ofControl) {
                if (p.cn < p.control.length) {
                  p.control[p.cn++] = micros;
                }
              } else if (ar.succeeded() && ar.result() == 200) {
                if (p.hn < p.health.length) {
                  p.health[p.hn++] = micros;
                }
              } else {
                p.healthFailed++;
              }
              long next = Math.max(1, (now + 10_000_000L - System.nanoTime()) / 1_000_000);
              healthVertx.setTimer(next, t -> probe(p, ofControl, end, done));
            });
  }

  static Phase run(Vertx vertx, double rate, int seconds) throws Exception {
    Phase p = new Phase();
    CompletableFuture<Void> probed = new CompletableFuture<>();
    long probeEnd = System.nanoTime() + seconds * 1_000_000_000L;
    healthVertx.runOnContext(v -> probe(p, false, probeEnd, probed));
    CompletableFuture<Void> controlProbed = new CompletableFuture<>();
    if (control == null) {
      controlProbed.complete(null);
    } else {
      healthVertx.runOnContext(v -> probe(p, true, probeEnd, controlProbed));
    }
    CompletableFuture<Void> finished = new CompletableFuture<>();
    vertx.runOnContext(
        v -> {
          long start = System.nanoTime();
          long end = start + seconds * 1_000_000_000L;
          long[] sent = {0};
          vertx.setPeriodic(
              1,
              id -> {
                long now = System.nanoTime();
                if (now >= end) {
                  vertx.cancelTimer(id);
                  // Answers still due are awaited up to the client timeout.
                  vertx.setTimer(TIMEOUT_MS + 500, t -> finished.complete(null));
                  return;
                }
                long dueNow = (long) ((now - start) / 1e9 * rate);
                while (sent[0] < dueNow) {
                  long scheduled = start + (long) (sent[0] / rate * 1e9);
                  boolean search = (sent[0] & 1) == 0;
                  HttpClient c = clients[(int) (sent[0] % clients.length)];
                  sent[0]++;
                  p.due++;
                  if (outstanding >= MAX_OUTSTANDING) {
                    p.notSent++;
                    continue;
                  }
                  send(
                      c,
                      nextPath(search),
                      (status, body) -> {
                        long us = (System.nanoTime() - scheduled) / 1000;
                        switch (status) {
                          case 200 -> {
                            if (search && !complete(body)) {
                              p.partial++;
                              tally(body);
                            } else {
                              p.complete++;
                              if (p.n < p.lat.length) {
                                p.lat[p.n++] = us;
                              }
                            }
                          }
                          case 503 -> p.shed++;
                          case 429 -> p.limited++;
                          case 0 -> p.failed++;
                          default -> {
                            if (status >= 500) {
                              p.otherError++;
                            } else {
                              p.failed++;
                            }
                          }
                        }
                      });
                }
              });
        });
    finished.get();
    probed.get();
    controlProbed.get();
    return p;
  }

  static double pct(long[] a, int n, double q) {
    if (n == 0) {
      return Double.NaN;
    }
    long[] s = Arrays.copyOf(a, n);
    Arrays.sort(s);
    return s[Math.min(n - 1, (int) Math.ceil(q * n) - 1)] / 1000.0;
  }

  static void print(double m, int seconds, Phase p) {
    double s = seconds;
    System.out.printf(
        "| %sx | %.0f | %.0f | %.0f | %.0f | %.0f | %.0f | %.0f | %.0f | %.1f | %.1f | %.1f | %.1f |%s%n",
        m == Math.rint(m) ? String.valueOf((long) m) : String.valueOf(m),
        p.due / s,
        p.complete / s,
        p.partial / s,
        p.shed / s,
        p.limited / s,
        p.otherError / s,
        p.failed / s,
        p.notSent / s,
        pct(p.lat, p.n, 0.50),
        pct(p.lat, p.n, 0.99),
        pct(p.health, p.hn, 0.99),
        pct(p.health, p.hn, 1.0),
        control == null ? "" : String.format(" %.1f |", pct(p.control, p.cn, 0.99)));
  }
}
