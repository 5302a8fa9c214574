package io.peerd.testkit;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The daemon as its own process ({@code java -jar peer.jar -conf FILE}, through {@link
 * MainProcess}), for the tests that kill it, restart it or change what its process sees (its
 * clock). Its port is read from its start-up line; the last lines of its stderr are kept, since
 * they name a failure.
 */
public final class Daemon implements AutoCloseable {

  static final Pattern UP = Pattern.compile("REST and gRPC on http://127\\.0\\.0\\.1:(\\d+)");
  static final int KEPT_LINES = 2000;

  private final Process process;
  private final List<String> log = Collections.synchronizedList(new ArrayList<>());

  private Daemon(Process process) {
    this.process = process;
  }

  /**
   * Starts it in {@code dir}, with no {@code PEER_} variables of the test's own environment.
   *
   * @param flags JVM flags before the class name, e.g. {@code -XX:+UseSerialGC}
   * @param env more environment variables (for instance {@code LD_PRELOAD})
   */
  public static Daemon launch(
      Path dir, Path conf, String heap, List<String> flags, Map<String, String> env)
      throws IOException {
    List<String> cmd = new ArrayList<>(MainProcess.command(heap, "-conf", conf.toString()));
    cmd.addAll(1, flags);
    ProcessBuilder pb =
        new ProcessBuilder(cmd)
            .directory(dir.toFile())
            .redirectOutput(ProcessBuilder.Redirect.DISCARD);
    pb.environment().keySet().removeIf(k -> k.startsWith("PEER_"));
    pb.environment().putAll(env);
    return new Daemon(pb.start());
  }

  /** Waits for the start-up line; returns the REST port. Its stderr is drained from then on. */
  public int ready() throws IOException {
    BufferedReader err =
        new BufferedReader(new InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8));
    for (String line = err.readLine(); line != null; line = err.readLine()) {
      log.add(line);
      Matcher m = UP.matcher(line);
      if (m.find()) {
        Thread drain =
            new Thread(
                () -> {
                  try {
                    for (String l = err.readLine(); l != null; l = err.readLine()) {
                      if (log.size() < KEPT_LINES) {
                        log.add(l);
                      }
                    }
                  } catch (IOException gone) {
                    // the process ended
                  }
                });
        drain.setDaemon(true);
        drain.start();
        return Integer.parseInt(m.group(1));
      }
    }
    throw new AssertionError("the daemon did not start:\n" + log());
  }

  /** What it printed on stderr so far (the first {@value #KEPT_LINES} lines). */
  public String log() {
    synchronized (log) {
      return String.join("\n", log);
    }
  }

  /** SIGKILL, and waits until it is gone. */
  public void kill() throws InterruptedException {
    process.destroyForcibly();
    if (!process.waitFor(20, TimeUnit.SECONDS)) {
      throw new AssertionError("the daemon outlived SIGKILL by 20 s");
    }
  }

  @Override
  public void close() {
    process.destroyForcibly();
  }
}
