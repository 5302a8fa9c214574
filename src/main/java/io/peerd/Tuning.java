package io.peerd;

/**
 * Settings of the libraries that are made in code, so that the plain {@code java -jar peer.jar}
 * gets them without flags. System properties, set before the first Netty class is loaded (Netty
 * reads them once, in static initialisers); one given with {@code -D} is left as it is.
 */
public final class Tuning {

  private Tuning() {}

  static void apply() {
    // Netty 4.2 registers JFR events for its allocator at the first buffer: on JDK 17 that took
    // 100-130 ms of the first request (JFR's event classes are generated then). A recording that
    // needs them can ask with -Dio.netty.jfr.enabled=true.
    setIfAbsent("io.netty.jfr.enabled", "false");
    // One arena each for Netty's pooled allocator, as the image's flags had them (measured in
    // docs/performance.md): with one per core, each held chunks of its own.
    setIfAbsent("io.netty.allocator.numDirectArenas", "1");
    setIfAbsent("io.netty.allocator.numHeapArenas", "1");
  }

  /**
   * With G1 (JDK 17's default on two cores and more) and no flags, the heap starts at 1/64 of the
   * machine's memory and keeps what the start-up touched: 118-124 MiB resident at idle, 80 MiB of
   * heap committed for 17 MiB live. G1 gives committed heap back only after a full collection or a
   * concurrent cycle's remark, down to MaxHeapFreeRatio free: so at most 30 % free, one full
   * collection now (17 MiB live: about 20 ms, once, seconds after the start), and G1's periodic
   * collections (JEP 346) when idle 5 s afterwards. The flags are manageable, set through the
   * HotSpot MXBean; one given on the command line, or another GC, is left alone. Call it off the
   * start-up path: the management classes cost about 60 ms to load on JDK 17.
   *
   * @return whether the caller should call {@link #trimNativeHeap} every few seconds: the JVM was
   *     not given -XX:TrimNativeHeapInterval (the image gives it)
   */
  public static boolean returnIdleHeap() {
    boolean trim = false;
    try {
      var vm =
          java.lang.management.ManagementFactory.getPlatformMXBean(
              com.sun.management.HotSpotDiagnosticMXBean.class);
      trim = "0".equals(vm.getVMOption("TrimNativeHeapInterval").getValue());
      if (!"true".equals(vm.getVMOption("UseG1GC").getValue())) {
        return trim;
      }
      setIfDefault(vm, "G1PeriodicGCInterval", "5000");
      // Min first: the JVM refuses a Max below the current Min (40).
      setIfDefault(vm, "MinHeapFreeRatio", "10");
      setIfDefault(vm, "MaxHeapFreeRatio", "30");
      System.gc();
    } catch (RuntimeException | LinkageError e) {
      // a JVM without these flags or without jdk.management: nothing to tune
    }
    return trim;
  }

  /**
   * What -XX:TrimNativeHeapInterval does (jcmd System.trim_native_heap): glibc keeps the memory the
   * JIT's compilations freed, 10-20 MiB after the start-up on JDK 17; this hands it back. Blocks
   * for a few milliseconds: on a worker.
   */
  public static void trimNativeHeap() {
    try {
      java.lang.management.ManagementFactory.getPlatformMBeanServer()
          .invoke(
              new javax.management.ObjectName("com.sun.management:type=DiagnosticCommand"),
              "systemTrimNativeHeap",
              new Object[] {null},
              new String[] {String[].class.getName()});
    } catch (Exception | LinkageError e) {
      // a JVM without the command (before 17.0.9), or not glibc: nothing to trim
    }
  }

  private static void setIfDefault(
      com.sun.management.HotSpotDiagnosticMXBean vm, String flag, String value) {
    if (vm.getVMOption(flag).getOrigin() == com.sun.management.VMOption.Origin.DEFAULT) {
      vm.setVMOption(flag, value);
    }
  }

  private static void setIfAbsent(String key, String value) {
    if (System.getProperty(key) == null) {
      System.setProperty(key, value);
    }
  }
}
