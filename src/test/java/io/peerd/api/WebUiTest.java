package io.peerd.api;

import static io.peerd.testkit.Await.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.peerd.node.PeerVerticle;
import io.peerd.testkit.Http;
import io.peerd.testkit.Http.Reply;
import io.peerd.testkit.Peers;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The web page and its assets as a browser gets them: types, CSP, caching; and /stats. */
@ExtendWith(VertxExtension.class)
@Tag("peer")
class WebUiTest {

  static final String TOKEN = "0123456789abcdef-token";

  @TempDir Path tmp;
  PeerVerticle peer;
  Http http;

  @BeforeEach
  void start(Vertx vertx) {
    http = new Http(vertx);
    Path share = Peers.folderWith(tmp, "share", Map.of("a.txt", "aaaa"));
    peer =
        Peers.started(
            vertx,
            "ui",
            share,
            List.of(),
            new JsonObject()
                .put("accept_uploads", true)
                .put("upload_max_bytes", 5000)
                .put("api_token", TOKEN));
  }

  /** A GET with one request header. */
  HttpResponse<Buffer> get(PeerVerticle p, String path, String header, String value) {
    return await(
        http.client().get(p.restPort(), "127.0.0.1", path).putHeader(header, value).send());
  }

  static void assertHardened(Reply r, String type) {
    assertEquals(200, r.status());
    assertEquals(type, r.header("content-type"));
    String csp = r.header("content-security-policy");
    assertTrue(
        csp != null && csp.startsWith("default-src 'self'; img-src 'self' data:; style-src 'self'"),
        csp);
    assertFalse(csp.contains("unsafe"), csp);
    assertEquals("nosniff", r.header("x-content-type-options"));
    assertEquals("DENY", r.header("x-frame-options"));
  }

  @Test
  void thePageAndItsAssetsAreServedWithTheirTypesAndAStrictPolicy() {
    Reply page = http.get(peer, "/");
    assertHardened(page, "text/html; charset=utf-8");
    String html = page.text();
    assertTrue(html.contains("<script src=\"/ui/app.js\" defer></script>"), html);
    assertTrue(html.contains("<link rel=\"stylesheet\" href=\"/ui/app.css\">"), html);
    // The policy forbids inline code anyway; the page must not need any.
    assertFalse(
        Pattern.compile("<script(?![^>]*\\bsrc=)").matcher(html).find(), "no inline script");
    assertFalse(
        Pattern.compile("\\son[a-z]+=", Pattern.CASE_INSENSITIVE).matcher(html).find(),
        "no inline handlers");
    assertFalse(html.contains("style="), "no inline style");
    assertFalse(html.contains("<style"), "no style element");
    // Nothing from elsewhere: peers often run offline.
    assertFalse(
        Pattern.compile("(src|href)=\"(https?:)?//").matcher(html).find(), "no external resources");

    Reply js = http.get(peer, "/ui/app.js");
    assertHardened(js, "text/javascript; charset=utf-8");
    String code = js.text();
    for (String sink :
        List.of(
            "innerHTML",
            "outerHTML",
            "insertAdjacentHTML",
            "document.write",
            "eval(",
            "new Function")) {
      assertFalse(code.contains(sink), "app.js must build the DOM without HTML text: " + sink);
    }

    Reply css = http.get(peer, "/ui/app.css");
    assertHardened(css, "text/css; charset=utf-8");
    assertFalse(css.text().contains("@import"), "no external stylesheets");
  }

  @Test
  void assetsRevalidateWithTheirEtag() {
    Reply first = http.get(peer, "/ui/app.js");
    assertEquals("no-cache", first.header("cache-control"));

    HttpResponse<Buffer> again = get(peer, "/ui/app.js", "If-None-Match", first.header("etag"));
    assertEquals(304, again.statusCode());
    assertEquals(null, again.body());
  }

  @Test
  void otherPathsUnderUiAreStillJsonErrorsAndTheApiIsUnchanged() {
    for (String path : List.of("/ui/../../etc/passwd", "/ui/other.js", "/index.html")) {
      Reply r = http.get(peer, path);
      assertEquals(404, r.status(), r.text());
      assertEquals("application/json", r.header("content-type"));
      assertEquals("not_found", r.error());
    }
    Reply health = http.get(peer, "/health");
    assertEquals("application/json", health.header("content-type"));
    assertEquals(null, health.header("content-security-policy"), "JSON routes are as they were");
  }

  @Test
  void statsGivesCountersAndWhatThePageNeedsToOfferUploads() {
    http.get(peer, "/files/a.txt");
    http.get(peer, "/search?query=a&ttl=0");

    Reply r = http.get(peer, "/stats");
    assertEquals(200, r.status());
    JsonObject s = r.json();
    assertEquals("ui", s.getString("peer"));
    assertEquals(peer.selfUrl(), s.getString("url"));
    assertTrue(s.getLong("time_ms") > 0);
    assertEquals(1, s.getLong("searches_processed"));
    assertEquals(4, s.getLong("bytes_sent"), "the download above counts");
    assertEquals(0, s.getLong("bytes_received"));
    assertEquals(1, s.getInteger("files"));
    assertEquals(0, s.getJsonObject("peers").getInteger("healthy_peers"));
    assertEquals(
        new JsonObject()
            .put("accept", true)
            .put("dir", "uploads")
            .put("max_bytes", 5000)
            .put("overwrite", false),
        s.getJsonObject("uploads"));
    assertEquals(
        new JsonObject().put("token_for_changes", true).put("private", false),
        s.getJsonObject("auth"));
    assertFalse(s.encode().contains(TOKEN), "never the token itself");
  }

  @Test
  void aPrivatePeerServesThePageOpenlyButNotItsData(Vertx vertx) {
    Path share = Peers.folderWith(tmp, "private", Map.of("p.txt", "p"));
    PeerVerticle p =
        Peers.started(
            vertx,
            "private",
            share,
            List.of(),
            new JsonObject().put("api_token", TOKEN).put("private", true));

    assertEquals(200, http.get(p, "/").status());
    assertEquals(200, http.get(p, "/ui/app.js").status());
    for (String data : List.of("/stats", "/search/stream", "/network")) {
      assertEquals(401, http.get(p, data).status(), data);
    }
    assertEquals(200, get(p, "/stats", "Authorization", "Bearer " + TOKEN).statusCode());
  }

  @Test
  void aDownloadLinkAsksTheBrowserToSaveTheFile() {
    Reply saved = http.get(peer, "/files/a.txt?download=1");
    assertEquals(200, saved.status());
    assertEquals("attachment; filename*=UTF-8''a.txt", saved.header("content-disposition"));
    assertEquals("aaaa", saved.text());
    assertEquals(null, http.get(peer, "/files/a.txt").header("content-disposition"), "as before");
  }
}
