package io.peerd.doctor;

import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;
import java.util.Locale;

/**
 * The usual causes of each kind of failure, in the words a person can act on: what curl -v or nc
 * would show, and what it usually means.
 */
final class Hints {

  static final String REFUSED =
      "refused: nothing is listening there (the peer is not running, or listens on another port or"
          + " address: check its rest_port and ip), or a firewall rejects the connection";
  static final String DROPPED =
      "no answer to the connection: packets are being dropped on the way (a firewall DROP rule, a"
          + " NAT or router without a port forward, or a wrong address)";
  static final String UNREACHABLE =
      "no route to that address: the host is down, or its network cannot be reached from here";
  static final String STOPPED =
      "connected, but no HTTP answer: the process is stopped (SIGSTOP, a debugger, swapped out) or"
          + " overloaded; the kernel still accepts connections for it";
  static final String SLOW =
      "no answer in time: the peer is overloaded, or the link is very slow or lossy";
  static final String CLOSED =
      "the connection was closed without an answer: not an HTTP server on this port, a TLS port"
          + " asked over plain http (use its https URL), or a proxy cut it";
  static final String TLS =
      "the TLS handshake failed: not the peer's secure port (its /health names its secure_url), or"
          + " it offers no TLS 1.3";
  static final String ID_MISMATCH =
      "the certificate is another peer's: a different peer answers at this address (it moved, or"
          + " an impostor), or that peer rotated its identity (`peer.jar id --rotate`); pin a new id"
          + " only when its operator confirms it";
  static final String RATE_LIMITED =
      "rate limited: this peer's requests_per_minute for your address is spent; wait for"
          + " Retry-After and try again";
  static final String TOKEN =
      "the peer wants its api_token: pass --token (or PEER_API_TOKEN), or the token the page asks"
          + " for";
  static final String NOT_A_PEER =
      "the answer is not a peer's: another server, a proxy, or a web page answers at this URL";

  private Hints() {}

  /** The hint for a failure of {@code step} that the step did not explain itself. */
  static String of(String step, Throwable err) {
    if (err instanceof Failure f) {
      return f.hint;
    }
    if (err instanceof StepTimeout || isTimeout(err)) {
      return switch (step) {
        case "dns" ->
            "the resolver did not answer in time: check the DNS servers in /etc/resolv.conf";
        case "tcp" -> DROPPED;
        case "http" -> STOPPED;
        default -> SLOW;
      };
    }
    if (err instanceof UnknownHostException) {
      return "the name does not resolve: check its spelling, the DNS server, or /etc/hosts";
    }
    if (err instanceof NoRouteToHostException || message(err).contains("unreachable")) {
      return UNREACHABLE;
    }
    if (err instanceof ConnectException || message(err).contains("refused")) {
      return REFUSED;
    }
    if (err instanceof javax.net.ssl.SSLException
        || err.getCause() instanceof javax.net.ssl.SSLException) {
      return TLS;
    }
    String m = message(err);
    if (m.contains("closed") || m.contains("reset") || m.contains("broken pipe")) {
      return CLOSED;
    }
    return "unexpected: " + err.getClass().getSimpleName();
  }

  /** What happened, in one line. */
  static String detail(Throwable err) {
    if (err instanceof UnknownHostException) {
      return "unknown host " + err.getMessage();
    }
    String m = err.getMessage();
    // Netty repeats the address ("Connection refused: /127.0.0.1:9"): the step names it already.
    return m == null || m.isBlank()
        ? err.getClass().getSimpleName()
        : m.replaceFirst(": [^ ]*/[0-9a-fA-F.:\\[\\]]+$", "");
  }

  /** Netty's connect timeout, or Vert.x's own future timeout. */
  static boolean isTimeout(Throwable err) {
    return err instanceof java.util.concurrent.TimeoutException
        || err.getClass().getSimpleName().contains("Timeout")
        || message(err).contains("timed out");
  }

  private static String message(Throwable err) {
    return err.getMessage() == null ? "" : err.getMessage().toLowerCase(Locale.ROOT);
  }

  /** A step's failure for an HTTP status other than the one it needed. */
  static Failure status(String what, int status, String retryAfter, String detail) {
    String said = what + " answered HTTP " + status + (detail == null ? "" : ": " + detail);
    return switch (status) {
      case 429 ->
          new Failure(
              said,
              RATE_LIMITED.replace(
                  "wait for Retry-After",
                  "wait " + (retryAfter == null ? "a minute" : retryAfter + " s")));
      case 401, 403 -> new Failure(said, TOKEN);
      case 404 -> new Failure(said, NOT_A_PEER + " (no such route: an old or foreign server)");
      case 502, 503, 504 ->
          new Failure(
              said, "a proxy or the peer itself is overloaded or cannot reach its back end");
      default ->
          new Failure(
              said,
              status >= 500
                  ? "the peer failed on its side: its log has the line with this error's id"
                  : NOT_A_PEER);
    };
  }
}
