package io.peerd.discovery;

import io.peerd.Monotonic;
import io.peerd.identity.PeerId;
import io.peerd.peers.PeerUrl;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.datagram.DatagramPacket;
import io.vertx.core.datagram.DatagramSocket;
import io.vertx.core.datagram.DatagramSocketOptions;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InterfaceAddress;
import java.net.NetworkInterface;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Syncthing's local discovery for peers: an {@link Announcement} at start and every {@code
 * announce} period to each IPv4 segment's broadcast address and to the IPv6 link-local group {@link
 * #GROUP}, one sending socket per interface; what is heard is kept {@code entryTtl} (90 s), and a
 * URL not yet in the peer table is added once the {@link Verifier} has checked it. Owned by the
 * verticle and touched only on its event loop; interface enumeration runs on a worker, it blocks.
 *
 * <p>Nothing a packet says is believed before verification, and a flood costs a counter: each
 * sender address has a token bucket (a bounded map of senders), the cache is bounded, at most
 * {@code maxVerifying} checks run at once and a URL (with an id) is checked at most once per {@code
 * reverify}.
 */
public final class LocalDiscovery {

  private static final org.slf4j.Logger LOG =
      org.slf4j.LoggerFactory.getLogger(LocalDiscovery.class);

  /**
   * The IPv6 group: transient (flag 1), link-local scope (2); Syncthing's is ff12::8384, ours its
   * own so neither hears the other's packets.
   */
  public static final String GROUP = "ff12::7064";

  /** Checks that a heard URL is a peer, and (with an id) that its secure port proves the id. */
  public interface Verifier {
    /**
     * Fails with {@link Refused} when the URL is not the peer the announcement says, with anything
     * else when it could not be asked (tried once more a little later).
     */
    Future<Verified> verify(String url, PeerId id);
  }

  /** The peer answered, and is not the one announced (another id, or none): final, not retried. */
  public static final class Refused extends IllegalStateException {
    public Refused(String why) {
      super(why);
    }
  }

  /** A URL that passed: its id and secure URL when it has one, the round trip of its /health. */
  public record Verified(String url, PeerId id, String secureUrl, long rttMs) {}

  /** The peer table as this package sees it. */
  public interface Table {
    boolean knows(String url);

    /**
     * @return whether it was added (false: full, or it came in meanwhile)
     */
    boolean add(Verified peer);
  }

  /** Where failures an operator must see go ({@code /status} {@code problems}). */
  public interface Problems {
    void set(String area, String text);

    void clear(String area);
  }

  /** Where announcements go: the segments' broadcast addresses and the IPv6 group by default. */
  public interface Targets {
    Future<List<Target>> list();
  }

  /**
   * One destination.
   *
   * @param bind the local address the sending socket binds (IPv4: the interface's own, so the
   *     packet leaves there with it as its source), or null for the wildcard
   * @param iface the interface an IPv6 packet leaves by, or null
   */
  public record Target(
      String key, String bind, String iface, boolean ipv6, String host, int port) {}

  /**
   * Timers and bounds.
   *
   * @param packetsPerSecond token refill per sender; {@code burst} tokens at most
   */
  public record Settings(
      int port,
      long announceMillis,
      long entryTtlMillis,
      int maxSenders,
      int maxEntries,
      int maxVerifying,
      long reverifyMillis,
      double packetsPerSecond,
      int burst,
      long verifyTimeoutMillis) {
    public static Settings defaults(int port) {
      return new Settings(port, 30_000, 90_000, 1024, 1024, 4, 10_000, 1, 10, 10_000);
    }

    public Settings withAnnounce(long millis) {
      return new Settings(
          port,
          millis,
          entryTtlMillis,
          maxSenders,
          maxEntries,
          maxVerifying,
          reverifyMillis,
          packetsPerSecond,
          burst,
          verifyTimeoutMillis);
    }
  }

  /** What was heard, by URL. */
  public record Entry(PeerId id, long instance, long expiresMillis) {}

  /** Counters since start. */
  public record Stats(
      long heard,
      long invalid,
      long rateLimited,
      long own,
      long added,
      long verifyFailed,
      long verifyBusy,
      long sent,
      long sendFailures,
      int cached) {}

  private final Vertx vertx;
  private final Settings settings;
  private final Supplier<Announcement> self;
  private final Verifier verifier;
  private final Table table;
  private final Problems problems;
  private final Targets targets;

  private DatagramSocket receiver4;
  private DatagramSocket receiver6;
  private Future<DatagramSocket> receiver6Bound;
  private int boundPort = -1;
  private final Set<String> joined = new HashSet<>();
  private final Map<String, Future<DatagramSocket>> senders = new HashMap<>();
  private long timer = -1;
  private boolean closed;
  private long lastTriggered;
  private long pendingTrigger = -1;
  private int retries;

  /** Token buckets by sender address: {tokens, last refill}. */
  private final Map<String, double[]> buckets;

  private final Map<String, Entry> cache;

  /** When each URL and id was last verified, for {@code reverify}. */
  private final Map<String, Long> attempted;

  private int verifying;

  private long heard;
  private long invalid;
  private long rateLimited;
  private long own;
  private long added;
  private long verifyFailed;
  private long verifyBusy;
  private long sent;
  private long sendFailures;
  private final Map<Announcement.Problem, Long> invalidBy =
      new java.util.EnumMap<>(Announcement.Problem.class);

  /**
   * @param self what to announce, asked at each round (the URLs are known once the ports are)
   * @param targets null: every up, non-loopback interface's broadcast address and the IPv6 group
   */
  public LocalDiscovery(
      Vertx vertx,
      Settings settings,
      Supplier<Announcement> self,
      Verifier verifier,
      Table table,
      Problems problems,
      Targets targets) {
    this.vertx = vertx;
    this.settings = settings;
    this.self = self;
    this.verifier = verifier;
    this.table = table;
    this.problems = problems;
    this.targets = targets != null ? targets : this::interfaces;
    this.buckets = lru(settings.maxSenders);
    this.cache = lru(settings.maxEntries);
    this.attempted = lru(settings.maxEntries);
  }

  private static <V> Map<String, V> lru(int cap) {
    return new LinkedHashMap<>(16, 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<String, V> e) {
        return size() > cap;
      }
    };
  }

  /**
   * Binds the receiving sockets, announces, and starts the timer. A socket that cannot bind (port
   * in use without address reuse, no permission) is a problem in {@code /status}, never a failed
   * start: the peer works without discovery.
   */
  public Future<Void> start() {
    DatagramSocketOptions v4 = new DatagramSocketOptions().setBroadcast(true).setReuseAddress(true);
    receiver4 = vertx.createDatagramSocket(v4).handler(this::onPacket);
    Future<Void> bound =
        receiver4
            .listen(settings.port, "0.0.0.0")
            .onSuccess(
                s -> {
                  boundPort = s.localAddress().port();
                  problems.clear("discovery");
                })
            .<Void>mapEmpty()
            .recover(
                err -> {
                  problems.set(
                      "discovery",
                      "cannot listen on UDP 0.0.0.0:" + settings.port + ": " + reason(err));
                  return Future.succeededFuture();
                });
    return bound.compose(v -> round()).onComplete(v -> schedule());
  }

  private void schedule() {
    if (!closed) {
      timer = vertx.setPeriodic(settings.announceMillis, t -> round());
    }
  }

  /** The port the IPv4 socket listens on (tests bind port 0 and send to it by unicast). */
  public int port() {
    return boundPort; // an unbound socket's localAddress() throws
  }

  /** One announcement round: re-enumerates the interfaces (new ones get sockets) and sends. */
  public Future<Void> round() {
    if (closed) {
      return Future.succeededFuture();
    }
    long now = Monotonic.millis();
    cache.values().removeIf(e -> e.expiresMillis() <= now);
    Buffer packet;
    try {
      packet = Buffer.buffer(self.get().encode());
    } catch (IllegalArgumentException e) {
      // This peer's own URL does not fit the format: nothing to announce, said once in /status.
      problems.set("discovery send", "cannot announce this peer: " + e.getMessage());
      return Future.succeededFuture();
    }
    return targets
        .list()
        .compose(
            list -> {
              if (closed) {
                // Closed while the interfaces were listed: no socket may be made after close.
                return Future.succeededFuture();
              }
              joinGroups(list);
              Set<String> keys = new HashSet<>();
              List<Future<Void>> sends = new ArrayList<>();
              for (Target t : list) {
                keys.add(t.key());
                sends.add(send(t, packet));
              }
              // Sockets of interfaces that went away are closed.
              senders
                  .entrySet()
                  .removeIf(
                      e -> {
                        if (!keys.contains(e.getKey())) {
                          e.getValue().onSuccess(DatagramSocket::close);
                          return true;
                        }
                        return false;
                      });
              return Future.join(sends)
                  .<Void>mapEmpty()
                  .recover(
                      err -> {
                        problems.set("discovery send", reason(err));
                        return Future.succeededFuture();
                      })
                  .onSuccess(
                      v -> {
                        if (sends.stream().allMatch(Future::succeeded)) {
                          problems.clear("discovery send");
                        }
                      });
            })
        .recover(
            err -> {
              problems.set("discovery send", "cannot list network interfaces: " + reason(err));
              return Future.succeededFuture();
            });
  }

  private Future<Void> send(Target t, Buffer packet) {
    Future<DatagramSocket> socket =
        senders.computeIfAbsent(
            t.key(),
            k -> {
              DatagramSocketOptions o =
                  new DatagramSocketOptions().setBroadcast(!t.ipv6()).setIpV6(t.ipv6());
              if (t.ipv6() && t.iface() != null) {
                o.setMulticastNetworkInterface(t.iface());
              }
              DatagramSocket s = vertx.createDatagramSocket(o);
              return t.bind() == null ? Future.succeededFuture(s) : s.listen(0, t.bind());
            });
    return socket
        .compose(s -> s.send(packet, t.port(), t.host()))
        .timeout(2, TimeUnit.SECONDS)
        .onSuccess(v -> sent++)
        .onFailure(
            err -> {
              sendFailures++;
              senders.remove(t.key()); // made again next round
              socket.onSuccess(DatagramSocket::close);
            });
  }

  /** The IPv6 receiving socket joins the group on every interface that has IPv6. */
  private void joinGroups(List<Target> list) {
    for (Target t : list) {
      if (!t.ipv6() || t.iface() == null || joined.contains(t.iface())) {
        continue;
      }
      if (receiver6 == null) {
        receiver6 =
            vertx
                .createDatagramSocket(
                    new DatagramSocketOptions().setIpV6(true).setReuseAddress(true))
                // Dual-stack: IPv4 broadcasts reach this socket too (the JDK shows their mapped
                // senders as IPv4); the IPv4 socket has them already.
                .handler(
                    p -> {
                      if (p.sender().hostAddress().contains(":")) {
                        onPacket(p);
                      }
                    });
        receiver6Bound =
            receiver6
                .listen(settings.port, "::")
                .onFailure(
                    err ->
                        problems.set(
                            "discovery ipv6",
                            "cannot listen on UDP [::]:" + settings.port + ": " + reason(err)));
      }
      String iface = t.iface();
      joined.add(iface);
      receiver6Bound
          .compose(r -> r.listenMulticastGroup(GROUP, iface, null))
          .onFailure(
              err -> {
                joined.remove(iface);
                problems.set(
                    "discovery ipv6", "cannot join " + GROUP + " on " + iface + ": " + reason(err));
              });
    }
  }

  void onPacket(DatagramPacket p) {
    if (closed) {
      return; // a datagram already read when the socket was closed
    }
    heard++;
    long now = Monotonic.millis();
    String from = p.sender().hostAddress();
    if (!allow(from, now)) {
      rateLimited++;
      return;
    }
    Announcement.Decoded d = Announcement.decode(p.data().getBytes());
    if (d.problem() != null) {
      invalid++;
      invalidBy.merge(d.problem(), 1L, Long::sum);
      LOG.debug("discovery: packet from {} ignored: {} ({})", from, d.problem(), d.detail());
      return;
    }
    Announcement a = d.announcement();
    Announcement me = self.get();
    if (a.instance() == me.instance() || (a.id() != null && a.id().equals(me.id()))) {
      own++;
      return;
    }
    boolean fresh = false;
    for (String raw : a.urls()) {
      String url = fromSender(raw, from);
      if (url == null) {
        continue;
      }
      Entry before = cache.get(url);
      cache.put(url, new Entry(a.id(), a.instance(), now + settings.entryTtlMillis));
      fresh |= before == null || before.instance() != a.instance();
      if (!table.knows(url)) {
        check(url, a.id(), now);
      }
    }
    if (fresh) {
      triggered(now);
    }
  }

  /**
   * A peer new here (or restarted) learns us at once, not at our next round (Syncthing does the
   * same); once a second at most, so that forged instances cannot make us a repeater. One heard
   * within that second is answered at its end, not dropped: peers starting together would miss each
   * other until the next round.
   */
  private void triggered(long now) {
    if (pendingTrigger >= 0) {
      return;
    }
    long wait = lastTriggered + 1000 - now;
    if (wait <= 0) {
      lastTriggered = now;
      round();
      return;
    }
    pendingTrigger =
        vertx.setTimer(
            wait,
            t -> {
              pendingTrigger = -1;
              lastTriggered = Monotonic.millis();
              round();
            });
  }

  /** The sender's address stands for a loopback or wildcard host: the URL of a default config. */
  static String fromSender(String url, String senderIp) {
    String host = PeerUrl.host(url);
    InetAddress addr = literal(host);
    if (addr == null || !(addr.isLoopbackAddress() || addr.isAnyLocalAddress())) {
      return url;
    }
    String h = senderIp.contains(":") ? "[" + senderIp.replaceAll("%.*", "") + "]" : senderIp;
    int port = java.net.URI.create(url).getPort();
    return PeerUrl.tryParse(url.substring(0, url.indexOf("://") + 3) + h + ":" + port);
  }

  /**
   * The address a host literal names, or null for a name. Never a lookup, since this runs on the
   * event loop for every packet: the JDK resolves whatever it cannot parse as a literal (a name of
   * hex letters such as "cafe", or "999.1.1.1"), so only a strict dotted quad, or a string with a
   * colon (which it parses as IPv6 or refuses, without asking DNS), reaches it.
   */
  static InetAddress literal(String host) {
    if (host == null || host.isEmpty()) {
      return null;
    }
    String h = host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
    if (!h.contains(":") && !dottedQuad(h)) {
      return null;
    }
    try {
      return InetAddress.getByName(h);
    } catch (java.net.UnknownHostException e) {
      return null;
    }
  }

  private static boolean dottedQuad(String h) {
    String[] parts = h.split("\\.", -1);
    if (parts.length != 4) {
      return false;
    }
    for (String part : parts) {
      // ASCII digits only: the JDK reads other scripts' digits too, and might then look it up.
      if (part.isEmpty()
          || part.length() > 3
          || !part.chars().allMatch(c -> c >= '0' && c <= '9')) {
        return false;
      }
      if (Integer.parseInt(part) > 255) {
        return false;
      }
    }
    return true;
  }

  private boolean allow(String sender, long now) {
    double[] b = buckets.get(sender);
    if (b == null) {
      b = new double[] {settings.burst, now};
      buckets.put(sender, b);
    }
    b[0] = Math.min(settings.burst, b[0] + (now - b[1]) * settings.packetsPerSecond / 1000.0);
    b[1] = now;
    if (b[0] < 1) {
      return false;
    }
    b[0] -= 1;
    return true;
  }

  private void check(String url, PeerId id, long now) {
    check(url, id, now, false);
  }

  private void check(String url, PeerId id, long now, boolean retry) {
    // By URL and id: a forged announcement of a real peer's URL with another id must not hold
    // back the true one.
    String key = url + " " + id;
    Long last = attempted.get(key);
    if (!retry && last != null && now - last < settings.reverifyMillis) {
      return;
    }
    if (verifying >= settings.maxVerifying) {
      verifyBusy++;
      return;
    }
    attempted.put(key, now);
    verifying++;
    verifier
        .verify(url, id)
        .timeout(settings.verifyTimeoutMillis, TimeUnit.MILLISECONDS)
        .onComplete(
            r -> {
              verifying--;
              if (closed) {
                return;
              }
              if (r.failed()) {
                verifyFailed++;
                LOG.debug("discovery: {} not added: {}", url, reason(r.cause()));
                if (!retry && !(r.cause() instanceof Refused)) {
                  retryLater(url, id);
                }
              } else if (table.add(r.result())) {
                added++;
                LOG.info(
                    "discovery: added {}{}",
                    url,
                    id == null ? "" : " (authenticated as " + id.shortForm() + "…)");
              }
            });
  }

  /**
   * A failed check is tried once more, {@link #RETRY_MILLIS} later, while the URL is still heard: a
   * peer that has just started may not answer in time (its first TLS handshakes took more than 2 s
   * on a loaded 2-core machine), and its next announcement is 30 s away. A few at a time, so that a
   * flood of forged URLs costs at most that many more checks.
   */
  private void retryLater(String url, PeerId id) {
    if (retries >= settings.maxVerifying * 4) {
      return;
    }
    retries++;
    vertx.setTimer(
        RETRY_MILLIS,
        t -> {
          retries--;
          Entry e = cache.get(url);
          if (!closed && e != null && java.util.Objects.equals(e.id(), id) && !table.knows(url)) {
            check(url, id, Monotonic.millis(), true);
          }
        });
  }

  static final long RETRY_MILLIS = 2000;

  public Stats stats() {
    return new Stats(
        heard,
        invalid,
        rateLimited,
        own,
        added,
        verifyFailed,
        verifyBusy,
        sent,
        sendFailures,
        cache.size());
  }

  /** Invalid packets by what was wrong with them. */
  public long invalid(Announcement.Problem problem) {
    return invalidBy.getOrDefault(problem, 0L);
  }

  /** What was heard and has not expired, by URL (a copy). */
  public Map<String, Entry> heard() {
    long now = Monotonic.millis();
    Map<String, Entry> out = new LinkedHashMap<>();
    // Iterating an access-ordered map with get() would reorder it: entrySet() does not.
    for (Map.Entry<String, Entry> e : cache.entrySet()) {
      if (e.getValue().expiresMillis() > now) {
        out.put(e.getKey(), e.getValue());
      }
    }
    return Collections.unmodifiableMap(out);
  }

  public Future<Void> close() {
    closed = true;
    vertx.cancelTimer(timer);
    vertx.cancelTimer(pendingTrigger);
    List<Future<Void>> all = new ArrayList<>();
    if (receiver4 != null) {
      all.add(receiver4.close());
    }
    if (receiver6 != null) {
      all.add(receiver6.close());
    }
    for (Future<DatagramSocket> s : senders.values()) {
      all.add(s.compose(DatagramSocket::close));
    }
    senders.clear();
    return Future.join(all).<Void>mapEmpty().otherwise((Void) null);
  }

  /**
   * Every up, non-loopback interface: its IPv4 addresses that have a broadcast address, and the
   * IPv6 group when it has a link-local address. On a worker: enumeration blocks.
   */
  private Future<List<Target>> interfaces() {
    int port = settings.port;
    if (port == 0) {
      return Future.succeededFuture(List.of()); // nobody listens on port 0: unicast only (tests)
    }
    return vertx.executeBlocking(
        () -> {
          List<Target> out = new ArrayList<>();
          for (NetworkInterface ni : Collections.list(NetworkInterface.getNetworkInterfaces())) {
            if (!ni.isUp() || ni.isLoopback() || out.size() >= 64) {
              continue;
            }
            boolean v6 = false;
            for (InterfaceAddress ia : ni.getInterfaceAddresses()) {
              InetAddress a = ia.getAddress();
              if (a instanceof Inet4Address && ia.getBroadcast() != null) {
                String bind = a.getHostAddress();
                String bcast = ia.getBroadcast().getHostAddress();
                out.add(
                    new Target("4 " + bind + " " + bcast, bind, ni.getName(), false, bcast, port));
              } else if (a instanceof Inet6Address a6 && a6.isLinkLocalAddress()) {
                v6 = true;
              }
            }
            if (v6 && ni.supportsMulticast()) {
              out.add(new Target("6 " + ni.getName(), null, ni.getName(), true, GROUP, port));
            }
          }
          return out;
        },
        false);
  }

  private static String reason(Throwable err) {
    return err.getMessage() == null ? err.getClass().getSimpleName() : err.getMessage();
  }
}
