package io.peerd.index;

import static io.peerd.testkit.Await.await;
import static io.peerd.testkit.Await.until;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.concurrent.CountDownLatch;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The index following a real folder through inotify: no rescan is asked for in these tests, so
 * whatever appears in the index came from the watch (or, where the test says so, its fallback).
 */
@ExtendWith(VertxExtension.class)
@Tag("unit")
class FolderWatchTest {

  /** Room for a loaded 2-core machine; the README has the measured latencies (about 0.6 s). */
  static final Duration SEEN = Duration.ofSeconds(10);

  @TempDir Path share;
  Vertx vertx;
  Context context;
  FileIndex index;

  @BeforeEach
  void start(Vertx vertx) {
    this.vertx = vertx;
    this.context = vertx.getOrCreateContext();
  }

  @AfterEach
  void stop() {
    if (index != null) {
      on(
          () -> {
            index.close();
            return Future.succeededFuture();
          });
    }
  }

  /** Runs on the index's context, as its verticle would, and waits for the result. */
  <T> T on(Supplier<Future<T>> call) {
    Promise<T> done = Promise.promise();
    context.runOnContext(v -> call.get().onComplete(done));
    return await(done.future());
  }

  FileIndex watched(FileIndex.Watching how, CountDownLatch hold) {
    index = on(() -> Future.succeededFuture(new FileIndex(vertx, share, "w-" + System.nanoTime())));
    on(() -> index.watch(how, hold));
    on(() -> index.rescan());
    return index;
  }

  FileIndex watched() {
    return watched(FileIndex.Watching.DEFAULTS, null);
  }

  boolean has(String name) {
    return index.snapshot().get(name) != null;
  }

  @Test
  void aNewFileIsIndexedAndADeletedOneGoesWithoutAnyRescan() throws Exception {
    Files.writeString(share.resolve("old.txt"), "old");
    watched();
    assertTrue(has("old.txt"));
    long generation = index.snapshot().generation();

    Files.writeString(share.resolve("new.txt"), "new");
    until("new.txt is indexed", SEEN, () -> has("new.txt"));
    assertEquals(sha256("new"), index.snapshot().get("new.txt").checksum());

    Files.delete(share.resolve("old.txt"));
    until("old.txt is gone", SEEN, () -> !has("old.txt"));
    assertTrue(index.snapshot().generation() > generation);
    assertTrue(index.watchStats().watching());
    assertTrue(index.watchStats().updates() >= 2, index.watchStats().toString());
    assertNull(index.watchProblem());
  }

  @Test
  void aDirectoryMadeWithFilesInItAtOnceIsIndexedWholeAndWatchedFromThen() throws Exception {
    watched();
    // Made and filled faster than the watch can register the new directories: the walk of each
    // new directory finds what was written before it was watched.
    Files.createDirectories(share.resolve("a/b/c"));
    Files.writeString(share.resolve("a/one.txt"), "1");
    Files.writeString(share.resolve("a/b/two.txt"), "2");
    Files.writeString(share.resolve("a/b/c/three.txt"), "3");
    until(
        "the three files are indexed",
        SEEN,
        () -> has("a/one.txt") && has("a/b/two.txt") && has("a/b/c/three.txt"));

    Files.writeString(share.resolve("a/b/c/later.txt"), "4");
    until("a file written later in the new directory", SEEN, () -> has("a/b/c/later.txt"));

    deleteTree(share.resolve("a/b"));
    until(
        "the removed directory's files are gone",
        SEEN,
        () -> has("a/one.txt") && index.snapshot().size() == 1);
  }

  @Test
  void aRenamedDirectoryIsFollowedAndOneMadeAgainUnderTheOldNameIsWatched() throws Exception {
    Files.createDirectories(share.resolve("photos"));
    Files.writeString(share.resolve("photos/a.jpg"), "a");
    watched();
    int watched = index.watchStats().directories(); // the root and photos

    Files.move(share.resolve("photos"), share.resolve("photos-old"));
    until(
        "the renamed directory's file under its new name",
        SEEN,
        () -> has("photos-old/a.jpg") && !has("photos/a.jpg"));
    Files.createDirectories(share.resolve("photos"));
    Files.writeString(share.resolve("photos/b.jpg"), "b");
    until("a file in the directory made again", SEEN, () -> has("photos/b.jpg"));
    // Written after the walk of the new directory: only a watch on it can see this one.
    Thread.sleep(300);
    Files.writeString(share.resolve("photos/c.jpg"), "c");
    until("a later file in the directory made again", SEEN, () -> has("photos/c.jpg"));
    Files.writeString(share.resolve("photos-old/d.jpg"), "d");
    until("a later file in the renamed directory", SEEN, () -> has("photos-old/d.jpg"));

    Path outside = Files.createTempDirectory("moved-out");
    try {
      Files.move(share.resolve("photos-old"), outside.resolve("photos-old"));
      until("the moved-out directory's files are gone", SEEN, () -> !has("photos-old/a.jpg"));
      // The root and the new photos: the moved-out one's watch is cancelled, not counted.
      until("its watch is given back", SEEN, () -> index.watchStats().directories() == watched);
    } finally {
      deleteTree(outside);
    }
  }

  @Test
  void aFileDatedInTheFutureIsIndexedNotWaitedFor() throws Exception {
    watched();
    Path future = share.resolve("tomorrow.txt");
    Files.writeString(future, "from a clock ahead");
    Files.setLastModifiedTime(
        future,
        java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() + 86_400_000L));
    until("a file with tomorrow's mtime is indexed", SEEN, () -> has("tomorrow.txt"));
    long updates = index.watchStats().updates();
    Thread.sleep(1500);
    assertTrue(has("tomorrow.txt"), "it stays");
    assertTrue(
        index.watchStats().updates() - updates <= 1,
        "and is not looked at again and again: " + index.watchStats());
  }

  @Test
  void aBurstIsAppliedInAFewUpdatesAndHiddenFilesAreNotEvenHeard() throws Exception {
    watched();
    long generation = index.snapshot().generation();
    for (int i = 0; i < 300; i++) {
      Files.writeString(share.resolve("f" + i + ".txt"), "n" + i);
    }
    until("300 files are indexed", SEEN, () -> index.snapshot().size() == 300);
    long steps = index.snapshot().generation() - generation;
    assertTrue(steps <= 30, "300 files in " + steps + " index changes: bursts are coalesced");

    long events = index.watchStats().events();
    Path part = share.resolve(".download.part");
    try (OutputStream out = Files.newOutputStream(part)) {
      for (int i = 0; i < 20; i++) {
        out.write(new byte[4096]);
        out.flush();
      }
    }
    Files.writeString(share.resolve("marker.txt"), "m");
    until("the marker written after the hidden file", SEEN, () -> has("marker.txt"));
    long heard = index.watchStats().events() - events;
    assertTrue(
        heard >= 1 && heard <= 2,
        heard
            + " events: only the marker's (created, written) count, not the 20 writes of a"
            + " temporary file");
  }

  @Test
  void aFileStillBeingWrittenIsIndexedOnlyOnceItSettles() throws Exception {
    // Settled after 1 s still: a write 100 ms after the last has 900 ms to spare on a busy machine.
    watched(new FileIndex.Watching(150, 1000, 1000, 100_000, 10_000), null);
    Path growing = share.resolve("growing.bin");
    MessageDigest all = MessageDigest.getInstance("SHA-256");
    byte[] chunk = new byte[64 * 1024];
    try (OutputStream out = Files.newOutputStream(growing, StandardOpenOption.CREATE_NEW)) {
      // 15 writes 100 ms apart: never still for as long as a file needs to count as settled.
      for (int i = 0; i < 15; i++) {
        chunk[0] = (byte) i;
        out.write(chunk);
        out.flush();
        all.update(chunk);
        Thread.sleep(100);
        assertNull(index.snapshot().get("growing.bin"), "indexed mid-write, after write " + i);
      }
    }
    until("the finished file is indexed", SEEN, () -> has("growing.bin"));
    FileEntry e = index.snapshot().get("growing.bin");
    assertEquals(15L * chunk.length, e.size());
    assertEquals(HexFormat.of().formatHex(all.digest()), e.checksum());
  }

  @Test
  void lostEventsMakeTheWholeFolderBeScannedAgain() throws Exception {
    CountDownLatch hold = new CountDownLatch(1);
    watched(FileIndex.Watching.DEFAULTS, hold);
    // While the drain is held the JDK keeps at most 512 events per directory, then one OVERFLOW.
    for (int i = 0; i < 700; i++) {
      Files.writeString(share.resolve("burst" + i + ".txt"), "b" + i);
    }
    hold.countDown();
    until("all 700 files are indexed", SEEN, () -> index.snapshot().size() == 700);
    assertTrue(index.watchStats().overflows() >= 1, index.watchStats().toString());
  }

  @Test
  void pastTheWatchLimitItSaysSoAndScansPeriodically() throws Exception {
    for (String d : new String[] {"a", "b", "c", "d"}) {
      Files.createDirectories(share.resolve(d));
    }
    watched(new FileIndex.Watching(150, 1000, 400, 3, 300), null);
    String problem = index.watchProblem();
    assertNotNull(problem, "four directories and the root, three watches");
    assertTrue(problem.contains("periodic scans"), problem);
    assertTrue(!index.watchStats().watching());

    // Whichever directories went unwatched, a file in each is found by the fallback's scans.
    for (String d : new String[] {"a", "b", "c", "d"}) {
      Files.writeString(share.resolve(d + "/x.txt"), d);
    }
    until(
        "a file in every directory is indexed",
        SEEN,
        () -> has("a/x.txt") && has("b/x.txt") && has("c/x.txt") && has("d/x.txt"));
  }

  static String sha256(String text) throws Exception {
    return HexFormat.of()
        .formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes("UTF-8")));
  }

  static void deleteTree(Path dir) throws Exception {
    try (var paths = Files.walk(dir)) {
      paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }
}
