package io.peerd.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Which command lines start the daemon without picocli, and which go through it. */
@Tag("unit")
class DaemonArgsTest {

  @Test
  void onlyThePlainDaemonLinesSkipPicocli() {
    assertArrayEquals(new String[0], Cli.daemonOnly(new String[0]));
    for (String flag : new String[] {"-conf", "--conf", "-c"}) {
      assertArrayEquals(
          new String[] {"conf/peer1.json"}, Cli.daemonOnly(new String[] {flag, "conf/peer1.json"}));
    }
    assertNull(Cli.daemonOnly(new String[] {"--help"}));
    assertNull(Cli.daemonOnly(new String[] {"-conf"}));
    assertNull(Cli.daemonOnly(new String[] {"-conf", "--help"}));
    assertNull(Cli.daemonOnly(new String[] {"--conf=conf/peer1.json"}));
    assertNull(Cli.daemonOnly(new String[] {"search", "hello"}));
    assertNull(Cli.daemonOnly(new String[] {"-conf", "a.json", "--verbose"}));
  }
}
