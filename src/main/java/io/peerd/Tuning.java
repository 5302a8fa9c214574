package io.peerd;

/**
 * Settings of the libraries that are made in code, so that the plain {@code java -jar peer.jar}
 * gets them without flags. System properties, set before the first Netty class is loaded (Netty
 * reads them once, in static initialisers); one given with {@code -D} is left as it is.
 */
final class Tuning {

  private Tuning() {}

  static void apply() {
    // Netty 4.2 registers JFR events for its allocator at the first buffer: on JDK 17 that took
    // 100-130 ms of the first request (JFR's event classes are generated then). A recording that
    // needs them can ask with -Dio.netty.jfr.enabled=true.
    setIfAbsent("io.netty.jfr.enabled", "false");
  }

  private static void setIfAbsent(String key, String value) {
    if (System.getProperty(key) == null) {
      System.setProperty(key, value);
    }
  }
}
