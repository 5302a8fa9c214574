package io.peerd.cli;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The daemon's start-up runs mostly on one thread (main, then one event loop) while the machine has
 * more cores. This thread loads, meanwhile and in the order the start-up asks for them, the classes
 * it will need (the list {@code bench/preload-list.sh} records), then does what is independent of
 * everything else, once the main thread has set logging up: SQLite's native library (copied out of
 * the jar and loaded) and the JDK's Ed25519, X.509 and TLS set-up that the identity and the secure
 * port use.
 *
 * <p>Classes are loaded, not initialised ({@code Class.forName(name, false, loader)}): no static
 * initialiser runs here, so no order of initialisation can change and none can deadlock against the
 * start-up's. The rest is idempotent and guarded by its own locks: whichever thread gets there
 * first does it. A name the list has and the jar no longer has is skipped.
 */
final class Preload {

  static final String LIST = "META-INF/peerd/preload.txt";

  private static final CountDownLatch LOGGING = new CountDownLatch(1);

  private Preload() {}

  /** Starts the thread (the daemon's start, once). */
  static void start() {
    Thread t = new Thread(Preload::run, "peer-preload");
    t.setDaemon(true);
    t.start();
  }

  /** The main thread has set logback up (the daemon's first logger did). */
  static void loggingReady() {
    LOGGING.countDown();
  }

  private static void run() {
    ClassLoader app = Preload.class.getClassLoader();
    // An AOT or CDS cache has loaded them already; the lookups would only take CPU from the start.
    boolean list = !"false".equals(System.getProperty("peerd.preload.classes"));
    try (InputStream in = list ? app.getResourceAsStream(LIST) : null) {
      if (in != null) {
        BufferedReader lines =
            new BufferedReader(new InputStreamReader(in, StandardCharsets.US_ASCII));
        for (String line = lines.readLine(); line != null; line = lines.readLine()) {
          String name = line;
          quietly(() -> Class.forName(name, false, app));
        }
      }
    } catch (Exception e) {
      // nothing: the start-up loads what it needs itself
    }
    // SQLite's loader logs through SLF4J: asked before the main thread has set logback up, SLF4J
    // would hand out stand-in loggers and print a warning about them.
    quietly(() -> LOGGING.await(10, TimeUnit.SECONDS));
    quietly(org.sqlite.SQLiteJDBCLoader::initialize);
    quietly(
        () -> {
          java.security.KeyFactory.getInstance("Ed25519");
          java.security.Signature.getInstance("Ed25519");
          java.security.cert.CertificateFactory.getInstance("X.509");
          return javax.net.ssl.SSLContext.getInstance("TLS");
        });
  }

  /** A failure here is met again, and reported, where the start-up does the same thing. */
  private static void quietly(java.util.concurrent.Callable<?> task) {
    try {
      task.call();
    } catch (Exception | LinkageError e) {
      // nothing: see above
    }
  }
}
