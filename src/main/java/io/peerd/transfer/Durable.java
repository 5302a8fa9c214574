package io.peerd.transfer;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * What makes a file confirmed to a client survive a power cut, not just a crash of the process: its
 * bytes on the disk before it is renamed into place, and the folder's new entry after. Blocking:
 * call on a worker.
 */
public final class Durable {

  private Durable() {}

  /** The file's bytes and size on the disk. */
  public static void sync(Path file) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
      ch.force(true);
    }
  }

  /**
   * The folder's entries on the disk (a rename or a link is an entry). Linux and macOS allow this
   * on a folder opened for reading; where a system does not, there is nothing more to do.
   */
  public static void syncFolder(Path dir) {
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    } catch (IOException notSupportedHere) {
      // Windows cannot open a folder as a channel; its renames are durable on their own terms.
    }
  }
}
