package io.peerd.cli;

import io.peerd.doctor.Doctor;
import io.peerd.doctor.Report;
import io.peerd.doctor.Step;
import io.peerd.doctor.Target;
import io.peerd.doctor.Verdict;
import io.vertx.core.Vertx;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code peer.jar doctor URL [--id ID] [--json]}: checks a peer step by step from here (name, TCP,
 * TLS and id, /health, gRPC health, a search, a range download). Exit 0 when no step failed, 1
 * otherwise, 2 for a bad URL or id.
 */
@Command(
    name = "doctor",
    mixinStandardHelpOptions = true,
    description =
        "Check a peer step by step: dns, tcp, tls (and its id), http /health, grpc health, a"
            + " one-hop search, a 1 MiB range download. Exit 0 when every step passed or did not"
            + " apply, 1 otherwise.")
final class DoctorCommand extends Cli.Common implements Callable<Integer> {

  @Parameters(paramLabel = "URL", description = "The peer, e.g. http://127.0.0.1:8001")
  String url;

  @Option(
      names = "--id",
      paramLabel = "ID",
      description =
          "The id its certificate must have (as `peer.jar id` prints it); with a plain http URL"
              + " its secure port is found through its /health.")
  String id;

  @Option(
      names = "--token",
      defaultValue = "${env:PEER_API_TOKEN}",
      description = "The peer's api_token, when it has one (default: $PEER_API_TOKEN).")
  String token;

  @Option(
      names = "--step-timeout-ms",
      defaultValue = "4000",
      description =
          "Deadline of each step (the download gets 15 s more; default: ${DEFAULT-VALUE}).")
  long stepMillis;

  @Option(names = "--json", description = "Print the report as JSON.")
  boolean json;

  @Override
  public Integer call() throws Exception {
    Target target;
    try {
      target = Target.parse(url, id);
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
    }
    if (stepMillis < 100 || stepMillis > 120_000) {
      throw new CommandLine.ParameterException(
          spec.commandLine(), "--step-timeout-ms: from 100 to 120000");
    }
    Doctor.Settings settings =
        new Doctor.Settings(
            stepMillis,
            Doctor.DEFAULT_RANGE_MS,
            1 << 20,
            null,
            // An unset or empty PEER_API_TOKEN is no token, not "Bearer " with nothing after it.
            token == null || token.isBlank() ? null : token.trim());
    Vertx vertx = Vertx.vertx();
    try (Doctor doctor = new Doctor(vertx, settings)) {
      Report report =
          doctor.run(target).await(settings.totalMillis() + 5_000, TimeUnit.MILLISECONDS);
      PrintWriter out = out();
      if (json) {
        out.println(report.toJson().encodePrettily());
      } else {
        print(out, report);
      }
      out.flush();
      return report.ok() ? 0 : 1;
    } finally {
      vertx.close().await(10, TimeUnit.SECONDS);
    }
  }

  /** One line per step, like curl -v: the verdict, the time, what was found; the hint under it. */
  static void print(PrintWriter out, Report r) {
    out.println(
        "doctor " + r.url() + (r.expectedId() == null ? "" : " (id " + r.expectedId() + ")"));
    for (Step s : r.steps()) {
      out.printf(
          "%-4s %-6s %8s  %s%n",
          s.verdict().wire().toUpperCase(java.util.Locale.ROOT),
          s.name(),
          s.verdict() == Verdict.SKIP ? "" : s.millis() + " ms",
          s.detail());
      if (s.hint() != null) {
        out.println("                      hint: " + s.hint());
      }
    }
    Step failed = r.firstFailure();
    out.println(
        failed == null
            ? "ok: every step passed (or did not apply) in " + r.millis() + " ms"
            : "FAILED at " + failed.name() + " after " + r.millis() + " ms");
  }
}
