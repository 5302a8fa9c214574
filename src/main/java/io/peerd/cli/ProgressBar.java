package io.peerd.cli;

import io.peerd.transfer.Progress;
import java.io.PrintStream;

/**
 * Progress of a transfer on stderr: a redrawn bar with rate and ETA on a terminal, a plain line
 * every few seconds otherwise (logs and CI). Called from one event loop, read by nobody else.
 */
final class ProgressBar implements Progress {

  private final PrintStream err;
  private final String label;
  private final long total;
  private final boolean tty;
  private long startNanos = System.nanoTime();
  private long lastPrint = System.nanoTime();
  private long startOffset;
  private long done;
  private int sources = -1;
  private boolean drawn;

  ProgressBar(PrintStream err, String label, long total, boolean tty) {
    this.err = err;
    this.label = label;
    this.total = total;
    this.tty = tty;
  }

  /** A bar on stderr, redrawn when stderr is a terminal. */
  static ProgressBar onStderr(String label, long total) {
    return new ProgressBar(System.err, label, total, System.console() != null);
  }

  @Override
  public void start(long from) {
    startOffset = from;
    done = from;
    startNanos = System.nanoTime();
  }

  @Override
  public void moved(long bytes) {
    done += bytes;
    long now = System.nanoTime();
    if (now - lastPrint > (tty ? 200_000_000L : 2_000_000_000L)) {
      lastPrint = now;
      print(false);
    }
  }

  /** Sources sending now, shown on the line (a swarm download's). */
  void sources(int n) {
    if (n > 0) {
      sources = n; // the last piece's source is done by then: the line keeps the last count
    }
  }

  /**
   * A line a person must see now (a stall, a ban): on a terminal, on a line of its own above the
   * bar.
   */
  void say(String line) {
    if (tty && drawn) {
      err.print("\r\033[K");
    }
    err.println(label + ": " + line);
    if (tty && drawn) {
      print(false);
    }
    err.flush();
  }

  void finish() {
    print(true);
  }

  private void print(boolean last) {
    double secs = Math.max(1e-3, (System.nanoTime() - startNanos) / 1e9);
    double rate = (done - startOffset) / secs;
    double pct = total > 0 ? 100.0 * done / total : 100;
    long eta = rate > 0 && total > done ? (long) ((total - done) / rate) : 0;
    String figures =
        String.format(
            "%s %5.1f%% %s/%s %s/s ETA %ds%s",
            label,
            pct,
            human(done),
            human(total),
            human((long) rate),
            eta,
            sources < 0 ? "" : " " + sources + (sources == 1 ? " source" : " sources"));
    drawn = !last;
    if (tty) {
      int width = 30;
      int filled = (int) Math.round(width * Math.min(1.0, pct / 100));
      err.print(
          "\r["
              + "#".repeat(filled)
              + " ".repeat(width - filled)
              + "] "
              + figures
              + (last ? "\n" : ""));
    } else {
      err.println(figures);
    }
    err.flush();
  }

  static String human(long bytes) {
    if (bytes < 1024) {
      return bytes + " B";
    }
    String[] units = {"KiB", "MiB", "GiB", "TiB"};
    double v = bytes;
    int u = -1;
    while (v >= 1024 && u < units.length - 1) {
      v /= 1024;
      u++;
    }
    return String.format("%.1f %s", v, units[u]);
  }
}
