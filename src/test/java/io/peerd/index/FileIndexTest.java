package io.peerd.index;

import static io.peerd.testkit.Await.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.peerd.store.Db;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

@ExtendWith(VertxExtension.class)
@Tag("unit")
class FileIndexTest {

  @TempDir Path tmp;
  Path share;
  Path outside;

  @BeforeEach
  void layout() throws Exception {
    share = Files.createDirectories(tmp.resolve("share"));
    outside = Files.createDirectories(tmp.resolve("outside"));
    Files.writeString(share.resolve("top.txt"), "top");
    Files.createDirectories(share.resolve("sub/deeper"));
    Files.writeString(share.resolve("sub/deeper/Song.MP3"), "la la");
    Files.writeString(share.resolve(".hidden"), "secret");
    Files.createDirectories(share.resolve(".git"));
    Files.writeString(share.resolve(".git/config"), "secret");
    Files.writeString(outside.resolve("passwd"), "root:x");
    Files.createSymbolicLink(share.resolve("escape.txt"), outside.resolve("passwd"));
    Files.createSymbolicLink(share.resolve("escape-dir"), outside);
    Files.createSymbolicLink(share.resolve("alias.txt"), share.resolve("top.txt"));
  }

  @Test
  void indexesRecursivelyWithFullChecksumsAndNeverOutside(Vertx vertx, VertxTestContext ctx) {
    FileIndex index = new FileIndex(vertx, share, "t-" + System.nanoTime());
    index
        .rescan()
        .onComplete(
            ctx.succeeding(
                r ->
                    ctx.verify(
                        () -> {
                          IndexSnapshot s = r.snapshot();
                          assertEquals(
                              List.of("alias.txt", "sub/deeper/Song.MP3", "top.txt"),
                              List.copyOf(s.byName().keySet()));
                          FileEntry top = s.get("top.txt");
                          assertEquals(sha256("top"), top.checksum());
                          assertEquals(64, top.checksum().length());
                          assertEquals(3, top.size());
                          assertEquals(".txt", top.extension());
                          assertEquals("text", top.type());
                          assertEquals("audio", s.get("sub/deeper/Song.MP3").type());
                          assertEquals(
                              top.path(),
                              s.get("alias.txt").path(),
                              "a link inside the share serves its target");
                          assertNull(s.get("escape.txt"));
                          assertEquals(
                              3 + 5 + 3,
                              s.totalBytes(),
                              "top, song, and the alias counted as its own entry");
                          index.close();
                          ctx.completeNow();
                        })));
  }

  @Test
  void rehashesOnlyWhatChangedAndSeesChanges(Vertx vertx, VertxTestContext ctx) throws Exception {
    FileIndex index = new FileIndex(vertx, share, "t-" + System.nanoTime());
    index
        .rescan()
        .compose(
            first -> {
              ctx.verify(() -> assertEquals(3, first.hashed()));
              return index
                  .rescan()
                  .map(
                      second -> {
                        ctx.verify(
                            () -> {
                              assertEquals(0, second.hashed(), "nothing changed: nothing rehashed");
                              assertEquals(
                                  first.snapshot().generation(), second.snapshot().generation());
                            });
                        return first;
                      });
            })
        .compose(
            first -> {
              try {
                Files.writeString(share.resolve("top.txt"), "changed!");
                Files.setLastModifiedTime(
                    share.resolve("top.txt"),
                    FileTime.fromMillis(System.currentTimeMillis() + 5000));
                Files.writeString(share.resolve("new.bin"), "new");
                Files.delete(share.resolve("sub/deeper/Song.MP3"));
              } catch (Exception e) {
                throw new RuntimeException(e);
              }
              return index
                  .rescan()
                  .map(
                      third -> {
                        ctx.verify(
                            () -> {
                              IndexSnapshot s = third.snapshot();
                              assertNotEquals(first.snapshot().generation(), s.generation());
                              assertEquals(sha256("changed!"), s.get("top.txt").checksum());
                              assertNotNull(s.get("new.bin"));
                              assertNull(s.get("sub/deeper/Song.MP3"));
                              assertTrue(
                                  third.hashed() >= 2 && third.hashed() <= 3,
                                  "only changed files: " + third.hashed());
                            });
                        return third;
                      });
            })
        .onComplete(
            ctx.succeeding(
                v -> {
                  index.close();
                  ctx.completeNow();
                }));
  }

  /**
   * A finished download was checked piece by piece and whole: the index takes what it was vouched
   * for while the file's stat holds (nothing read, and the cache keeps it), and hashes the file as
   * any other once it was written to, or when it changed between the stat and the refresh.
   */
  @Test
  void aFileVouchedForIsTakenUnreadWhileItsStatHoldsAndHashedOnceItChanges(Vertx vertx)
      throws Exception {
    Db db = await(Db.open(vertx, tmp.resolve("peer.db"), Map.of("index", HashCache.schema()), "t"));
    FileIndex index = new FileIndex(vertx, share, "t-" + System.nanoTime());
    index.useCache(new HashCache(db));
    assertEquals(3, await(index.rescan()).hashed());

    Path staged = Files.createDirectories(tmp.resolve("parts")).resolve("got.part");
    Files.write(staged, new byte[300_000]);
    Sha256.Both real = Sha256.withTree(staged, Merkle.defaultPieceSize(300_000));
    String root = HexFormat.of().formatHex(real.tree().root());
    Verified checked = Verified.stat(staged, real.sha256(), root, real.tree().kept());
    Files.createLink(share.resolve("got.bin"), staged);
    Files.delete(staged);

    FileIndex.ScanReport placed =
        await(index.refresh(checked.at(share.resolve("got.bin").toRealPath())));
    assertEquals(0, placed.hashed(), "the vouched file is not read again");
    assertEquals(0, placed.hashedBytes());
    FileEntry got = placed.snapshot().get("got.bin");
    assertEquals(real.sha256(), got.checksum());
    assertEquals(root, got.root());
    assertEquals(".bin", got.extension());

    FileIndex again = new FileIndex(vertx, share, "t-" + System.nanoTime());
    again.useCache(new HashCache(db));
    FileIndex.ScanReport restarted = await(again.rescan());
    assertEquals(0, restarted.hashed(), "the cache has it, as if it had been hashed");
    assertEquals(real.sha256(), restarted.snapshot().get("got.bin").checksum());
    again.close();

    Files.write(share.resolve("got.bin"), new byte[] {1}, StandardOpenOption.APPEND);
    Files.setLastModifiedTime(
        share.resolve("got.bin"), FileTime.fromMillis(System.currentTimeMillis() + 5000));
    FileIndex.ScanReport written = await(index.rescan());
    assertEquals(1, written.hashed());
    assertEquals(300_001, written.snapshot().get("got.bin").size());
    assertNotEquals(real.sha256(), written.snapshot().get("got.bin").checksum());

    // Vouched, then changed before it was placed: the stat no longer matches, so it is hashed.
    Path late = tmp.resolve("parts/late.part");
    Files.writeString(late, "what was checked");
    Verified stale = Verified.stat(late, sha256("what was checked"), root, real.tree().kept());
    Files.writeString(late, "what is there now");
    Files.move(late, share.resolve("late.txt"));
    FileIndex.ScanReport changed =
        await(index.refresh(stale.at(share.resolve("late.txt").toRealPath())));
    assertEquals(1, changed.hashed());
    assertEquals(sha256("what is there now"), changed.snapshot().get("late.txt").checksum());
    index.close();
    await(db.close());
  }

  @Test
  void concurrentRescansShareOneWalk(Vertx vertx, VertxTestContext ctx) {
    FileIndex index = new FileIndex(vertx, share, "t-" + System.nanoTime());
    vertx.runOnContext(
        v -> {
          var a = index.rescan();
          boolean running = !a.isComplete();
          var b = index.rescan();
          ctx.verify(
              () -> assertTrue(!running || a == b, "a rescan requested during a scan joins it"));
          a.onComplete(
              ctx.succeeding(
                  r -> {
                    index.close();
                    ctx.completeNow();
                  }));
        });
  }

  @Test
  void searchIsCaseInsensitiveSubstringAndEmptyMatchesAll() {
    IndexSnapshot s =
        IndexSnapshot.of(
            1,
            List.of(
                new FileEntry("Alpha.TXT", share, 1, 0, "x", ".txt", "text", null, null, null),
                new FileEntry("beta.bin", share, 1, 0, "x", ".bin", "other", null, null, null)),
            0);
    assertEquals(1, s.search("alpha.t", 10).size());
    assertEquals(2, s.search("", 10).size());
    assertEquals(1, s.search("", 1).size(), "limit holds");
    assertEquals(0, s.search("gamma", 10).size());
  }

  static String sha256(String s) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes()));
  }
}
