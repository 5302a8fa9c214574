package io.peerd.api;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * The web page ({@code GET /}) and its two assets ({@code /ui/app.js}, {@code /ui/app.css}), from
 * {@code webroot/} inside the jar. A fixed set of three small files, read once when the API is
 * built and served from memory: no classpath or disk lookup per request (StaticHandler would unpack
 * jar resources into a cache folder on first use), and no path from a request ever names a
 * resource. Every answer carries a strict Content-Security-Policy: only this origin's script and
 * style, no inline code, so a file name that slipped into the markup could not run.
 */
final class WebUi {

  static final String CSP =
      "default-src 'self'; img-src 'self' data:; style-src 'self'; "
          + "base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

  private record Asset(Buffer body, String contentType, String etag) {}

  private final Map<String, Asset> assets;

  WebUi() {
    assets =
        Map.of(
            "/", load("index.html", "text/html; charset=utf-8"),
            "/ui/app.js", load("app.js", "text/javascript; charset=utf-8"),
            "/ui/app.css", load("app.css", "text/css; charset=utf-8"));
  }

  /** The paths this serves; each is one exact route. */
  static final List<String> PATHS = List.of("/", "/ui/app.js", "/ui/app.css");

  static List<String> paths() {
    return PATHS;
  }

  static boolean isAsset(String path) {
    return PATHS.contains(path);
  }

  void handle(RoutingContext ctx) {
    Asset a = assets.get(ctx.request().path());
    if (a == null) {
      ctx.next();
      return;
    }
    HttpServerResponse res =
        ctx.response()
            .putHeader("Content-Security-Policy", CSP)
            .putHeader("X-Content-Type-Options", "nosniff")
            .putHeader("X-Frame-Options", "DENY")
            .putHeader("Referrer-Policy", "no-referrer")
            // Revalidated each time (cheap: a 304), so a new jar's page is never mixed with old
            // assets.
            .putHeader(HttpHeaders.CACHE_CONTROL, "no-cache")
            .putHeader(HttpHeaders.ETAG, a.etag())
            .putHeader(HttpHeaders.CONTENT_TYPE, a.contentType());
    String inm = ctx.request().getHeader(HttpHeaders.IF_NONE_MATCH);
    if (inm != null && inm.contains(a.etag())) {
      res.setStatusCode(304).end();
      return;
    }
    res.end(a.body());
  }

  private static Asset load(String name, String contentType) {
    try (InputStream in = WebUi.class.getResourceAsStream("/webroot/" + name)) {
      if (in == null) {
        throw new IllegalStateException("webroot/" + name + " is missing from the jar");
      }
      byte[] bytes = in.readAllBytes();
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(bytes);
      String etag = "\"" + HexFormat.of().formatHex(digest, 0, 8) + "\"";
      return new Asset(Buffer.buffer(bytes), contentType, etag);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
