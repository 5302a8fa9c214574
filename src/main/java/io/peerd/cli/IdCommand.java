package io.peerd.cli;

import io.peerd.config.PeerConfig;
import io.peerd.identity.Identity;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code peer.jar id [-conf FILE] [--rotate]}: prints the peer's id (making its identity on first
 * use, as the daemon would), or replaces it. Rotation is an operator's decision with a price, so
 * the command says it: every friend that pinned the old id refuses the peer until it pins the new.
 */
@Command(
    name = "id",
    mixinStandardHelpOptions = true,
    description =
        "Print this peer's id (from state_dir/identity.pem, made on first use), or --rotate it.")
final class IdCommand implements Callable<Integer> {

  @Option(
      names = {"-conf", "--conf", "-c"},
      paramLabel = "FILE",
      description = "the peer's configuration, for its state_dir (default: state/<name>)")
  Path conf;

  @Option(
      names = "--rotate",
      description =
          "make a new key and certificate, hence a new id (the old file is kept as"
              + " identity.pem.previous); friends that pinned the old id must pin the new one")
  boolean rotate;

  @Option(names = "--verbose", description = "stack traces on errors")
  boolean verbose;

  @Override
  public Integer call() {
    PeerConfig config = load();
    if (!config.trust().identity()) {
      System.err.println("peer id: identity is false in " + config.source() + ": no id");
      return 1;
    }
    Path dir = config.stateDir();
    if (dir == null) {
      System.err.println(
          "peer id: state_dir is \"\" in "
              + config.source()
              + ": the peer gets a new id at"
              + " every start");
      return 1;
    }
    if (!rotate) {
      System.out.println(Identity.loadOrCreate(dir).id());
      return 0;
    }
    String old = null;
    if (java.nio.file.Files.exists(dir.resolve(Identity.FILE))) {
      try {
        old = Identity.load(dir.resolve(Identity.FILE)).id().toString();
      } catch (Identity.IdentityException e) {
        // A corrupt file is what --rotate is for; it is kept as the previous one all the same.
        System.err.println("peer id: " + e.getMessage());
      }
    }
    Identity fresh = Identity.rotate(dir);
    System.out.println(fresh.id());
    System.err.println(
        "peer id: rotated"
            + (old == null ? "" : " (the old id " + old + " is in " + Identity.PREVIOUS + ")")
            + ". Restart the peer to use it. Every friend that pinned the old id refuses this peer"
            + " until it pins the new one: friends: [\""
            + fresh.id()
            + "@"
            + config.advertisedUrl(config.node().restPort())
            + "\"]");
    return 0;
  }

  /** The CLI's main thread is no event loop: waiting for the config here blocks nothing. */
  private PeerConfig load() {
    Vertx vertx = Vertx.vertx();
    try {
      return Daemon.loadConfig(vertx, conf == null ? null : conf.toString(), System.getenv())
          .toCompletionStage()
          .toCompletableFuture()
          .join();
    } catch (java.util.concurrent.CompletionException e) {
      throw e.getCause() instanceof RuntimeException r ? r : e;
    } finally {
      vertx.close();
    }
  }
}
