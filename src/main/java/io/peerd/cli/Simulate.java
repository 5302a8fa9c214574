package io.peerd.cli;

import io.peerd.routing.Mode;
import io.peerd.sim.Catalog;
import io.peerd.sim.Experiment;
import io.peerd.sim.Graph;
import io.peerd.sim.Report;
import io.peerd.sim.Simulator;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code peer.jar simulate}: compare routing strategies on large simulated networks. */
@Command(
    name = "simulate",
    mixinStandardHelpOptions = true,
    description =
        "Simulate searches over N peers (no sockets) with the daemon's own routing code; "
            + "prints a Markdown table and writes sim.md, sim.csv and sim.svg to --out.")
final class Simulate extends ExperimentCommand implements Callable<Integer> {

  @Option(
      names = "--nodes",
      split = ",",
      defaultValue = "100,1000,10000",
      description = "Network sizes (default: ${DEFAULT-VALUE}).")
  List<Integer> nodes;

  @Option(
      names = "--topology",
      defaultValue = "random",
      description = "random, powerlaw or gnutella (default: ${DEFAULT-VALUE}).")
  Graph.Topology topology;

  @Option(
      names = "--degree",
      defaultValue = "6",
      description = "Neighbours per peer (random), twice the edges per newcomer (powerlaw).")
  int degree;

  @Option(
      names = "--replication",
      defaultValue = "sqrt",
      description = "uniform, proportional or sqrt (default: ${DEFAULT-VALUE}).")
  Catalog.Replication replication;

  @Option(
      names = "--ratio",
      defaultValue = "0.01",
      description = "Mean share of peers holding an object (default: ${DEFAULT-VALUE}).")
  double ratio;

  @Option(
      names = "--objects",
      defaultValue = "100",
      description = "Distinct files (default: ${DEFAULT-VALUE}).")
  int objects;

  @Option(
      names = "--zipf",
      defaultValue = "1.2",
      description = "Query popularity exponent (default: ${DEFAULT-VALUE}).")
  double zipf;

  @Option(
      names = "--modes",
      split = ",",
      defaultValue = "flood,walk,summary",
      description = "Strategies to run.")
  List<String> modes;

  @Option(
      names = "--queries",
      defaultValue = "200",
      description = "Queries per mode and size (default: ${DEFAULT-VALUE}).")
  int queries;

  @Option(
      names = "--flood-ttl",
      defaultValue = "0",
      description = "Flooding ttl; 0 picks log(N)/log(degree-1).")
  int floodTtl;

  @Option(
      names = "--walk-ttl",
      defaultValue = "1024",
      description = "Walker ttl (default: ${DEFAULT-VALUE}).")
  int walkTtl;

  @Option(
      names = "--fanout",
      defaultValue = "0",
      description = "Flooding fanout; 0 = every neighbour.")
  int fanout;

  @Option(
      names = "--walkers",
      defaultValue = "16",
      description = "Walkers per query (default: ${DEFAULT-VALUE}).")
  int walkers;

  @Option(
      names = "--check-every",
      defaultValue = "4",
      description = "Walkers ask the origin every this many hops; 0 = never.")
  int checkEvery;

  @Option(
      names = "--summary-bits",
      defaultValue = "2048",
      description = "Bloom filter bits per peer (power of two).")
  int summaryBits;

  @Option(
      names = "--latency",
      defaultValue = "5-50",
      description = "Link latency range in ms (default: ${DEFAULT-VALUE}).")
  String latency;

  @Option(
      names = "--seed",
      defaultValue = "1",
      description = "Same seed, same table (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--out", description = "Folder for sim.md, sim.csv and sim.svg.")
  Path out;

  @Override
  public Integer call() throws Exception {
    List<Mode> parsed = modes(modes);
    IntRange range = range("--latency", latency);
    int min = range.min();
    int max = range.max();
    for (int n : nodes) {
      if (n < 2 || n > 1_000_000) {
        throw usage("--nodes: each size must be in [2, 1000000], got " + n);
      }
    }
    if (summaryBits < io.peerd.routing.NameSummary.MIN_BITS
        || summaryBits > io.peerd.routing.NameSummary.MAX_BITS
        || Integer.bitCount(summaryBits) != 1) {
      throw usage("--summary-bits: a power of two in [64, 8388608], got " + summaryBits);
    }
    if (queries < 1
        || degree < 1
        || min < 0
        || max < min
        || ratio <= 0
        || ratio > 1
        || objects < 1) {
      throw usage(
          "--queries, --degree, --objects must be positive, --ratio in (0, 1], --latency min-max");
    }
    Experiment e =
        new Experiment(
            nodes,
            topology,
            degree,
            replication,
            ratio,
            objects,
            zipf,
            parsed,
            queries,
            floodTtl,
            walkTtl,
            fanout,
            walkers,
            checkEvery,
            summaryBits,
            min,
            max,
            seed);
    long started = System.nanoTime();
    List<Simulator.Result> rows = e.run();
    double seconds = (System.nanoTime() - started) / 1e9;
    String table = Report.markdown(rows);
    String ratios = Report.ratios(rows);
    System.out.println(e.describe());
    System.out.println();
    System.out.print(table);
    System.out.println();
    System.out.print(ratios);
    System.out.printf(java.util.Locale.ROOT, "simulated in %.1f s%n", seconds);
    if (out != null) {
      Files.createDirectories(out);
      write(out.resolve("sim.md"), e.describe() + "\n\n" + table + "\n" + ratios);
      write(out.resolve("sim.csv"), Report.csv(rows));
      write(
          out.resolve("sim.svg"),
          Report.svg(
              rows,
              "Messages vs success, "
                  + topology.name().toLowerCase(java.util.Locale.ROOT)
                  + " graph, degree "
                  + degree
                  + ", "
                  + replication.name().toLowerCase(java.util.Locale.ROOT)
                  + " replication"));
    }
    return 0;
  }

  /** Temp file + rename: a reader never sees half a report. */
  private static void write(Path target, String text) throws java.io.IOException {
    Path tmp = target.resolveSibling("." + target.getFileName() + ".tmp");
    Files.writeString(tmp, text, StandardCharsets.UTF_8);
    Files.move(
        tmp,
        target,
        java.nio.file.StandardCopyOption.REPLACE_EXISTING,
        java.nio.file.StandardCopyOption.ATOMIC_MOVE);
  }
}
