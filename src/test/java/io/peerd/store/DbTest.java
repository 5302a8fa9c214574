package io.peerd.store;

import static io.peerd.testkit.Await.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** A real SQLite file: schema versions, transactions, and what a reopen finds. */
@ExtendWith(VertxExtension.class)
@Tag("unit")
class DbTest {

  static final List<List<String>> V1 = List.of(List.of("CREATE TABLE t (k TEXT PRIMARY KEY)"));
  static final List<List<String>> V2 =
      List.of(V1.get(0), List.of("ALTER TABLE t ADD COLUMN v INTEGER NOT NULL DEFAULT 7"));

  @TempDir Path tmp;

  @Test
  void aCommittedRowSurvivesAReopenAndAFailedTransactionLeavesNothing(Vertx vertx) {
    Path file = tmp.resolve("state/peer.db");
    Db db = await(Db.open(vertx, file, Map.of("t", V1), "db-test-1"));
    await(db.call(c -> c.createStatement().executeUpdate("INSERT INTO t VALUES ('kept')")));
    Throwable err =
        assertThrows(
            Throwable.class,
            () ->
                await(
                    db.transaction(
                        c -> {
                          c.createStatement().executeUpdate("INSERT INTO t VALUES ('lost')");
                          throw new SQLException("half-way");
                        })));
    assertTrue(String.valueOf(err.getMessage()).contains("half-way"), String.valueOf(err));
    await(db.close());

    // Version 2 runs its step on the old file: the row is there, with the new column's default.
    Db again = await(Db.open(vertx, file, Map.of("t", V2), "db-test-2"));
    List<String> rows =
        await(
            again.call(
                c -> {
                  var rs = c.createStatement().executeQuery("SELECT k, v FROM t ORDER BY k");
                  List<String> out = new java.util.ArrayList<>();
                  while (rs.next()) {
                    out.add(rs.getString(1) + "=" + rs.getInt(2));
                  }
                  return out;
                }));
    assertEquals(List.of("kept=7"), rows);
    String mode =
        await(
            again.call(
                c -> {
                  var rs = c.createStatement().executeQuery("PRAGMA journal_mode");
                  return rs.next() ? rs.getString(1) : "";
                }));
    assertEquals("wal", mode);
    await(again.close());

    // A file from a newer peerd is refused, not half-understood.
    Throwable newer =
        assertThrows(
            Throwable.class, () -> await(Db.open(vertx, file, Map.of("t", V1), "db-test-3")));
    assertTrue(newer.getMessage().contains("newer"), newer.getMessage());
  }
}
