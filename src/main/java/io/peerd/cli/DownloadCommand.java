package io.peerd.cli;

import io.peerd.remote.ContentSources;
import io.peerd.transfer.Bandwidth;
import io.peerd.transfer.FileDownload;
import io.peerd.transfer.Swarm;
import io.peerd.wire.Magnet;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code peer.jar download NAME|ROOT|MAGNET}: the swarm engine on the command line. The content is
 * resolved through {@code --peer} (and a magnet's own peers), fetched from every holder found and
 * every {@code --source}, each piece checked, resumable. A name only a seed peer has is fetched the
 * seed's way, from that one peer. Exit 0 saved, 1 failed, 2 usage.
 */
@Command(
    name = "download",
    mixinStandardHelpOptions = true,
    description =
        "Download a file from every peer that has it: each piece checked against its Merkle root, "
            + "resumable (NAME.part), banned sources reported.")
final class DownloadCommand extends Cli.Common implements Callable<Integer> {

  @Parameters(
      paramLabel = "NAME|ROOT|MAGNET",
      description = "A shared name (as in /files), a 64-hex root, or a magnet link.")
  String what;

  @Option(
      names = "--peer",
      description = "Peer to look it up through (optional for a magnet with x.pe peers).")
  String peer;

  @Option(
      names = "--source",
      paramLabel = "URL",
      description =
          "Another source: a peer's base URL (gRPC), or a file URL answered with HTTP ranges.")
  List<String> sources = new ArrayList<>();

  @Option(names = "--out", description = "Where to save it (default: the file's base name here).")
  Path out;

  @Option(names = "--json", description = "Print one JSON object with the result at the end.")
  boolean json;

  @Option(
      names = "--rate-limit",
      paramLabel = "BYTES",
      defaultValue = "${env:PEER_DOWNLOAD_RATE_LIMIT:-0}",
      description =
          "Bytes per second, all sources together; 0 = off (default: $PEER_DOWNLOAD_RATE_LIMIT).")
  long rateLimit;

  @Option(
      names = "--stall-ms",
      defaultValue = "5000",
      description = "A source that sends nothing this long loses its pieces to the others.")
  long stallMillis;

  @Override
  public Integer call() {
    List<Swarm.Source> extra = new ArrayList<>();
    for (String url : sources) {
      Swarm.Source s = ContentSources.peerSource(url);
      if (s == null) {
        throw usage("--source is not an http(s) URL with a port: " + url);
      }
      extra.add(s);
    }
    if (peer == null && !what.startsWith("magnet:")) {
      throw usage("--peer is needed to look up a name or a root");
    }
    if (rateLimit < 0 || stallMillis < 100) {
      throw usage("--rate-limit must be >= 0 and --stall-ms >= 100");
    }
    if (what.startsWith("magnet:")) {
      try {
        Magnet.parse(what);
      } catch (IllegalArgumentException e) {
        throw usage("bad magnet link: " + e.getMessage());
      }
    }
    try {
      return download(extra);
    } catch (Client.Failure f) {
      if (json) {
        // Whatever failed, --json still ends with its one object.
        Throwable cause = f.getCause();
        out()
            .println(
                cause instanceof Swarm.Failed failed
                    ? failure(failed).encode()
                    : new JsonObject()
                        .put("error", errorCode(cause))
                        .put("detail", f.getMessage())
                        .put("sources", new JsonArray())
                        .encode());
        out().flush();
      }
      throw f;
    }
  }

  private static String errorCode(Throwable cause) {
    if (cause instanceof io.peerd.transfer.TransferFailure t) {
      return t.code().toLowerCase(java.util.Locale.ROOT);
    }
    if (cause instanceof io.peerd.search.PeerCallException p) {
      return p.reason();
    }
    return "failed";
  }

  private int download(List<Swarm.Source> extra) {
    try (Client c = new Client()) {
      ContentSources found =
          new ContentSources(
              c.rest, peer == null ? null : peerUrl(peer), Client.REST_TIMEOUT.toMillis());
      ContentSources.Target t =
          Client.await(
              found.resolve(what), Duration.ofMillis(found.deadlineMillis()).plusSeconds(1));
      Path target = out != null ? out : Path.of(t.name().substring(t.name().lastIndexOf('/') + 1));
      if (t.single() != null) {
        return fromOne(c, t, target);
      }
      List<Swarm.Source> all = new ArrayList<>(t.sources());
      all.addAll(extra);
      ProgressBar bar = ProgressBar.onStderr(t.name(), t.size());
      Swarm swarm =
          new Swarm(
              c.vertx,
              c.grpc,
              c.ranges,
              new Bandwidth(c.vertx, rateLimit),
              options(Swarm.Options.defaults()));
      Swarm.Request r = new Swarm.Request(t.root(), t.size(), t.sha256(), all, target);
      long started = System.nanoTime();
      Swarm.Result done =
          Client.await(
              onLoop(c, () -> swarm.run(r, found, listener(bar))), Client.TRANSFER_TIMEOUT);
      bar.finish();
      if (json) {
        out()
            .println(
                result(done).put("elapsed_ms", (System.nanoTime() - started) / 1_000_000).encode());
      } else {
        long giving = done.sources().stream().filter(s -> s.bytes() > 0).count();
        out()
            .printf(
                "saved %s (%d bytes, sha256 %s, root %s) from %d source(s)%s%n",
                done.file(),
                done.size(),
                done.sha256(),
                done.root(),
                giving,
                done.resumedFrom() > 0 ? ", resumed with " + done.resumedFrom() + " bytes" : "");
      }
      return 0;
    }
  }

  private Swarm.Options options(Swarm.Options d) {
    return new Swarm.Options(
        d.sourcesInUse(),
        d.perSource(),
        d.bytesInFlight(),
        stallMillis,
        d.maxBackoffMillis(),
        d.researchMillis(),
        d.giveUpMillis());
  }

  /** The engine is event-loop confined: started on the client's loop, not the main thread. */
  private static <T> Future<T> onLoop(Client c, java.util.function.Supplier<Future<T>> start) {
    io.vertx.core.Promise<T> p = io.vertx.core.Promise.promise();
    c.vertx.runOnContext(v -> start.get().onComplete(p));
    return p.future();
  }

  private static Swarm.Listener listener(ProgressBar bar) {
    return new Swarm.Listener() {
      @Override
      public void started(long have, long size) {
        bar.start(have);
      }

      @Override
      public void moved(long bytes, int sourcesInUse) {
        bar.sources(sourcesInUse);
        bar.moved(bytes);
      }

      @Override
      public void said(String line) {
        bar.say(line);
      }
    };
  }

  /** A name only a seed peer has: the one-source engine, as before. */
  private int fromOne(Client c, ContentSources.Target t, Path target) {
    ProgressBar bar = ProgressBar.onStderr(t.name(), t.size());
    FileDownload.Result d =
        Client.await(c.downloads.run(t.single(), target, bar, -1), Client.TRANSFER_TIMEOUT);
    bar.finish();
    if (json) {
      out()
          .println(
              new JsonObject()
                  .put("file", d.file().toString())
                  .put("size", d.size())
                  .put("sha256", d.sha256())
                  .putNull("root")
                  .put("fetched", d.size() - d.resumedFrom())
                  .put("resumed_from", d.resumedFrom())
                  .put(
                      "sources",
                      new JsonArray()
                          .add(
                              new JsonObject()
                                  .put("url", t.single().peer())
                                  .put("bytes", d.size() - d.resumedFrom())
                                  .put("pieces", 0)
                                  .put("bad_pieces", 0)
                                  .put("banned", false)
                                  .putNull("error")
                                  .put("wire", "grpc")))
                  .encode());
    } else {
      out()
          .printf(
              "saved %s (%d bytes, sha256 %s) from %s (a seed peer: no root, one source)%n",
              d.file(), d.size(), d.sha256(), t.single().peer());
    }
    return 0;
  }

  static JsonObject result(Swarm.Result r) {
    return new JsonObject()
        .put("file", r.file().toString())
        .put("size", r.size())
        .put("sha256", r.sha256())
        .put("root", r.root())
        .put("piece_size", r.pieceSize())
        .put("fetched", r.fetched())
        .put("resumed_from", r.resumedFrom())
        .put("sources", reports(r.sources()));
  }

  static JsonObject failure(Swarm.Failed f) {
    return new JsonObject()
        .put("error", f.code().toLowerCase(java.util.Locale.ROOT))
        .put("detail", f.detail())
        .put("sources", reports(f.sources()));
  }

  private static JsonArray reports(List<Swarm.Report> reports) {
    JsonArray a = new JsonArray();
    for (Swarm.Report s : reports) {
      a.add(
          new JsonObject()
              .put("url", s.url())
              .put("bytes", s.bytes())
              .put("pieces", s.pieces())
              .put("bad_pieces", s.badPieces())
              .put("banned", s.banned())
              .put("error", s.error())
              .put("wire", s.wire()));
    }
    return a;
  }

  private CommandLine.ParameterException usage(String message) {
    return new CommandLine.ParameterException(spec.commandLine(), message);
  }
}
