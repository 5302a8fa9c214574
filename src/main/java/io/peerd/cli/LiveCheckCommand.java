package io.peerd.cli;

import io.peerd.routing.Mode;
import io.peerd.sim.Report;
import io.peerd.sim.live.LiveCheck;
import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code peer.jar livecheck}: the simulator's table, measured on real peers in this JVM. */
@Command(
    name = "livecheck",
    mixinStandardHelpOptions = true,
    description =
        "Start N real peers on loopback in this JVM, search in each mode, and print the "
            + "simulator's table from the peers' own counters next to the simulator's prediction.")
final class LiveCheckCommand extends ExperimentCommand implements Callable<Integer> {

  @Option(
      names = "--peers",
      defaultValue = "100",
      description = "Peers to start (default: ${DEFAULT-VALUE}).")
  int peers;

  @Option(
      names = "--degree",
      defaultValue = "4-8",
      description = "Neighbours per peer, a range (default: ${DEFAULT-VALUE}).")
  String degree;

  @Option(
      names = "--searches",
      defaultValue = "300",
      description = "Searches per mode (default: ${DEFAULT-VALUE}).")
  int searches;

  @Option(
      names = "--modes",
      split = ",",
      defaultValue = "flood,walk,summary",
      description = "Modes to run.")
  List<String> modes;

  @Option(
      names = "--objects",
      defaultValue = "50",
      description = "Distinct files (default: ${DEFAULT-VALUE}).")
  int objects;

  @Option(
      names = "--ratio",
      defaultValue = "0.03",
      description = "Mean share of peers holding a file (default: ${DEFAULT-VALUE}).")
  double ratio;

  @Option(
      names = "--walkers",
      defaultValue = "4",
      description = "Walkers per search (default: ${DEFAULT-VALUE}).")
  int walkers;

  @Option(
      names = "--walk-ttl",
      defaultValue = "32",
      description = "Walker ttl (default: ${DEFAULT-VALUE}).")
  int walkTtl;

  @Option(
      names = "--seed",
      defaultValue = "1",
      description = "Topology, files and queries (default: ${DEFAULT-VALUE}).")
  long seed;

  @Override
  public Integer call() throws Exception {
    IntRange range = range("--degree", degree);
    int min = range.min();
    int max = range.max();
    if (peers < 2 || peers > 1000 || min < 1 || max < min || max >= peers || searches < 1) {
      throw usage("--peers in [2, 1000], --degree min-max below --peers, --searches >= 1");
    }
    List<Mode> parsed = modes(modes);
    Path dir = Files.createTempDirectory("peerd-livecheck");
    // A hundred peers' start-up, index and peer lines would bury the report: only problems.
    Logging.apply("plain", "WARN");
    Vertx vertx = Vertx.vertx();
    try {
      LiveCheck.Outcome out =
          new LiveCheck(
                  vertx,
                  new LiveCheck.Settings(
                      peers, min, max, searches, parsed, objects, ratio, walkers, walkTtl, seed,
                      dir))
              .run()
              .toCompletionStage()
              .toCompletableFuture()
              .get(15, TimeUnit.MINUTES);
      System.out.println(out.describe());
      System.out.println();
      System.out.println("Live (peers' own counters; latency is the whole search, ms):");
      System.out.print(Report.markdown(out.live()));
      System.out.println();
      System.out.println("Simulator on the same graph and files (1 ms links):");
      System.out.print(Report.markdown(out.simulated()));
      return 0;
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
      deleteTree(dir);
    }
  }

  private static void deleteTree(Path dir) throws java.io.IOException {
    try (var walk = Files.walk(dir)) {
      for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
