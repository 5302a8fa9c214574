package io.peerd.rpc;

import com.google.protobuf.InvalidProtocolBufferException;
import io.peerd.http.Exchange;
import io.peerd.rpc.proto.DownloadRequest;
import io.peerd.rpc.proto.FileRequest;
import io.peerd.transfer.Chunk;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.HttpVersion;
import io.vertx.grpc.common.GrpcStatus;
import io.vertx.grpc.common.impl.Utils;
import io.vertx.grpc.server.StatusException;

/**
 * {@code Download} and {@code DummyDownload} served straight on their HTTP/2 stream, the gRPC
 * framing written here; every other call, and these two in gRPC-Web or compressed, go on to
 * Vert.x's gRPC server.
 *
 * <p>Why: Vert.x's gRPC server copies each message into a fresh zeroed array to put the 5-byte
 * prefix in front of it ({@code GrpcMessageImpl.encode}), and a download is nothing but messages of
 * file bytes. Here the prefix goes into the message's own small head ({@link ChunkWire#framed}), so
 * the file's bytes are never copied on their way to the socket. The wire is the same: the same
 * messages, headers, trailers and statuses ({@link FileTransferRpc#stream} makes every decision for
 * both paths).
 */
final class RawDownloads implements Handler<HttpServerRequest> {

  static final String DOWNLOAD = "/p2p.FileTransfer/Download";
  static final String DUMMY_DOWNLOAD = "/p2p.FileTransfer/DummyDownload";

  /** A request message larger than this is no DownloadRequest: it is not buffered further. */
  static final int MAX_REQUEST = 64 * 1024;

  private final FileTransferRpc rpc;
  private final Handler<HttpServerRequest> grpc;
  private final Handler<Exchange> arriving;

  RawDownloads(FileTransferRpc rpc, Handler<HttpServerRequest> grpc, Handler<Exchange> arriving) {
    this.rpc = rpc;
    this.grpc = grpc;
    this.arriving = arriving;
  }

  @Override
  public void handle(HttpServerRequest req) {
    boolean raw = takes(req);
    // Made as the call arrives: a reset that comes while the file opens is not missed.
    Exchange exchange = raw || arriving != null ? Exchange.of(req.response()) : null;
    if (arriving != null) {
      arriving.handle(exchange);
    }
    if (!raw) {
      grpc.handle(req);
      return;
    }
    boolean download = DOWNLOAD.equals(req.path());
    String method = download ? "Download" : "DummyDownload";
    Raw answer = new Raw(req.response(), exchange, download);
    StatusException refused = rpc.refused(false, req.getHeader("authorization"));
    if (refused != null) {
      rpc.fail(method, answer, refused);
      return;
    }
    Buffer got = Buffer.buffer();
    boolean[] started = {false};
    req.handler(
        buf -> {
          if (started[0]) {
            return; // a server-streaming call has one request message: the rest is ignored
          }
          got.appendBuffer(buf);
          if (got.length() < ChunkWire.PREFIX) {
            return;
          }
          long length = got.getUnsignedInt(1);
          if (length > MAX_REQUEST) {
            started[0] = true;
            rpc.fail(
                method,
                answer,
                new StatusException(
                    GrpcStatus.RESOURCE_EXHAUSTED, "a request message of " + length + " bytes"));
            return;
          }
          if (got.length() < ChunkWire.PREFIX + length) {
            return;
          }
          started[0] = true;
          if ((got.getByte(0) & 1) != 0) {
            // Compressed without a grpc-encoding: the client broke the protocol.
            rpc.fail(
                method,
                answer,
                new StatusException(GrpcStatus.INTERNAL, "a compressed message, no encoding"));
            return;
          }
          byte[] message = got.getBytes(ChunkWire.PREFIX, ChunkWire.PREFIX + (int) length);
          String client = clientOf(req);
          try {
            if (download) {
              DownloadRequest r = DownloadRequest.parseFrom(message);
              rpc.stream(
                  method,
                  client,
                  answer,
                  r.getRoot().isEmpty() ? r.getFilename() : null,
                  r.getRoot(),
                  r.getOffset(),
                  r.getLength(),
                  true);
            } else {
              FileRequest r = FileRequest.parseFrom(message);
              rpc.stream(method, client, answer, r.getFilename(), "", 0, 0, false);
            }
          } catch (InvalidProtocolBufferException bad) {
            rpc.fail(
                method,
                answer,
                new StatusException(GrpcStatus.INVALID_ARGUMENT, "a malformed request message"));
          } catch (RuntimeException e) {
            // vertx-grpc answered a handler's exception; so must we, or the client waits forever.
            rpc.fail(method, answer, e);
          }
        });
    req.endHandler(
        v -> {
          if (!started[0]) {
            started[0] = true;
            rpc.fail(
                method,
                answer,
                new StatusException(GrpcStatus.INVALID_ARGUMENT, "no request message"));
          }
        });
  }

  /** Plain gRPC over HTTP/2, uncompressed, to one of the two methods. */
  static boolean takes(HttpServerRequest req) {
    if (req.version() != HttpVersion.HTTP_2 || req.method() != HttpMethod.POST) {
      return false;
    }
    String path = req.path();
    if (!DOWNLOAD.equals(path) && !DUMMY_DOWNLOAD.equals(path)) {
      return false;
    }
    String type = req.getHeader("content-type");
    if (!"application/grpc".equals(type) && !"application/grpc+proto".equals(type)) {
      return false;
    }
    String encoding = req.getHeader("grpc-encoding");
    return encoding == null || "identity".equals(encoding);
  }

  private static String clientOf(HttpServerRequest req) {
    var addr = req.connection().remoteAddress();
    return addr == null || addr.host() == null ? "unknown" : addr.host();
  }

  /** The gRPC response on the HTTP/2 stream itself, as Vert.x's gRPC server frames it. */
  private static final class Raw implements FileTransferRpc.Answer {
    private final HttpServerResponse response;
    private final Exchange exchange;
    private final boolean withOffsets;

    Raw(HttpServerResponse response, Exchange exchange, boolean withOffsets) {
      this.response = response;
      this.exchange = exchange;
      this.withOffsets = withOffsets;
      response.putHeader("content-type", "application/grpc");
      // As Vert.x's gRPC server says it: a compressed request is taken (it goes to that server).
      response.putHeader("grpc-accept-encoding", "gzip");
    }

    @Override
    public Future<Void> write(Chunk c) {
      return response.write(ChunkWire.framed(c.data(), c.seq(), c.offset(), withOffsets));
    }

    @Override
    public boolean writeQueueFull() {
      return response.writeQueueFull();
    }

    @Override
    public void drainHandler(Handler<Void> handler) {
      response.drainHandler(handler);
    }

    @Override
    public void end() {
      if (!response.ended() && !response.closed()) {
        response.putTrailer("grpc-status", String.valueOf(GrpcStatus.OK.code));
        response.end();
      }
    }

    @Override
    public void fail(StatusException status) {
      if (response.ended() || response.closed()) {
        return; // the client reset the stream first: there is nobody left to tell
      }
      String code = String.valueOf(status.status().code);
      String message = status.message() == null ? null : Utils.utf8PercentEncode(status.message());
      if (!response.headWritten()) {
        // Nothing sent yet: trailers only, in the headers, as gRPC has it.
        response.putHeader("grpc-status", code);
        if (message != null) {
          response.putHeader("grpc-message", message);
        }
      } else {
        response.putTrailer("grpc-status", code);
        if (message != null) {
          response.putTrailer("grpc-message", message);
        }
      }
      response.end();
    }

    @Override
    public void cancel() {
      if (!response.ended() && !response.closed()) {
        response.reset(8); // CANCEL, as Vert.x's gRPC server resets a stream
      }
    }

    @Override
    public void onReset(Runnable reset) {
      response.exceptionHandler(err -> reset.run());
      // The exchange's end and close handlers are the response's: ended or not tells a reset.
      // A reset that came while the file opened on a worker runs this at once.
      exchange.onEnd(
          () -> {
            if (!response.ended()) {
              reset.run();
            }
          });
    }
  }
}
