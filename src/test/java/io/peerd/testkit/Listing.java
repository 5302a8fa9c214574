package io.peerd.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;

/** What a peer left in a folder, hidden temporary files included: for "leaves nothing behind". */
public final class Listing {

  private Listing() {}

  /** The regular files under {@code dir}, relative to it, sorted; none when it does not exist. */
  public static List<String> files(Path dir) {
    // A peer deletes temporary files on a worker while a test looks: a file that vanishes during
    // the walk means "look again", not a test error.
    for (int attempt = 0; ; attempt++) {
      if (!Files.exists(dir)) {
        return List.of();
      }
      try (Stream<Path> s = Files.walk(dir)) {
        return s.filter(Files::isRegularFile)
            .map(p -> dir.relativize(p).toString())
            .sorted()
            .toList();
      } catch (UncheckedIOException e) {
        if (!(e.getCause() instanceof NoSuchFileException) || attempt >= 10) {
          throw e;
        }
      } catch (NoSuchFileException e) {
        if (attempt >= 10) {
          throw new UncheckedIOException(e);
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  /**
   * Waits until nothing is left under {@code dir}: a peer removes a temporary file on a worker,
   * possibly after it has answered. An AssertionError naming what is left when {@code bound}
   * passes.
   */
  public static void emptyWithin(String what, Path dir, Duration bound) {
    try {
      Await.until(what, bound, () -> files(dir).isEmpty());
    } catch (AssertionError e) {
      throw new AssertionError(e.getMessage() + "; left: " + files(dir), e);
    }
  }

  /** Whether some file under {@code dir} has taken data: an upload's temporary file, mid-way. */
  public static boolean anyWithData(Path dir) {
    return files(dir).stream()
        .anyMatch(
            name -> {
              try {
                return Files.size(dir.resolve(name)) > 0;
              } catch (NoSuchFileException gone) {
                return false;
              } catch (IOException e) {
                throw new UncheckedIOException(e);
              }
            });
  }
}
