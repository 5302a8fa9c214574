package io.peerd.cli;

import io.peerd.node.PeerVerticle;
import io.peerd.remote.ContentSources;
import io.peerd.remote.Locator;
import io.peerd.transfer.FileTransfers;
import io.peerd.transfer.FileUpload;
import io.peerd.transfer.Received;
import io.peerd.transfer.Source;
import io.peerd.transfer.UploadReceipt;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.PrintWriter;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code java -jar peer.jar [-conf FILE]} runs the daemon; {@code java -jar peer.jar VERB ...} runs
 * a client verb against a peer. Exit codes: 0 ok, 1 failed, 2 usage. Errors are one line; {@code
 * --verbose} adds the stack trace.
 */
@Command(
    name = "peer",
    mixinStandardHelpOptions = true,
    versionProvider = Cli.Version.class,
    description = "Runs a peer (without a verb), or talks to one.",
    subcommands = {
      Cli.Search.class,
      DownloadCommand.class,
      Cli.Link.class,
      Cli.Upload.class,
      Cli.Status.class,
      Cli.DummyDownload.class,
      Cli.DummyUpload.class,
      Cli.DrainDownload.class,
      Cli.Warmup.class,
      Simulate.class,
      LiveCheckCommand.class,
      IdCommand.class,
      DoctorCommand.class
    })
public final class Cli implements Callable<Integer> {

  @Option(
      names = {"-conf", "--conf", "-c"},
      paramLabel = "FILE",
      description =
          "Peer configuration (JSON, the seed's keys); PEER_<KEY> variables override it. "
              + "Without it: one peer on 127.0.0.1:8001 sharing ./peer-shared.")
  Path conf;

  /** Set when the daemon started: main() must then not exit. */
  boolean daemonRunning;

  @Override
  public Integer call() {
    int code = Daemon.run(conf == null ? null : conf.toString(), System.getenv());
    daemonRunning = code == 0;
    return code;
  }

  /** Call first thing: Vert.x picks its logger once. */
  public static void prepareLogging() {
    Logging.routeVertxToSlf4j();
  }

  /**
   * @return the exit code, or -1 when the daemon is running and the JVM must stay up
   */
  public static int run(String[] args) {
    String[] daemon = daemonOnly(args);
    if (daemon != null) {
      Preload.start();
      int code = Daemon.run(daemon.length == 0 ? null : daemon[0], System.getenv());
      return code == 0 ? -1 : code;
    }
    Cli cli = new Cli();
    CommandLine cmd =
        new CommandLine(cli)
            .setExecutionExceptionHandler(Cli::onError)
            .setCaseInsensitiveEnumValuesAllowed(true);
    int code = cmd.execute(args);
    return cli.daemonRunning ? -1 : code;
  }

  /**
   * The daemon's plain command lines ({@code []}, {@code -conf FILE}) skip picocli: building its
   * model of every verb and option takes about 150 ms, more than a tenth of the start-up.
   *
   * @return the config path (empty array: none), or null when picocli must parse the line
   */
  static String[] daemonOnly(String[] args) {
    if (args.length == 0) {
      return new String[0];
    }
    if (args.length == 2
        && List.of("-conf", "--conf", "-c").contains(args[0])
        && !args[1].startsWith("-")) {
      return new String[] {args[1]};
    }
    return null;
  }

  private static int onError(Exception e, CommandLine cmd, CommandLine.ParseResult parsed) {
    boolean verbose =
        parsed.hasMatchedOption("--verbose")
            || parsed.subcommand() != null && parsed.subcommand().hasMatchedOption("--verbose");
    if (verbose) {
      e.printStackTrace(cmd.getErr());
    }
    String msg = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    cmd.getErr().println("peer " + cmd.getCommandName() + ": " + msg);
    return 1;
  }

  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {"peerd " + PeerVerticle.VERSION};
    }
  }

  /** Options every client verb has. */
  static class Common {
    @Option(names = "--verbose", description = "Print stack traces of errors.")
    boolean verbose;

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    PrintWriter out() {
      return spec.commandLine().getOut();
    }

    static String peerUrl(String raw) {
      String url = io.peerd.peers.PeerUrl.tryParse(raw);
      if (url == null) {
        throw new CommandLine.ParameterException(
            new CommandLine(new Cli()), "not a peer URL (http://host:port): " + raw);
      }
      return url;
    }
  }

  @Command(
      name = "search",
      mixinStandardHelpOptions = true,
      description = "Search the network through a peer.")
  static final class Search extends Common implements Callable<Integer> {
    @Parameters(paramLabel = "QUERY", description = "Case-insensitive part of a file name.")
    String query;

    @Option(
        names = "--peer",
        required = true,
        description = "Peer to ask, e.g. http://127.0.0.1:8001")
    String peer;

    @Option(names = "--ttl", description = "Hops the query may travel.")
    Integer ttl;

    @Option(names = "--fanout", description = "Neighbours asked per peer.")
    Integer fanout;

    @Option(names = "--timeout-ms", description = "Deadline of the search.")
    Integer timeoutMs;

    @Option(names = "--json", description = "Print the raw JSON answer.")
    boolean json;

    @Override
    public Integer call() {
      StringBuilder q =
          new StringBuilder("/search?query=")
              .append(URLEncoder.encode(query, StandardCharsets.UTF_8));
      if (ttl != null) {
        q.append("&ttl=").append(ttl);
      }
      if (fanout != null) {
        q.append("&fanout=").append(fanout);
      }
      if (timeoutMs != null) {
        q.append("&timeout_ms=").append(timeoutMs);
      }
      try (Client c = new Client()) {
        JsonObject a = c.getJson(peerUrl(peer), q.toString(), java.time.Duration.ofSeconds(70));
        if (json) {
          out().println(a.encodePrettily());
          return 0;
        }
        out().printf("%-28s %-40s %12s %-12s %4s%n", "PEER", "NAME", "SIZE", "SHA256", "HOPS");
        int n = 0;
        for (Object o : a.getJsonArray("results", new JsonArray())) {
          JsonObject r = (JsonObject) o;
          for (Object f : r.getJsonArray("files", new JsonArray())) {
            JsonObject file = (JsonObject) f;
            String sha = file.getString("checksum", "");
            out()
                .printf(
                    "%-28s %-40s %12d %-12s %4s%n",
                    r.getString("peer"),
                    file.getString("name"),
                    file.getLong("size", -1L),
                    sha.length() > 12 ? sha.substring(0, 12) : sha,
                    r.getValue("hops") == null ? "?" : r.getValue("hops"));
            n++;
          }
        }
        out()
            .printf(
                "%d file(s) from %d peer(s) in %s ms%s%n",
                n,
                a.getInteger("peers_answered", 0),
                a.getValue("elapsed_ms"),
                a.getBoolean("partial", false)
                    ? " (partial: " + a.getJsonArray("unreachable") + ")"
                    : "");
        return 0;
      }
    }
  }

  @Command(
      name = "link",
      mixinStandardHelpOptions = true,
      description = "Print a file's magnet link: its root, length, name and a peer that has it.")
  static final class Link extends Common implements Callable<Integer> {
    @Parameters(paramLabel = "NAME", description = "Shared name of the file (as in /files).")
    String name;

    @Option(names = "--peer", required = true, description = "Peer that has it or can find it.")
    String peer;

    @Override
    public Integer call() {
      try (Client c = new Client()) {
        ContentSources found =
            new ContentSources(c.rest, peerUrl(peer), Client.REST_TIMEOUT.toMillis());
        ContentSources.Target t =
            Client.await(
                found.resolve(name),
                java.time.Duration.ofMillis(found.deadlineMillis()).plusSeconds(1));
        if (t.magnet() == null) {
          throw new Client.Failure(
              name + " is only on a seed peer, which knows no Merkle root: it has no magnet link");
        }
        out().println(t.magnet());
        return 0;
      }
    }
  }

  @Command(
      name = "upload",
      mixinStandardHelpOptions = true,
      description = "Upload a file to a peer that accepts uploads (verified by size and SHA-256).")
  static final class Upload extends Common implements Callable<Integer> {
    @Parameters(paramLabel = "FILE")
    Path file;

    @Option(names = "--peer", required = true)
    String peer;

    @Option(
        names = "--name",
        description = "Name in the peer's upload folder (default: the file name).")
    String name;

    @Option(
        names = "--overwrite",
        description = "Replace an existing file (if the peer allows it).")
    boolean overwrite;

    @Option(
        names = "--token",
        defaultValue = "${env:PEER_API_TOKEN}",
        description = "The peer's api_token, when it has one (default: $PEER_API_TOKEN).")
    String token;

    @Override
    public Integer call() throws Exception {
      if (!Files.isRegularFile(file)) {
        throw new Client.Failure("not a file: " + file);
      }
      try (Client c = new Client()) {
        ProgressBar bar =
            ProgressBar.onStderr(
                name != null ? name : file.getFileName().toString(), Files.size(file));
        UploadReceipt r =
            Client.await(
                c.uploads.run(
                    Locator.address(peerUrl(peer)),
                    new FileUpload.Request(
                        file,
                        name != null ? name : file.getFileName().toString(),
                        overwrite,
                        token),
                    bar),
                Client.TRANSFER_TIMEOUT);
        bar.finish();
        out()
            .printf(
                "uploaded %s (%d bytes, sha256 %s)%s%n",
                r.name(),
                r.size(),
                r.sha256(),
                r.indexed() ? "" : "; the peer's index does not show it yet");
        return 0;
      }
    }
  }

  @Command(name = "status", mixinStandardHelpOptions = true, description = "Show a peer's status.")
  static final class Status extends Common implements Callable<Integer> {
    @Option(names = "--peer", required = true)
    String peer;

    @Option(names = "--json")
    boolean json;

    @Override
    public Integer call() {
      try (Client c = new Client()) {
        JsonObject s = c.getJson(peerUrl(peer), "/status", Client.REST_TIMEOUT);
        if (json) {
          out().println(s.encodePrettily());
          return 0;
        }
        JsonObject st = s.getJsonObject("stats", new JsonObject());
        out()
            .printf(
                "%s %s (version %s, up %.0f s)%n",
                s.getString("peer"),
                s.getString("url"),
                s.getString("version"),
                s.getDouble("uptime_s", 0.0));
        out()
            .printf(
                "files: %s (%s bytes)  peers: %s known, %s healthy  searches: %s%n",
                st.getValue("files"),
                st.getValue("bytes_shared"),
                st.getValue("total_peers"),
                st.getValue("healthy_peers"),
                st.getValue("searches_processed"));
        return 0;
      }
    }
  }

  /** The seed client's options, for parity: --grpc-host, --grpc-port. */
  static class SeedTarget extends Common {
    @Option(names = "--grpc-host", defaultValue = "localhost")
    String host;

    @Option(names = "--grpc-port", defaultValue = "50051")
    int port;

    io.vertx.core.net.SocketAddress address() {
      return io.vertx.core.net.SocketAddress.inetSocketAddress(port, host);
    }
  }

  @Command(
      name = "dummy-download",
      mixinStandardHelpOptions = true,
      description = "The seed's DummyDownload.")
  static final class DummyDownload extends SeedTarget implements Callable<Integer> {
    @Parameters(paramLabel = "NAME")
    String name;

    @Override
    public Integer call() {
      try (Client c = new Client()) {
        long start = System.nanoTime();
        Received got = Received.discard();
        Client.await(c.grpc.dummyDownload(address(), name, got), Client.TRANSFER_TIMEOUT);
        double secs = (System.nanoTime() - start) / 1e9;
        out().printf("received %d chunks, %d bytes in %.2f s%n", got.writes(), got.bytes(), secs);
        return 0;
      }
    }
  }

  @Command(
      name = "dummy-upload",
      mixinStandardHelpOptions = true,
      description = "The seed's DummyUpload.")
  static final class DummyUpload extends SeedTarget implements Callable<Integer> {
    @Option(
        names = {"--bytes", "--upload-bytes"},
        required = true,
        description = "Bytes to send.")
    long bytes;

    @Override
    public Integer call() {
      try (Client c = new Client()) {
        FileTransfers.DummyUploadReceipt s =
            Client.await(c.grpc.dummyUpload(address(), bytes), Client.TRANSFER_TIMEOUT);
        out().printf("server received %d bytes in %d chunks%n", s.receivedBytes(), s.chunks());
        return 0;
      }
    }
  }

  @Command(
      name = "drain-download",
      hidden = true,
      mixinStandardHelpOptions = true,
      description =
          "Download a file over gRPC and discard it; prints MiB/s (for bench/transfer.sh).")
  static final class DrainDownload extends Common implements Callable<Integer> {
    @Parameters(paramLabel = "NAME")
    String name;

    @Option(names = "--peer", required = true)
    String peer;

    @Option(
        names = "--repeat",
        defaultValue = "1",
        description = "Runs (the first ones warm the JIT up).")
    int repeat;

    @Override
    public Integer call() {
      try (Client c = new Client()) {
        Source s = c.locate(peerUrl(peer), name);
        for (int i = 0; i < repeat; i++) {
          long start = System.nanoTime();
          long bytes =
              Client.await(
                  c.grpc.download(s.grpc(), s.name(), 0, Received.discard()),
                  Client.TRANSFER_TIMEOUT);
          double secs = (System.nanoTime() - start) / 1e9;
          out().printf("%d bytes in %.3f s: %.1f MiB/s%n", bytes, secs, bytes / secs / (1 << 20));
          out().flush();
        }
        return 0;
      }
    }
  }

  @Command(
      name = "warmup",
      hidden = true,
      mixinStandardHelpOptions = true,
      description =
          "Start a throw-away peer, call its REST and gRPC paths once, exit 0. Run with "
              + "-XX:ArchiveClassesAtExit=FILE to build a class-data-sharing archive for fast start-up.")
  static final class Warmup extends Common implements Callable<Integer> {
    @Override
    public Integer call() throws Exception {
      return Training.run();
    }
  }
}
