package io.peerd.api;

import io.peerd.config.PeerConfig;
import io.peerd.http.Exchange;
import io.peerd.search.LoopDelay;
import io.peerd.wire.JsonText;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.RoutingContext;
import java.util.LinkedHashMap;

/**
 * Admission control: how much costly work of each kind may run at once. Work over its bound is
 * refused at once, with 503, {@code Retry-After} and {@code {"error":"overloaded"}}, before it
 * costs anything. Without it, a peer driven past what it can do queues every request: each answer
 * then comes later than its caller waits for, so the peer does a great deal of work that nobody
 * reads, and {@code /health} waits behind it all. With it, the work that is admitted runs at full
 * speed, and the rest is told to come back.
 *
 * <p>Work in flight is not enough of a bound alone: under 10x load a peer at its bounds still fell
 * 100-700 ms behind, because every request it reads costs something and they all wait in one loop.
 * So the same work is also refused while the loop runs later than {@code max_loop_delay_ms} ({@link
 * LoopDelay}): refusing is cheap, so the backlog drains at once, and {@code /health}, which is
 * never refused, waits behind little.
 *
 * <p>Queries forwarded by neighbours have their own, smaller bound: a neighbour's flood must not
 * take the places of the people searching here. A neighbour that is refused leaves this peer out of
 * its searches for the {@code Retry-After} given, twice as long after each refusal in a row,
 * without marking it failed: busy is not down.
 *
 * <p>Event-loop confined: the router of one verticle.
 */
final class Admission {

  enum Kind {
    SEARCH("search"),
    FORWARDED("forwarded"),
    FILE("file");

    final String wire;

    Kind(String wire) {
      this.wire = wire;
    }
  }

  /** What a caller refused for overload is told to wait: about how long a search lasts. */
  static final int RETRY_AFTER_SECONDS = 1;

  private final int[] limit = new int[Kind.values().length];
  private final int[] running = new int[Kind.values().length];
  private final long[] admitted = new long[Kind.values().length];
  private final long[] shed = new long[Kind.values().length];
  private final LoopDelay loop;
  private final long maxDelayMillis;
  private long shedLate;

  /**
   * When the last gated request came, while the loop was late (0 otherwise). A late loop sheds only
   * a request that came within that lateness of another: one that waited behind other work. A lone
   * client of a cold JVM, whose every request takes tens of ms by itself, keeps the loop as late
   * with no queue at all, and must not be refused.
   */
  private long lastArrival;

  Admission(PeerConfig.Limits limits, LoopDelay loop) {
    this.loop = loop;
    this.maxDelayMillis = limits.loopDelay().toMillis();
    limit[Kind.SEARCH.ordinal()] = limits.searchesInFlight();
    limit[Kind.FORWARDED.ordinal()] = limits.forwardedInFlight();
    limit[Kind.FILE.ordinal()] = limits.fileRequestsInFlight();
  }

  /** {@code peer_requests_shed_total{kind}}, read at each scrape (on this same event loop). */
  void meter(io.peerd.metrics.Metrics metrics) {
    for (Kind kind : Kind.values()) {
      metrics.counter(
          "peer_requests_shed_total",
          "requests refused with 503 overloaded, by kind of work",
          this,
          a -> a.shed(kind),
          "kind",
          kind.wire);
    }
    metrics.gauge(
        "peer_event_loop_delay_seconds",
        "how late the peer's event loop runs now (what max_loop_delay_ms bounds)",
        loop,
        l -> l.behindMillis() / 1000.0);
  }

  /** The gate of {@code /search}: a query that names {@code from} was forwarded by a neighbour. */
  void searches(RoutingContext ctx) {
    enter(ctx, ctx.request().getParam("from") == null ? Kind.SEARCH : Kind.FORWARDED);
  }

  /** The gate of file answers; a HEAD moves no file and is let through. */
  void files(RoutingContext ctx) {
    if (ctx.request().method() == HttpMethod.HEAD) {
      ctx.next();
      return;
    }
    enter(ctx, Kind.FILE);
  }

  private void enter(RoutingContext ctx, Kind kind) {
    int k = kind.ordinal();
    if (running[k] >= limit[k]) {
      throw refused(
          ctx,
          k,
          "this peer is at its bound of " + limit[k] + " " + kind.wire + " requests at once");
    }
    String ranged = kind == Kind.FILE ? rangedHost(ctx) : null;
    Serving downloader = ranged == null ? null : downloaders.get(ranged);
    long late = maxDelayMillis > 0 ? loop.behindMillis() : 0;
    long now = late > maxDelayMillis ? System.nanoTime() : 0;
    if (late > maxDelayMillis
        && now - lastArrival < late * 1_000_000
        && (downloader == null || !downloader.continuing(now))) {
      lastArrival = now;
      shedLate++;
      throw refused(ctx, k, "this peer is " + late + " ms behind its work");
    }
    lastArrival = now;
    running[k]++;
    admitted[k]++;
    if (downloader != null) {
      downloader.running++;
    }
    // However it ends: answered, failed, its connection closed, or a failed sendFile (Exchange).
    Exchange.onEnd(
        ctx,
        () -> {
          running[k]--;
          long sent = ctx.response().bytesWritten();
          if (downloader != null) {
            downloader.ended(sent, System.nanoTime());
          } else if (ranged != null && sent >= BIG_RANGE) {
            // Noted only once it was sent a range worth continuing: a flood of small ranges
            // from new addresses makes no entries.
            downloaders.sent(ranged, sent, System.nanoTime());
          }
        });
    ctx.next();
  }

  /**
   * A host that fetches byte ranges of files here: a swarm download asks each source for a run of 1
   * MiB ranges, a few at a time, each a request of its own. A peer serving a fast download runs its
   * loop later than the bound by the serving itself (over a secure port, each range is also
   * encrypted on the loop), and refusing the next range of a transfer it is in the middle of only
   * made the download slower: 116 of 613 ranges refused in one 512 MiB download from three loopback
   * sources, each refused source then waiting a second. So, as a BitTorrent peer keeps serving the
   * peers it unchoked rather than deciding again at every request, a host that was sent a range of
   * at least {@link #BIG_RANGE} bytes less than {@link #CONTINUING_MS} ago is not refused for a
   * late loop while it has fewer than {@link #CONTINUING_PER_HOST} ranges running: the swarm's
   * requests per source, and a bound on what one host brings in that way. Small requests, ranged or
   * not, are what a flood is made of, and are shed as before; so is a download's first range. The
   * in-flight bound holds for all.
   */
  static final long CONTINUING_MS = 5_000;

  static final int CONTINUING_PER_HOST = 8;

  /** A piece's worth: what a swarm asks at the least of a file larger than one piece. */
  static final long BIG_RANGE = 256 * 1024;

  /** Hosts remembered at once ({@link Downloaders}). */
  static final int MAX_DOWNLOADERS = 1024;

  static final class Serving {
    int running;
    boolean sentBig;
    long bigNanos;

    void ended(long bytes, long now) {
      running--;
      sent(bytes, now);
    }

    void sent(long bytes, long now) {
      if (bytes >= BIG_RANGE) {
        sentBig = true;
        bigNanos = now;
      }
    }

    boolean continuing(long now) {
      return sentBig && running < CONTINUING_PER_HOST && now - bigNanos < CONTINUING_MS * 1_000_000;
    }
  }

  /** Hosts sent a range worth continuing, at most {@code max}: bounded, on the event loop. */
  static final class Downloaders {
    private final int max;
    private final LinkedHashMap<String, Serving> byHost = new LinkedHashMap<>(64, 0.75f, true);

    Downloaders(int max) {
      this.max = max;
    }

    Serving get(String host) {
      return byHost.get(host);
    }

    /**
     * {@code host} was sent {@code bytes} in one answer. Past the bound, the least recently seen
     * host with no range running here is forgotten (a running one's count must stay right; there
     * are at most as many of those as file requests in flight).
     */
    void sent(String host, long bytes, long now) {
      byHost.computeIfAbsent(host, h -> new Serving()).sent(bytes, now);
      if (byHost.size() > max) {
        for (var it = byHost.values().iterator(); it.hasNext(); ) {
          if (it.next().running == 0) {
            it.remove();
            return;
          }
        }
      }
    }

    int size() {
      return byHost.size();
    }
  }

  private final Downloaders downloaders = new Downloaders(MAX_DOWNLOADERS);

  /** The asking host when this is a ranged file request, else null. */
  private static String rangedHost(RoutingContext ctx) {
    if (ctx.request().getHeader("Range") == null || ctx.request().remoteAddress() == null) {
      return null;
    }
    return ctx.request().remoteAddress().hostAddress();
  }

  private BadRequest refused(RoutingContext ctx, int k, String why) {
    shed[k]++;
    ctx.response().putHeader(HttpHeaders.RETRY_AFTER, String.valueOf(RETRY_AFTER_SECONDS));
    return new BadRequest(503, "overloaded", why + ": retry in " + RETRY_AFTER_SECONDS + " s");
  }

  int running(Kind kind) {
    return running[kind.ordinal()];
  }

  long shed(Kind kind) {
    return shed[kind.ordinal()];
  }

  /** For /status: per kind, what runs now, its bound, and what was admitted and shed so far. */
  void write(JsonText w) {
    w.key("load").beginObject();
    for (Kind kind : Kind.values()) {
      int k = kind.ordinal();
      w.key(kind.wire)
          .beginObject()
          .field("running", running[k])
          .field("limit", limit[k])
          .field("admitted", admitted[k])
          .field("shed", shed[k])
          .endObject();
    }
    w.key("loop")
        .beginObject()
        .field("delay_ms", loop.behindMillis())
        .field("limit_ms", maxDelayMillis)
        .field("shed", shedLate)
        .endObject();
    w.endObject();
  }
}
