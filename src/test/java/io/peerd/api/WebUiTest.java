package io.peerd.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.peerd.node.PeerVerticle;
import io.peerd.testkit.Peers;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
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

  @TempDir
  Path tmp;
  PeerVerticle peer;
  WebClient http;

  @BeforeEach
  void start(Vertx vertx, VertxTestContext ctx) {
    http = WebClient.create(vertx);
    Path share = Peers.folderWith(tmp, "share", Map.of("a.txt", "aaaa"));
    Peers.start(vertx, Peers.config("ui", share, List.of(), new JsonObject()
            .put("accept_uploads", true).put("upload_max_bytes", 5000).put("api_token", "0123456789abcdef-token")))
        .onComplete(ctx.succeeding(p -> {
          peer = p;
          ctx.completeNow();
        }));
  }

  Future<HttpResponse<Buffer>> get(String path) {
    return http.get(peer.restPort(), "127.0.0.1", path).send();
  }

  static void assertHardened(HttpResponse<Buffer> r, String type) {
    assertEquals(200, r.statusCode());
    assertEquals(type, r.getHeader("content-type"));
    String csp = r.getHeader("content-security-policy");
    assertTrue(csp != null && csp.startsWith("default-src 'self'; img-src 'self' data:; style-src 'self'"), csp);
    assertFalse(csp.contains("unsafe"), csp);
    assertEquals("nosniff", r.getHeader("x-content-type-options"));
    assertEquals("DENY", r.getHeader("x-frame-options"));
  }

  @Test
  void thePageAndItsAssetsAreServedWithTheirTypesAndAStrictPolicy(VertxTestContext ctx) {
    Future.all(get("/"), get("/ui/app.js"), get("/ui/app.css")).onComplete(ctx.succeeding(all -> ctx.verify(() -> {
      HttpResponse<Buffer> page = all.resultAt(0);
      HttpResponse<Buffer> js = all.resultAt(1);
      HttpResponse<Buffer> css = all.resultAt(2);
      assertHardened(page, "text/html; charset=utf-8");
      assertHardened(js, "text/javascript; charset=utf-8");
      assertHardened(css, "text/css; charset=utf-8");
      String html = page.bodyAsString();
      assertTrue(html.contains("<script src=\"/ui/app.js\" defer></script>"), html);
      assertTrue(html.contains("<link rel=\"stylesheet\" href=\"/ui/app.css\">"), html);
      // The policy forbids inline code anyway; the page must not need any.
      assertFalse(Pattern.compile("<script(?![^>]*\\bsrc=)").matcher(html).find(), "no inline script");
      assertFalse(Pattern.compile("\\son[a-z]+=", Pattern.CASE_INSENSITIVE).matcher(html).find(), "no inline handlers");
      assertFalse(html.contains("style="), "no inline style");
      assertFalse(html.contains("<style"), "no style element");
      // Nothing from elsewhere: peers often run offline.
      assertFalse(Pattern.compile("(src|href)=\"(https?:)?//").matcher(html).find(), "no external resources");
      String code = js.bodyAsString();
      for (String sink : List.of("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function")) {
        assertFalse(code.contains(sink), "app.js must build the DOM without HTML text: " + sink);
      }
      assertFalse(css.bodyAsString().contains("@import"), "no external stylesheets");
      ctx.completeNow();
    })));
  }

  @Test
  void assetsRevalidateWithTheirEtag(VertxTestContext ctx) {
    get("/ui/app.js")
        .compose(first -> {
          ctx.verify(() -> assertEquals("no-cache", first.getHeader("cache-control")));
          return http.get(peer.restPort(), "127.0.0.1", "/ui/app.js")
              .putHeader("If-None-Match", first.getHeader("etag")).send();
        })
        .onComplete(ctx.succeeding(r -> ctx.verify(() -> {
          assertEquals(304, r.statusCode());
          assertEquals(null, r.body());
          ctx.completeNow();
        })));
  }

  @Test
  void otherPathsUnderUiAreStillJsonErrorsAndTheApiIsUnchanged(VertxTestContext ctx) {
    Future.all(get("/ui/../../etc/passwd"), get("/ui/other.js"), get("/index.html"), get("/health"))
        .onComplete(ctx.succeeding(all -> ctx.verify(() -> {
          for (int i = 0; i < 3; i++) {
            HttpResponse<Buffer> r = all.resultAt(i);
            assertEquals(404, r.statusCode(), r.bodyAsString());
            assertEquals("application/json", r.getHeader("content-type"));
            assertEquals("not_found", r.bodyAsJsonObject().getString("error"));
          }
          HttpResponse<Buffer> health = all.resultAt(3);
          assertEquals("application/json", health.getHeader("content-type"));
          assertEquals(null, health.getHeader("content-security-policy"), "JSON routes are as they were");
          ctx.completeNow();
        })));
  }

  @Test
  void statsGivesCountersAndWhatThePageNeedsToOfferUploads(VertxTestContext ctx) {
    get("/files/a.txt")
        .compose(r -> http.get(peer.restPort(), "127.0.0.1", "/search?query=a&ttl=0").send())
        .compose(r -> get("/stats"))
        .onComplete(ctx.succeeding(r -> ctx.verify(() -> {
          assertEquals(200, r.statusCode());
          JsonObject s = r.bodyAsJsonObject();
          assertEquals("ui", s.getString("peer"));
          assertEquals(peer.selfUrl(), s.getString("url"));
          assertTrue(s.getLong("time_ms") > 0);
          assertEquals(1, s.getLong("searches_processed"));
          assertEquals(4, s.getLong("bytes_sent"), "the download above counts");
          assertEquals(0, s.getLong("bytes_received"));
          assertEquals(1, s.getInteger("files"));
          assertEquals(0, s.getJsonObject("peers").getInteger("healthy_peers"));
          assertEquals(new JsonObject().put("accept", true).put("dir", "uploads").put("max_bytes", 5000)
              .put("overwrite", false), s.getJsonObject("uploads"));
          assertEquals(new JsonObject().put("token_for_changes", true).put("private", false), s.getJsonObject("auth"));
          assertFalse(s.encode().contains("0123456789abcdef-token"), "never the token itself");
          ctx.completeNow();
        })));
  }

  @Test
  void aPrivatePeerServesThePageOpenlyButNotItsData(Vertx vertx, VertxTestContext ctx) {
    Path share = Peers.folderWith(tmp, "private", Map.of("p.txt", "p"));
    Peers.start(vertx, Peers.config("private", share, List.of(), new JsonObject()
            .put("api_token", "0123456789abcdef-token").put("private", true)))
        .compose(p -> Future.all(List.of(
            http.get(p.restPort(), "127.0.0.1", "/").send(),
            http.get(p.restPort(), "127.0.0.1", "/ui/app.js").send(),
            http.get(p.restPort(), "127.0.0.1", "/stats").send(),
            http.get(p.restPort(), "127.0.0.1", "/search/stream").send(),
            http.get(p.restPort(), "127.0.0.1", "/network").send(),
            http.get(p.restPort(), "127.0.0.1", "/stats").putHeader("Authorization", "Bearer 0123456789abcdef-token").send())))
        .onComplete(ctx.succeeding(all -> ctx.verify(() -> {
          assertEquals(200, all.<HttpResponse<Buffer>>resultAt(0).statusCode());
          assertEquals(200, all.<HttpResponse<Buffer>>resultAt(1).statusCode());
          for (int i = 2; i < 5; i++) {
            assertEquals(401, all.<HttpResponse<Buffer>>resultAt(i).statusCode());
          }
          assertEquals(200, all.<HttpResponse<Buffer>>resultAt(5).statusCode());
          ctx.completeNow();
        })));
  }

  @Test
  void aDownloadLinkAsksTheBrowserToSaveTheFile(VertxTestContext ctx) {
    Future.all(get("/files/a.txt?download=1"), get("/files/a.txt")).onComplete(ctx.succeeding(all -> ctx.verify(() -> {
      HttpResponse<Buffer> saved = all.resultAt(0);
      assertEquals(200, saved.statusCode());
      assertEquals("attachment; filename*=UTF-8''a.txt", saved.getHeader("content-disposition"));
      assertEquals("aaaa", saved.bodyAsString());
      assertEquals(null, all.<HttpResponse<Buffer>>resultAt(1).getHeader("content-disposition"), "as before");
      ctx.completeNow();
    })));
  }
}
