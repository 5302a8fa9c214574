package io.peerd.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The simulate verb as a user runs it: its reports, and usage errors as exit 2. */
@Tag("unit")
class SimulateCommandTest {

  @TempDir Path tmp;

  @Test
  void writesTheMarkdownCsvAndSvgReports() throws Exception {
    Path out = tmp.resolve("sim");
    assertEquals(
        0,
        Cli.run(
            new String[] {
              "simulate", "--nodes", "60,120", "--queries", "10", "--out", out.toString()
            }));
    String md = Files.readString(out.resolve("sim.md"));
    assertTrue(md.contains("| 120 | summary |"), md);
    assertEquals(
        1 + 6, Files.readAllLines(out.resolve("sim.csv")).size(), "a header and 2 sizes x 3 modes");
    String svg = Files.readString(out.resolve("sim.svg"));
    assertTrue(svg.startsWith("<svg") && svg.contains("N=120") && svg.trim().endsWith("</svg>"));
    try (var files = Files.list(out)) {
      assertEquals(3, files.count(), "no temporary files left behind");
    }
  }

  @Test
  void badOptionsAreUsageErrors() {
    for (String[] args :
        new String[][] {
          {"simulate", "--nodes", "1"},
          {"simulate", "--modes", "gossip"},
          {"simulate", "--summary-bits", "1000"},
          {"simulate", "--latency", "9-3"},
          {"simulate", "--topology", "ring"},
          {"livecheck", "--peers", "1"},
          {"livecheck", "--degree", "x"}
        }) {
      assertEquals(2, Cli.run(args), String.join(" ", args));
    }
  }
}
