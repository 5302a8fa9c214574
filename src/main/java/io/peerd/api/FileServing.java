package io.peerd.api;

import io.peerd.Monotonic;
import io.peerd.http.Exchange;
import io.peerd.index.FileEntry;
import io.peerd.index.FileIndex;
import io.peerd.index.Names;
import io.peerd.metrics.Metrics;
import io.peerd.transfer.Bandwidth;
import io.peerd.transfer.ByteRange;
import io.peerd.transfer.ChunkSink;
import io.peerd.transfer.FileStreamer;
import io.peerd.transfer.PartialContent;
import io.peerd.transfer.RateLimiter;
import io.peerd.transfer.SmallFileCache;
import io.peerd.wire.Magnet;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.MimeMapping;
import io.vertx.ext.web.RoutingContext;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;

/**
 * {@code GET|HEAD /files/{name}}: a shared file over HTTP with zero-copy {@code sendFile}, strong
 * ETag (the SHA-256), single byte ranges, conditional requests. Only names in the index are ever
 * opened, so no encoding trick reaches a file outside the share. Under {@code upload_rate_limit}
 * the bytes are streamed through the shared limit instead of {@code sendFile}.
 */
final class FileServing {

  static final String PREFIX = "/files/";

  private final FileIndex index;
  private final RateLimiter downloads;
  private final Metrics metrics;
  private final Bandwidth served;
  private final long idleMillis;
  private final SmallFileCache small = new SmallFileCache(64 * 1024, 8L << 20);
  private final PartialContent partials;

  FileServing(
      FileIndex index,
      PartialContent partials,
      RateLimiter downloads,
      Metrics metrics,
      Bandwidth served,
      long idleMillis) {
    this.index = index;
    this.partials = partials;
    this.served = served;
    this.idleMillis = idleMillis;
    this.downloads = downloads;
    this.metrics = metrics;
  }

  void handle(RoutingContext ctx) {
    // The raw path, not the router's normalised one: "%2F" inside a name must stay a problem
    // we can name, not turn into a different path.
    String raw = ctx.request().path();
    String name = decode(raw.substring(PREFIX.length()));
    String problem = name == null ? "bad percent-encoding" : Names.problem(name);
    if (problem != null) {
      throw new BadRequest("bad_name", "not a shared file name: " + problem);
    }
    limit(ctx);
    FileEntry e = index.snapshot().get(name);
    if (e == null) {
      throw new BadRequest(404, "not_found", "no shared file named " + name);
    }
    serve(ctx, e, null);
  }

  /**
   * {@code GET|HEAD /content/{root}}: the same bytes by what they are, not by a name; the same
   * rules as a name's (ranges, ETag, HEAD, 416). Any file holding that content serves it.
   */
  void content(RoutingContext ctx) {
    Content c = content(index, partials, ctx.pathParam("root"));
    limit(ctx);
    serve(ctx, c.entry(), c.partial());
  }

  /**
   * A content this peer can serve by its root.
   *
   * @param partial set when it is a download still under way here: only its verified pieces
   */
  record Content(FileEntry entry, PartialContent.Partial partial) {}

  /** The shared file with that root, else the download of it under way here; 400 or 404. */
  static Content content(FileIndex index, PartialContent partials, String root) {
    if (Magnet.isRoot(root) && index.snapshot().withRoot(root).isEmpty()) {
      PartialContent.Partial partial = partials.find(root);
      if (partial != null) {
        return new Content(partial.asEntry(), partial);
      }
    }
    return new Content(byRoot(index, root), null);
  }

  /** The shared file with that root: 400 for a malformed root, 404 for one not shared here. */
  static FileEntry byRoot(FileIndex index, String root) {
    if (!Magnet.isRoot(root)) {
      throw new BadRequest("bad_parameter", "a root is 64 lowercase hex characters");
    }
    List<FileEntry> all = index.snapshot().withRoot(root);
    if (all.isEmpty()) {
      throw new BadRequest(404, "not_found", "no shared file has root " + root);
    }
    return all.get(0);
  }

  /** The download rate limit, on GET only: a HEAD moves no file. */
  private void limit(RoutingContext ctx) {
    if (ctx.request().method() == HttpMethod.HEAD) {
      return;
    }
    long wait = downloads.acquire(Guard.clientOf(ctx.request()), Monotonic.millis());
    if (wait > 0) {
      ctx.response().putHeader(HttpHeaders.RETRY_AFTER, String.valueOf((wait + 999) / 1000));
      throw new BadRequest(429, "rate_limited", "download rate limit: retry in " + wait + " ms");
    }
  }

  /**
   * @param partial set when {@code e} is a download still under way: only ranges inside its
   *     verified pieces are served
   */
  private void serve(RoutingContext ctx, FileEntry e, PartialContent.Partial partial) {
    String name = e.name();
    boolean head = ctx.request().method() == HttpMethod.HEAD;
    HttpServerResponse res = ctx.response();
    // A partial download's entry is made anew per request: not one to keep.
    Headers h = partial == null ? headers(e) : makeHeaders(e);
    String etag = h.etag();
    res.putHeader(HttpHeaders.ETAG, h.etagValue())
        .putHeader(HttpHeaders.ACCEPT_RANGES, BYTES)
        .putHeader(HttpHeaders.LAST_MODIFIED, h.lastModified())
        .putHeader(HttpHeaders.CONTENT_TYPE, h.contentType());
    if (ctx.request().getParam("download") != null) {
      // The web page's download links: save the file rather than display it, under its own name.
      res.putHeader(
          "Content-Disposition",
          "attachment; filename*=UTF-8''"
              + LocalFiles.encodePath(name.substring(name.lastIndexOf('/') + 1)));
    }
    String inm = ctx.request().getHeader(HttpHeaders.IF_NONE_MATCH);
    if (inm != null && (inm.trim().equals("*") || inm.contains(etag))) {
      res.setStatusCode(304).end();
      return;
    }
    String ifRange = ctx.request().getHeader("If-Range");
    ByteRange range =
        ifRange != null && !ifRange.trim().equals(etag)
            ? null
            : ByteRange.parse(ctx.request().getHeader("Range"), e.size());
    if (range == ByteRange.UNSATISFIABLE) {
      res.putHeader(HttpHeaders.CONTENT_RANGE, "bytes */" + e.size());
      throw new BadRequest(416, "range_not_satisfiable", "the file has " + e.size() + " bytes");
    }
    long offset = range == null ? 0 : range.start();
    long length = range == null ? e.size() : range.length();
    if (partial != null && !partial.covers(offset, length)) {
      res.putHeader(HttpHeaders.CONTENT_RANGE, "bytes */" + e.size());
      throw new BadRequest(
          416,
          "range_not_satisfiable",
          "this peer has verified only some pieces of it yet: ask a range inside those of "
              + "/content/"
              + e.root()
              + "/have");
    }
    if (range != null) {
      res.setStatusCode(206)
          .putHeader(
              HttpHeaders.CONTENT_RANGE,
              "bytes " + range.start() + "-" + range.end() + "/" + e.size());
    }
    if (head) {
      res.putHeader(HttpHeaders.CONTENT_LENGTH, String.valueOf(length)).end();
      return;
    }
    if (partial == null && small.cacheable(e.size())) {
      sendSmall(ctx, e, offset, length);
      return;
    }
    if (served.limited()) {
      sendLimited(ctx, e, offset, length);
      return;
    }
    res.sendFile(e.path().toString(), offset, length)
        .onSuccess(v -> metrics.transferred("http", "sent", length))
        .onFailure(
            err -> {
              if (!res.headWritten()) {
                ctx.fail(new BadRequest(404, "not_found", name + " can no longer be read"));
              } else {
                res.reset();
              }
            })
        // Vert.x sends no event at all when a sendFile fails on a connection the client closed.
        .onComplete(ar -> Exchange.over(ctx));
  }

  /** Small files from memory: read once (async), then served without touching the disk. */
  private void sendSmall(RoutingContext ctx, FileEntry e, long offset, long length) {
    Buffer cached = small.get(e.checksum());
    Future<Buffer> content =
        cached != null
            ? Future.succeededFuture(cached)
            : ctx.vertx()
                .fileSystem()
                .readFile(e.path().toString())
                .compose(
                    b -> {
                      if (b.length() != e.size()) {
                        // Changed since it was indexed: do not serve bytes that do not match the
                        // ETag.
                        return Future.failedFuture(
                            new BadRequest(
                                409,
                                "changed",
                                e.name()
                                    + " changed since it was indexed; retry after the next scan"));
                      }
                      small.put(e.checksum(), b);
                      return Future.succeededFuture(b);
                    });
    content
        .onSuccess(
            b -> {
              served.take(length);
              ctx.response().end(b.slice((int) offset, (int) (offset + length)));
              metrics.transferred("http", "sent", length);
            })
        .onFailure(ctx::fail);
  }

  /** The range read and written at the pace of the peer's upload limit, shared by every client. */
  private void sendLimited(RoutingContext ctx, FileEntry e, long offset, long length) {
    HttpServerResponse res = ctx.response();
    FileStreamer.start(
            ctx.vertx(),
            e.path(),
            offset,
            length,
            64 * 1024,
            ChunkSink.over(res, c -> res.write(c.data())),
            idleMillis,
            served)
        .onFailure(
            err -> ctx.fail(new BadRequest(404, "not_found", e.name() + " can no longer be read")))
        .onSuccess(
            streamer -> {
              // Only now: an error answer must not go out under the file's length.
              res.putHeader(HttpHeaders.CONTENT_LENGTH, String.valueOf(length));
              // A no-op once the range is sent: its client going away is what it is there for.
              Exchange.onEnd(ctx, streamer::cancel);
              streamer
                  .result()
                  .onSuccess(
                      v -> {
                        res.end();
                        metrics.transferred("http", "sent", length);
                      })
                  .onFailure(err -> res.reset())
                  .onComplete(ar -> Exchange.over(ctx));
            });
  }

  private static final CharSequence BYTES = HttpHeaders.createOptimized("bytes");

  /** A file's own headers, made once per index generation rather than formatted per request. */
  private record Headers(
      String etag, CharSequence etagValue, CharSequence lastModified, CharSequence contentType) {}

  private final java.util.Map<FileEntry, Headers> headers = new java.util.IdentityHashMap<>();
  private long headersGeneration = -1;

  /** Event-loop confined, bounded by the index: forgotten whenever the index changes. */
  private Headers headers(FileEntry e) {
    long generation = index.snapshot().generation();
    if (generation != headersGeneration) {
      headers.clear();
      headersGeneration = generation;
    }
    return headers.computeIfAbsent(e, FileServing::makeHeaders);
  }

  private static Headers makeHeaders(FileEntry e) {
    String etag = "\"" + e.checksum() + "\"";
    return new Headers(
        etag,
        HttpHeaders.createOptimized(etag),
        HttpHeaders.createOptimized(httpDate(e.mtimeMillis())),
        HttpHeaders.createOptimized(contentType(e.name())));
  }

  /** Strict percent-decoding into UTF-8; null when malformed. '+' is a plus in a path. */
  static String decode(String s) {
    if (plainAscii(s)) {
      return s; // nothing to decode: what the loop below would give back
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '%') {
        if (i + 2 >= s.length()) {
          return null;
        }
        int hi = Character.digit(s.charAt(i + 1), 16);
        int lo = Character.digit(s.charAt(i + 2), 16);
        if (hi < 0 || lo < 0) {
          return null;
        }
        out.write(hi * 16 + lo);
        i += 2;
      } else {
        byte[] b = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
        out.write(b, 0, b.length);
      }
    }
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(out.toByteArray()))
          .toString();
    } catch (CharacterCodingException e) {
      return null;
    }
  }

  private static boolean plainAscii(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '%' || c >= 0x80) {
        return false;
      }
    }
    return true;
  }

  static String contentType(String name) {
    String t = MimeMapping.mimeTypeForFilename(name);
    if (t == null) {
      return "application/octet-stream";
    }
    return t.startsWith("text/") ? t + "; charset=utf-8" : t;
  }

  static String httpDate(long millis) {
    return DateTimeFormatter.RFC_1123_DATE_TIME.format(
        Instant.ofEpochMilli(millis).atZone(ZoneOffset.UTC));
  }
}
