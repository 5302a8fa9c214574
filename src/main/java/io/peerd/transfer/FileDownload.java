package io.peerd.transfer;

import io.peerd.index.Sha256;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.file.AsyncFile;
import io.vertx.core.file.OpenOptions;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Locale;

/**
 * The download engine: fetches a {@link Source} into a file, resumably and verified. Bytes go to
 * {@code NAME.part}; a run after an interruption asks only for what the part lacks; the part
 * becomes the file only when its SHA-256 matches what the source advertised, by an atomic rename,
 * so the file is either absent or whole and right. A mismatch deletes the part.
 *
 * <p>Nothing here blocks the caller's event loop: the part's size, its hash and the rename run
 * through {@code executeBlocking}. A seed peer has no {@code Download}: a run from byte 0 falls
 * back to its {@code DummyDownload}.
 */
public final class FileDownload {

  /** A finished download. {@code fetched} counts only the bytes this run transferred. */
  public record Result(Path file, long size, long resumedFrom, long fetched, String sha256) {}

  private final Vertx vertx;
  private final FileTransfers net;

  public FileDownload(Vertx vertx, FileTransfers net) {
    this.vertx = vertx;
    this.net = net;
  }

  /**
   * @param progress told where the run starts, then of every piece of bytes as it arrives
   * @param stopAfter cut this run after that many bytes, as a dropped connection would (-1: never)
   */
  public Future<Result> run(Source s, Path out, Progress progress, long stopAfter) {
    Path part = out.resolveSibling(out.getFileName() + ".part");
    return vertx
        .executeBlocking(() -> resumeFrom(part, s.size()), false)
        .compose(offset -> fetch(s, part, offset, progress, stopAfter))
        .compose(run -> vertx.executeBlocking(() -> verifyAndPlace(s, part, out, run), false));
  }

  /** What one run fetched: from where, and how many bytes. */
  private record Run(long from, long fetched) {}

  /** What the part already holds; a part longer than the file is from something else: dropped. */
  private static long resumeFrom(Path part, long size) throws Exception {
    long offset = Files.exists(part) ? Files.size(part) : 0;
    if (size >= 0 && offset > size) {
      Files.delete(part);
      offset = 0;
    }
    return offset;
  }

  private Future<Run> fetch(Source s, Path part, long offset, Progress progress, long stopAfter) {
    if (s.size() >= 0 && offset >= s.size()) {
      progress.start(offset);
      return Future.succeededFuture(new Run(offset, 0));
    }
    return vertx
        .fileSystem()
        .open(part.toString(), new OpenOptions().setWrite(true).setCreate(true).setAppend(true))
        .compose(
            file -> {
              progress.start(offset);
              Received into = new Received(file, progress::moved, stopAfter);
              Future<Run> moved =
                  net.download(s.grpc(), s.name(), offset, into)
                      .map(n -> new Run(offset, n))
                      .recover(
                          err ->
                              isUnsupported(err)
                                  ? fromTheStart(s, part, file, into, progress)
                                  : Future.failedFuture(err));
              // Always closed (flushed), whether the transfer ended well or not.
              return moved.eventually(file::close);
            });
  }

  /**
   * A seed peer has no Download, only DummyDownload, which sends the whole file: what a part holds
   * cannot be resumed from there, so it starts again at byte 0.
   */
  private Future<Run> fromTheStart(
      Source s, Path part, AsyncFile file, Received into, Progress progress) {
    return vertx
        .executeBlocking(
            () -> {
              try (FileChannel ch = FileChannel.open(part, StandardOpenOption.WRITE)) {
                ch.truncate(0);
              }
              return null;
            },
            false)
        .compose(
            v -> {
              // The open file keeps its own write position: back to the start with the file.
              file.setWritePos(0);
              progress.start(0);
              return net.dummyDownload(s.grpc(), s.name(), into).map(n -> new Run(0, n));
            });
  }

  private static boolean isUnsupported(Throwable err) {
    return err instanceof TransferFailure f && f.reason() == TransferFailure.Reason.UNSUPPORTED;
  }

  private static Result verifyAndPlace(Source s, Path part, Path out, Run run) throws Exception {
    String sha = Sha256.of(part);
    String expected = s.sha256() == null ? "" : s.sha256().toLowerCase(Locale.ROOT);
    // A seed peer advertises the first 16 characters only.
    boolean matches =
        expected.length() == 64
            ? sha.equals(expected)
            : expected.length() >= 16 && sha.startsWith(expected);
    if (!matches) {
      Files.deleteIfExists(part);
      throw new TransferFailure(
          TransferFailure.Reason.CORRUPT,
          "DATA_LOSS",
          "checksum mismatch for "
              + s.name()
              + ": got "
              + sha
              + ", expected "
              + (expected.isEmpty() ? "(none advertised)" : expected)
              + "; the partial file was deleted");
    }
    // Saved means on the disk: the bytes before the name points at them, the name after.
    Durable.sync(part);
    Files.move(part, out, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    Durable.syncFolder(out.toAbsolutePath().getParent());
    return new Result(out, Files.size(out), run.from(), run.fetched(), sha);
  }
}
