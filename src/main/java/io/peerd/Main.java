package io.peerd;

import io.peerd.cli.Cli;

/** Entry point of the jar: the daemon, or a client verb ({@code java -jar peer.jar --help}). */
public final class Main {

  private Main() {}

  public static void main(String[] args) {
    Cli.prepareLogging();
    Tuning.apply();
    int code = Cli.run(args);
    if (code >= 0) {
      System.exit(code);
    }
  }
}
