package io.peerd.cli;

import io.peerd.routing.Mode;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine;

/** What the simulate and livecheck verbs share: their usage errors and option parsing. */
abstract class ExperimentCommand {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  /** A bad option is a usage error: exit 2 with the option named, like picocli's own checks. */
  CommandLine.ParameterException usage(String message) {
    return new CommandLine.ParameterException(spec.commandLine(), message);
  }

  List<Mode> modes(List<String> names) {
    List<Mode> out = new ArrayList<>();
    for (String m : names) {
      try {
        out.add(Mode.parse(m.trim()));
      } catch (IllegalArgumentException e) {
        throw usage("--modes: " + e.getMessage());
      }
    }
    return out;
  }

  IntRange range(String option, String text) {
    try {
      return IntRange.parse(text);
    } catch (IllegalArgumentException e) {
      throw usage(option + ": " + e.getMessage());
    }
  }
}
