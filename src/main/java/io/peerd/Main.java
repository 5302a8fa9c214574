package io.peerd;

import io.peerd.cli.Daemon;

/**
 * Entry point of the jar: {@code java -jar peer.jar [-conf FILE]}.
 */
public final class Main {

  private Main() {}

  public static void main(String[] args) {
    String conf = null;
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      switch (a) {
        case "-conf", "--conf", "-c" -> {
          if (i + 1 >= args.length) {
            usage("missing file after " + a);
          }
          conf = args[++i];
        }
        case "-h", "--help" -> {
          System.out.println(USAGE);
          System.exit(0);
        }
        case "--version", "-V" -> {
          System.out.println(io.peerd.node.PeerVerticle.VERSION);
          System.exit(0);
        }
        default -> {
          if (a.startsWith("--conf=")) {
            conf = a.substring("--conf=".length());
          } else {
            usage("unknown argument: " + a);
          }
        }
      }
    }
    int code = Daemon.run(conf, System.getenv());
    if (code != 0) {
      System.exit(code);
    }
  }

  static final String USAGE = """
      Usage: java -jar peer.jar [-conf FILE]
        -conf FILE   peer configuration (JSON, seed-compatible keys); PEER_<KEY> variables override it
        -h, --help   this text
        --version    print the version
      Without -conf, a single peer starts on 127.0.0.1:8001 sharing ./peer-shared (created if missing).""";

  private static void usage(String problem) {
    System.err.println("peer: " + problem);
    System.err.println(USAGE);
    System.exit(2);
  }
}
