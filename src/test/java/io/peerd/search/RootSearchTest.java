package io.peerd.search;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.peerd.node.PeerVerticle;
import io.peerd.testkit.Await;
import io.peerd.testkit.Http;
import io.peerd.testkit.Peers;
import io.peerd.testkit.StandIns;
import io.peerd.testkit.TestFiles;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code /search?root=} finds the peers that hold a content whatever they call it, through the
 * network as a name search goes; a seed peer, which knows no roots, is never one of them.
 */
@ExtendWith(VertxExtension.class)
@Tag("network")
class RootSearchTest {

  @TempDir Path tmp;

  /** The peers that answered with at least one file, and the names they gave. */
  static Map<String, Set<String>> holders(JsonObject answer) {
    Map<String, Set<String>> out = new java.util.TreeMap<>();
    for (Object o : answer.getJsonArray("results")) {
      JsonObject r = (JsonObject) o;
      Set<String> names = new TreeSet<>();
      r.getJsonArray("files").forEach(f -> names.add(((JsonObject) f).getString("name")));
      if (!names.isEmpty()) {
        out.put(r.getString("peer"), names);
      }
    }
    return out;
  }

  @Test
  void aRootIsFoundUnderEveryNameAndNeverAtASeedPeer(Vertx vertx) throws Exception {
    Http http = new Http(vertx);
    Path aShare = Peers.folderWith(tmp, "a", Map.of());
    TestFiles.Written film = TestFiles.random(aShare, "film.bin", 200_000, 3);
    Path cShare = Peers.folderWith(tmp, "c", Map.of());
    Files.write(cShare.resolve("another-name.dat"), film.bytes());
    PeerVerticle b =
        Peers.started(
            vertx, "b", Peers.folderWith(tmp, "b", Map.of("film-b.bin", "other")), List.of(), null);
    PeerVerticle c = Peers.started(vertx, "c", cShare, List.of(), null);
    HttpServer seed = Await.await(StandIns.seedPeer(vertx, "seed", "film.bin", new int[1]));
    String seedUrl = "http://127.0.0.1:" + seed.actualPort();
    PeerVerticle a =
        Peers.started(vertx, "a", aShare, List.of(b.selfUrl(), c.selfUrl(), seedUrl), null);

    String root =
        http.getJson(a, "/files").getJsonArray("files").getJsonObject(0).getString("root");
    JsonObject byRoot = http.getJson(a, "/search?root=" + root);
    assertEquals(
        Map.of(a.selfUrl(), Set.of("film.bin"), c.selfUrl(), Set.of("another-name.dat")),
        holders(byRoot),
        "the two copies, under their own names; b has none, the seed counts as no source");

    JsonObject byName = http.getJson(a, "/search?query=film");
    assertEquals(
        Set.of(a.selfUrl(), b.selfUrl(), seedUrl),
        holders(byName).keySet(),
        "names work as before");

    assertEquals("bad_parameter", http.get(a, "/search?root=ABC").error());
    assertEquals(
        Map.of(), holders(http.getJson(a, "/search?root=" + "0".repeat(64))), "nobody has that");
  }
}
