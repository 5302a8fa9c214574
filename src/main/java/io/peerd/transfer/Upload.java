package io.peerd.transfer;

import io.peerd.config.PeerConfig.UploadSettings;
import io.peerd.index.Names;
import io.peerd.index.Sha256;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.file.AsyncFile;
import io.vertx.core.file.OpenOptions;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.UUID;

/**
 * One upload into {@code <shared_dir>/<upload_dir>}: refused before any byte is written when it
 * cannot succeed (disabled, bad name, over quota, exists, no room); written to a hidden temporary
 * file the index never shows; renamed into place only when size and SHA-256 match. Any other end
 * (mismatch, cut stream, abort) deletes the temporary file; one left by a crash is removed at the
 * next start ({@link #cleanLeftovers}).
 */
public final class Upload {

  /**
   * What the client announced before its data.
   *
   * @param sha256 the content's hash, checked before the file is placed; null when the client
   *     announced none (an HTTP upload may omit it: the size is still checked). gRPC always
   *     announces one (an absent proto field is "", which is refused)
   */
  public record Request(String name, long size, String sha256, boolean overwrite) {}

  /** A finished upload, by its shared name (upload folder included). */
  public record Result(String sharedName, long size, String sha256) {}

  static final String TEMP_PREFIX = ".upload-";
  static final String TEMP_SUFFIX = ".part";

  /** Room kept free on the disk beyond the upload itself. */
  static final long DISK_MARGIN = 16L << 20;

  private final WorkerExecutor worker;
  private final Request request;
  private final Path temp;
  private final Path target;
  private final String sharedName;
  private final AsyncFile file;
  private long received;
  private boolean done;
  private Throwable writeFailure;

  private Upload(
      WorkerExecutor worker,
      Request request,
      Path temp,
      Path target,
      String sharedName,
      AsyncFile file) {
    this.worker = worker;
    this.request = request;
    this.temp = temp;
    this.target = target;
    this.sharedName = sharedName;
    this.file = file;
    file.exceptionHandler(err -> writeFailure = err);
  }

  /** Checks that need no disk: run first so that obviously bad requests cost nothing. */
  static void validate(UploadSettings settings, Request r) {
    if (!settings.accept()) {
      throw new UploadRefused(UploadRefused.Kind.DISABLED, "this peer does not accept uploads");
    }
    String problem = Names.problem(r.name());
    if (problem == null) {
      for (String segment : r.name().split("/")) {
        if (Names.isHidden(segment)) {
          problem = "hidden names are never shared";
        }
      }
    }
    if (problem != null) {
      throw new UploadRefused(UploadRefused.Kind.BAD_REQUEST, "bad filename: " + problem);
    }
    if (r.size() < 0) {
      throw new UploadRefused(UploadRefused.Kind.BAD_REQUEST, "size must not be negative");
    }
    if (r.sha256() != null && !r.sha256().matches("[0-9a-f]{64}")) {
      throw new UploadRefused(
          UploadRefused.Kind.BAD_REQUEST, "sha256 must be 64 lowercase hex characters");
    }
    if (r.size() > settings.maxBytes()) {
      throw new UploadRefused(
          UploadRefused.Kind.TOO_LARGE,
          "size " + r.size() + " is above the upload quota of " + settings.maxBytes() + " bytes");
    }
    if (r.overwrite() && !settings.overwrite()) {
      throw new UploadRefused(
          UploadRefused.Kind.BAD_REQUEST, "this peer does not allow overwriting files");
    }
  }

  /**
   * Prepares the folder and the temporary file on the worker, for a request that passed {@link
   * #validate} (the {@link Uploads} session checks it first, before it takes a slot).
   */
  static Future<Upload> begin(
      Vertx vertx, WorkerExecutor worker, Path sharedRoot, UploadSettings settings, Request r) {
    String sharedName = settings.dir() + "/" + r.name();
    return worker
        .<Path[]>executeBlocking(() -> prepare(sharedRoot, settings, r, sharedName), false)
        .compose(
            paths ->
                vertx
                    .fileSystem()
                    .open(paths[0].toString(), new OpenOptions().setWrite(true).setCreateNew(true))
                    .map(file -> new Upload(worker, r, paths[0], paths[1], sharedName, file)));
  }

  /**
   * @return {temp file, final path}
   */
  private static Path[] prepare(
      Path sharedRoot, UploadSettings settings, Request r, String sharedName) throws IOException {
    Path root = sharedRoot.toRealPath();
    Path dir = Files.createDirectories(root.resolve(settings.dir()));
    Path target = root.resolve(sharedName).normalize();
    Path parent = Files.createDirectories(target.getParent());
    // A folder on the way may be a symlink planted in the share: never write outside it.
    if (!dir.toRealPath().startsWith(root) || !parent.toRealPath().startsWith(root)) {
      throw new UploadRefused(
          UploadRefused.Kind.BAD_REQUEST, "the upload folder leads outside the shared folder");
    }
    if (Files.exists(target, java.nio.file.LinkOption.NOFOLLOW_LINKS)
        && (!r.overwrite() || Files.isDirectory(target))) {
      throw new UploadRefused(UploadRefused.Kind.EXISTS, sharedName + " already exists");
    }
    long free = Files.getFileStore(dir).getUsableSpace();
    if (free < r.size() + DISK_MARGIN) {
      throw new UploadRefused(
          UploadRefused.Kind.NO_SPACE,
          "not enough free disk space: " + free + " bytes free, " + r.size() + " needed");
    }
    return new Path[] {dir.resolve(TEMP_PREFIX + UUID.randomUUID() + TEMP_SUFFIX), target};
  }

  public String sharedName() {
    return sharedName;
  }

  public long received() {
    return received;
  }

  /** Appends data; more than the announced size fails at once, before it is written. */
  public void write(Buffer data) {
    if (done) {
      return;
    }
    received += data.length();
    if (received > request.size()) {
      throw new UploadRefused(
          UploadRefused.Kind.SIZE_MISMATCH,
          "more data than the announced " + request.size() + " bytes");
    }
    file.write(data);
  }

  public boolean writeQueueFull() {
    return file.writeQueueFull();
  }

  public void drainHandler(Handler<Void> handler) {
    file.drainHandler(handler);
  }

  /** Closes, verifies size and hash off the event loop, renames into place. */
  public Future<Result> finish() {
    if (done) {
      return Future.failedFuture(new UploadRefused(UploadRefused.Kind.IO, "upload already ended"));
    }
    done = true;
    return file.close()
        .compose(v -> worker.<Result>executeBlocking(this::verifyAndPlace, false))
        .recover(err -> deleteTemp().transform(x -> Future.failedFuture(err)));
  }

  private Result verifyAndPlace() throws IOException {
    if (writeFailure != null) {
      throw new UploadRefused(
          UploadRefused.Kind.IO, "write failed: " + writeFailure.getMessage(), writeFailure);
    }
    if (received != request.size()) {
      throw new UploadRefused(
          UploadRefused.Kind.SIZE_MISMATCH,
          "received " + received + " bytes, announced " + request.size());
    }
    String actual = Sha256.of(temp);
    if (request.sha256() != null && !actual.equals(request.sha256())) {
      throw new UploadRefused(
          UploadRefused.Kind.HASH_MISMATCH,
          "SHA-256 mismatch: received " + actual + ", announced " + request.sha256());
    }
    // Confirmed means on the disk: the bytes before the name points at them, the name after.
    Durable.sync(temp);
    try {
      if (request.overwrite()) {
        Files.move(
            temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } else {
        // Someone may have created the name since begin(): a link never replaces a file.
        Files.createLink(target, temp);
        Files.delete(temp);
      }
    } catch (FileAlreadyExistsException e) {
      throw new UploadRefused(UploadRefused.Kind.EXISTS, sharedName + " already exists");
    }
    Durable.syncFolder(target.getParent());
    return new Result(sharedName, received, actual);
  }

  /** The client went away or the stream failed: nothing of it stays in the share. */
  public Future<Void> abort() {
    if (done) {
      return Future.succeededFuture();
    }
    done = true;
    return file.close().transform(v -> deleteTemp());
  }

  private Future<Void> deleteTemp() {
    return worker.executeBlocking(
        () -> {
          Files.deleteIfExists(temp);
          return null;
        },
        false);
  }

  /** Removes temporary files a crash left behind. Blocking: call on a worker. */
  public static int cleanLeftovers(Path sharedRoot, String uploadDir) throws IOException {
    Path dir = sharedRoot.resolve(uploadDir);
    if (!Files.isDirectory(dir, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
      return 0;
    }
    int n = 0;
    try (DirectoryStream<Path> s = Files.newDirectoryStream(dir, TEMP_PREFIX + "*" + TEMP_SUFFIX)) {
      for (Path p : s) {
        Files.deleteIfExists(p);
        n++;
      }
    }
    return n;
  }
}
