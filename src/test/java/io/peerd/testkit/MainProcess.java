package io.peerd.testkit;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The command line that runs this build's {@code io.peerd.Main} as its own process, as {@code java
 * -jar peer.jar ARGS} would (the test classpath stands for the jar, which is built after the
 * tests).
 */
public final class MainProcess {

  private MainProcess() {}

  /**
   * @param heap the {@code -Xmx} value, e.g. {@code "64m"}
   */
  public static List<String> command(String heap, String... args) {
    List<String> cmd =
        new ArrayList<>(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx" + heap,
                "-cp",
                System.getProperty("java.class.path"),
                "io.peerd.Main"));
    cmd.addAll(List.of(args));
    return cmd;
  }
}
