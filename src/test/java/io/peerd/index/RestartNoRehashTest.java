package io.peerd.index;

import static io.peerd.testkit.Await.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import io.peerd.node.PeerVerticle;
import io.peerd.testkit.Http;
import io.peerd.testkit.Peers;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A peer that shares two GiB is restarted: its hashes come from state_dir/peer.db, so the first
 * scan reads no file's bytes and /files is whole at once; a file touched, or replaced by another of
 * the same size and mtime (a new inode), is hashed again, and only it.
 */
@ExtendWith(VertxExtension.class)
@Tag("peer")
class RestartNoRehashTest {

  static final long GIB = 1L << 30;

  @TempDir Path tmp;

  FileIndex.ScanReport start(Vertx vertx, JsonObject config, PeerVerticle[] out) {
    PeerVerticle p = new PeerVerticle(Peers.parse(config));
    await(vertx.deployVerticle(p));
    out[0] = p;
    return (FileIndex.ScanReport) await(p.firstScan(), java.time.Duration.ofMinutes(3));
  }

  static Map<String, String> listed(Http http, PeerVerticle p) {
    Map<String, String> out = new HashMap<>();
    for (Object o : http.getJson(p, "/files").getJsonArray("files")) {
      JsonObject f = (JsonObject) o;
      out.put(f.getString("name"), f.getString("checksum") + " " + f.getString("root"));
    }
    return out;
  }

  @Test
  void aRestartHashesNothingThatDidNotChange(Vertx vertx) throws Exception {
    Http http = new Http(vertx);
    Path share = Files.createDirectories(tmp.resolve("share"));
    for (String big : List.of("a.img", "b.img")) {
      try (RandomAccessFile f = new RandomAccessFile(share.resolve(big).toFile(), "rw")) {
        f.setLength(GIB); // sparse: the hashing is real, the disk is spared
        f.seek(GIB - 1);
        f.write(big.charAt(0));
      }
    }
    for (int i = 0; i < 20; i++) {
      Files.writeString(share.resolve("small-" + i + ".txt"), "file " + i);
    }
    JsonObject config =
        Peers.config("p", share, List.of(), new JsonObject())
            .put("state_dir", tmp.resolve("state").toString());
    PeerVerticle[] peer = {null};

    FileIndex.ScanReport first = start(vertx, config, peer);
    assertEquals(22, first.hashed());
    long shared;
    try (var all = Files.list(share)) {
      shared = all.mapToLong(f -> f.toFile().length()).sum();
    }
    assertEquals(shared, first.hashedBytes(), "every byte read once");
    Map<String, String> before = listed(http, peer[0]);
    assertEquals(22, before.size());
    before.values().forEach(v -> assertNotNull(v.split(" ")[1]));
    Peers.stop(vertx, peer[0]);

    long t0 = System.nanoTime();
    FileIndex.ScanReport again = start(vertx, config, peer);
    long ms = (System.nanoTime() - t0) / 1_000_000;
    assertEquals(0, again.hashed(), "nothing re-hashed");
    assertEquals(0, again.hashedBytes(), "no file's bytes read");
    assertEquals(before, listed(http, peer[0]), "every checksum and root, from the cache");
    System.out.printf(
        "restart of a peer sharing 2 GiB: first scan %d ms, restart to a whole /files %d ms%n",
        first.tookMillis(), ms);
    Peers.stop(vertx, peer[0]);

    // Touched (new mtime), and replaced by a twin of the same size and mtime (a new inode).
    Path touched = share.resolve("small-1.txt");
    Files.setLastModifiedTime(touched, FileTime.fromMillis(System.currentTimeMillis() + 5000));
    Path replaced = share.resolve("small-2.txt");
    FileTime mtime = Files.getLastModifiedTime(replaced);
    Path twin = share.resolve(".twin");
    Files.writeString(twin, "FILE 2");
    Files.setLastModifiedTime(twin, mtime);
    Files.move(twin, replaced, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);

    FileIndex.ScanReport third = start(vertx, config, peer);
    assertEquals(2, third.hashed(), "the touched file and the replaced one, nothing else");
    Map<String, String> now = listed(http, peer[0]);
    assertEquals(before.get("small-1.txt"), now.get("small-1.txt"), "same bytes, same hashes");
    assertEquals(
        io.peerd.testkit.TestFiles.sha256("FILE 2".getBytes()),
        now.get("small-2.txt").split(" ")[0],
        "the twin's own hash, not the cached one");
    Peers.stop(vertx, peer[0]);
  }
}
