package io.peerd.cli;

import com.google.protobuf.UnsafeByteOperations;
import io.peerd.index.Sha256;
import io.peerd.rpc.proto.DownloadRequest;
import io.peerd.rpc.proto.FileChunk;
import io.peerd.rpc.proto.FileRequest;
import io.peerd.rpc.proto.FileTransferGrpcClient;
import io.peerd.rpc.proto.UploadChunk;
import io.peerd.rpc.proto.UploadResult;
import io.peerd.rpc.proto.UploadStatus;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.file.AsyncFile;
import io.vertx.core.file.OpenOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.SocketAddress;
import io.vertx.grpc.client.GrpcClientResponse;
import io.vertx.grpc.common.GrpcStatus;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;

/**
 * The client side of file transfer, used by the CLI verbs and by tests: find a file, download it
 * resumably and verified, upload one. Network work runs on the client's event loop; the caller's
 * thread only waits (it is the CLI's main thread, or a test thread).
 */
final class Transfers {

  /** Where a file can be fetched from, and what it must hash to. */
  record Source(String peer, String name, long size, String checksum, SocketAddress grpc) {}

  /** A finished download. {@code fetched} counts only the bytes this run transferred. */
  record Downloaded(Path file, long size, long resumedFrom, long fetched, String sha256) {}

  /** A gRPC call answered with a non-OK status, with the peer's own message. */
  static final class StatusFailure extends Client.Failure {
    final GrpcStatus status;

    StatusFailure(GrpcStatus status, String message) {
      super(status.name() + (message == null || message.isEmpty() ? "" : ": " + message));
      this.status = status;
    }
  }

  static final Duration REST_TIMEOUT = Duration.ofSeconds(10);
  /** Upper bound on a whole transfer; a stalled one fails long before through gRPC's own errors. */
  static final Duration TRANSFER_TIMEOUT = Duration.ofHours(12);

  private Transfers() {}

  /** The peer's own file of that name, else the first exact match a search finds. */
  static Source locate(Client c, String peerUrl, String name) {
    JsonObject files = c.getJson(peerUrl, "/files", REST_TIMEOUT);
    for (Object o : files.getJsonArray("files", new JsonArray())) {
      if (o instanceof JsonObject f && name.equals(f.getString("name"))) {
        return source(peerUrl, f);
      }
    }
    JsonObject answer = c.getJson(peerUrl, "/search?query=" + URLEncoder.encode(name, StandardCharsets.UTF_8),
        REST_TIMEOUT);
    for (Object r : answer.getJsonArray("results", new JsonArray())) {
      if (!(r instanceof JsonObject result)) {
        continue;
      }
      for (Object o : result.getJsonArray("files", new JsonArray())) {
        if (o instanceof JsonObject f && name.equals(f.getString("name"))) {
          return source(result.getString("peer", peerUrl), f);
        }
      }
    }
    throw new Client.Failure("no peer reachable from " + peerUrl + " shares " + name);
  }

  private static Source source(String peer, JsonObject f) {
    String grpc = f.getString("grpc");
    // Our peers serve gRPC on the REST port too; a grpc:// address is preferred when given.
    SocketAddress addr = Client.grpcAddress(grpc != null && grpc.startsWith("grpc://") ? grpc : peer);
    return new Source(peer, f.getString("name"), f.getLong("size", -1L), f.getString("checksum", ""), addr);
  }

  /**
   * Downloads into {@code out}: bytes go to {@code out.part}, a run after an interruption asks
   * only for what the part lacks, and the part becomes {@code out} only when its SHA-256 matches.
   *
   * @param stopAfter for tests: cut the stream after this many bytes of this run (-1: never)
   */
  static Downloaded download(Client c, Source s, Path out, long stopAfter, boolean tty) throws IOException {
    Path part = out.resolveSibling(out.getFileName() + ".part");
    long offset = Files.exists(part) ? Files.size(part) : 0;
    if (s.size() >= 0 && offset > s.size()) {
      Files.delete(part);
      offset = 0;
    }
    long fetched = 0;
    if (s.size() < 0 || offset < s.size()) {
      Progress progress = new Progress(System.err, s.name(), s.size(), offset, tty);
      long from = offset;
      fetched = Client.await(fetch(c, s, part, from, stopAfter, progress)
          .recover(err -> err instanceof StatusFailure sf && sf.status == GrpcStatus.UNIMPLEMENTED && from == 0
              // A seed peer has no Download: its DummyDownload sends the whole file.
              ? fetchDummy(c, s, part, progress) : Future.failedFuture(err)), TRANSFER_TIMEOUT);
      progress.finish();
    }
    String sha = Sha256.of(part);
    String expected = s.checksum() == null ? "" : s.checksum().toLowerCase();
    boolean matches = expected.length() == 64 ? sha.equals(expected)
        : expected.length() >= 16 && sha.startsWith(expected); // the seed's 16-character checksums
    if (!matches) {
      Files.deleteIfExists(part);
      throw new Client.Failure("checksum mismatch for " + s.name() + ": got " + sha + ", expected "
          + (expected.isEmpty() ? "(none advertised)" : expected) + "; the partial file was deleted");
    }
    Files.move(part, out, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    return new Downloaded(out, Files.size(out), offset, fetched, sha);
  }

  private static Future<Long> fetch(Client c, Source s, Path part, long offset, long stopAfter, Progress progress) {
    DownloadRequest req = DownloadRequest.newBuilder().setFilename(s.name()).setOffset(offset).build();
    return appendTo(c, part, file -> c.grpc.request(s.grpc(), FileTransferGrpcClient.Download)
        .compose(call -> call.send(req).compose(resp -> {
          Promise<Long> done = Promise.promise();
          long[] got = {0};
          resp.handler(chunk -> {
            if (done.future().isComplete()) {
              return; // cut or failed: chunks still in flight are not written to a closed file
            }
            if (chunk.getOffset() != offset + got[0]) {
              done.tryFail(new Client.Failure("chunk at offset " + chunk.getOffset() + ", expected " + (offset + got[0])));
              call.cancel();
              return;
            }
            got[0] += write(file, resp, chunk, progress);
            if (stopAfter >= 0 && got[0] >= stopAfter && !done.future().isComplete()) {
              call.cancel();
              done.tryFail(new Client.Failure("stopped after " + got[0] + " bytes"));
            }
          });
          endWithStatus(resp, done, got);
          return done.future();
        })));
  }

  private static Future<Long> fetchDummy(Client c, Source s, Path part, Progress progress) {
    FileRequest req = FileRequest.newBuilder().setFilename(s.name()).build();
    return appendTo(c, part, file -> c.grpc.request(s.grpc(), FileTransferGrpcClient.DummyDownload)
        .compose(call -> call.send(req).compose(resp -> {
          Promise<Long> done = Promise.promise();
          long[] got = {0};
          resp.handler(chunk -> got[0] += write(file, resp, chunk, progress));
          endWithStatus(resp, done, got);
          return done.future();
        })));
  }

  private static long write(AsyncFile file, GrpcClientResponse<?, FileChunk> resp, FileChunk chunk, Progress progress) {
    Buffer b = Buffer.buffer(chunk.getData().toByteArray());
    file.write(b);
    progress.advance(b.length());
    if (file.writeQueueFull()) {
      resp.pause();
      file.drainHandler(v -> resp.resume());
    }
    return b.length();
  }

  private static void endWithStatus(GrpcClientResponse<?, ?> resp, Promise<Long> done, long[] got) {
    resp.exceptionHandler(err -> done.tryFail(Client.translate(err)));
    resp.endHandler(v -> {
      if (resp.status() != null && resp.status() != GrpcStatus.OK) {
        done.tryFail(new StatusFailure(resp.status(), resp.statusMessage()));
      } else {
        done.tryComplete(got[0]);
      }
    });
  }

  /** Opens the part file for appending, runs the transfer, and always closes (flushes) it. */
  private static Future<Long> appendTo(Client c, Path part,
      java.util.function.Function<AsyncFile, Future<Long>> transfer) {
    return c.vertx.fileSystem()
        .open(part.toString(), new OpenOptions().setWrite(true).setCreate(true).setAppend(true))
        .compose(file -> transfer.apply(file).transform(ar -> file.close().transform(x -> ar.succeeded()
            ? Future.succeededFuture(ar.result()) : Future.failedFuture(ar.cause()))));
  }

  /** Uploads a local file; the peer verifies size and SHA-256 before it shares it. */
  static UploadResult upload(Client c, SocketAddress grpc, Path file, String name, boolean overwrite,
      String token, boolean tty) throws IOException {
    long size = Files.size(file);
    String sha = Sha256.of(file);
    Progress progress = new Progress(System.err, name, size, 0, tty);
    UploadChunk header = UploadChunk.newBuilder().setFilename(name).setSize(size).setSha256(sha)
        .setOverwrite(overwrite).build();
    Future<UploadResult> f = c.grpc.request(grpc, FileTransferGrpcClient.Upload).compose(call -> {
      if (token != null) {
        call.headers().set("authorization", "Bearer " + token);
      }
      call.write(header);
      Future<GrpcClientResponse<UploadChunk, UploadResult>> response = call.response();
      c.vertx.fileSystem().open(file.toString(), new OpenOptions().setRead(true)).onSuccess(in -> {
        in.setReadBufferSize(64 * 1024);
        // The peer may refuse after the header: stop reading the file then.
        response.onSuccess(r -> in.pause());
        in.handler(buf -> {
          call.write(UploadChunk.newBuilder().setData(UnsafeByteOperations.unsafeWrap(buf.getBytes())).build());
          progress.advance(buf.length());
          if (call.writeQueueFull()) {
            in.pause();
            call.drainHandler(v -> in.resume());
          }
        });
        in.endHandler(v -> call.end());
      }).onFailure(err -> call.cancel());
      return response.compose(resp -> resp.last().recover(err -> resp.status() != null && resp.status() != GrpcStatus.OK
          ? Future.failedFuture(new StatusFailure(resp.status(), resp.statusMessage()))
          : Future.failedFuture(err)));
    });
    UploadResult result = Client.await(f, TRANSFER_TIMEOUT);
    progress.finish();
    return result;
  }

  /** The seed client's DummyUpload: {@code bytes} zero bytes in 64 KiB chunks. */
  static UploadStatus dummyUpload(Client c, SocketAddress grpc, long bytes) {
    Future<UploadStatus> f = c.grpc.request(grpc, FileTransferGrpcClient.DummyUpload).compose(call -> {
      long[] sent = {0, 0};
      byte[] chunk = new byte[64 * 1024];
      Runnable[] pump = new Runnable[1];
      // Write until the stream is full, then continue from its drain handler: flat memory.
      pump[0] = () -> {
        while (sent[0] < bytes && !call.writeQueueFull()) {
          int n = (int) Math.min(chunk.length, bytes - sent[0]);
          call.write(FileChunk.newBuilder().setData(UnsafeByteOperations.unsafeWrap(chunk, 0, n))
              .setSeq((int) ++sent[1]).build());
          sent[0] += n;
        }
        if (sent[0] < bytes) {
          call.drainHandler(v -> pump[0].run());
        } else {
          call.end();
        }
      };
      pump[0].run();
      return call.response().compose(resp -> resp.last());
    });
    return Client.await(f, TRANSFER_TIMEOUT);
  }

  /** The seed client's DummyDownload: counts chunks and bytes. */
  static long[] dummyDownload(Client c, SocketAddress grpc, String name) {
    FileRequest req = FileRequest.newBuilder().setFilename(name).build();
    Future<long[]> f = c.grpc.request(grpc, FileTransferGrpcClient.DummyDownload)
        .compose(call -> call.send(req).compose(resp -> {
          Promise<Long> done = Promise.promise();
          long[] got = {0, 0};
          resp.handler(chunk -> {
            got[0]++;
            got[1] += chunk.getData().size();
          });
          endWithStatus(resp, done, new long[1]);
          return done.future().map(x -> got);
        }));
    return Client.await(f, TRANSFER_TIMEOUT);
  }

  /** Downloads and discards a whole file: measures the transfer alone (bench/transfer.sh). */
  static long drain(Client c, Source s) {
    DownloadRequest req = DownloadRequest.newBuilder().setFilename(s.name()).build();
    return Client.await(c.grpc.request(s.grpc(), FileTransferGrpcClient.Download)
        .compose(call -> call.send(req).compose(resp -> {
          Promise<Long> done = Promise.promise();
          long[] got = {0};
          resp.handler(chunk -> got[0] += chunk.getData().size());
          endWithStatus(resp, done, got);
          return done.future();
        })), TRANSFER_TIMEOUT);
  }
}
