package io.peerd.downloads;

import io.peerd.store.Db;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;

/**
 * The queue's table: one row per download, its verified pieces as a bitmap beside it. Every method
 * is one statement or one transaction on the database's thread.
 */
final class DownloadStore {

  /** The schema, version by version ({@link Db#open}). */
  static final List<List<String>> SCHEMA =
      List.of(
          List.of(
              "CREATE TABLE downloads ("
                  + " id TEXT PRIMARY KEY,"
                  + " ask TEXT NOT NULL,"
                  + " content_key TEXT NOT NULL UNIQUE,"
                  + " name TEXT NOT NULL,"
                  + " size INTEGER NOT NULL,"
                  + " root TEXT,"
                  + " sha256 TEXT,"
                  + " state TEXT NOT NULL,"
                  + " reason TEXT NOT NULL,"
                  + " bytes_done INTEGER NOT NULL,"
                  + " created INTEGER NOT NULL,"
                  + " updated INTEGER NOT NULL,"
                  + " file TEXT,"
                  + " piece_size INTEGER,"
                  + " pieces BLOB)"));

  /** A bitmap as saved, and what it is a bitmap of. */
  record Pieces(String root, long size, int pieceSize, BitSet verified) {}

  private final Db db;

  DownloadStore(Db db) {
    this.db = db;
  }

  Future<List<Download>> all() {
    return db.call(
        c -> {
          List<Download> out = new ArrayList<>();
          try (PreparedStatement s =
                  c.prepareStatement(
                      "SELECT id, ask, content_key, name, size, root, sha256, state, reason,"
                          + " bytes_done, created, updated, file FROM downloads ORDER BY created, id");
              ResultSet rs = s.executeQuery()) {
            while (rs.next()) {
              out.add(
                  new Download(
                      rs.getString(1),
                      Ask.fromJson(new JsonObject(rs.getString(2))),
                      rs.getString(3),
                      rs.getString(4),
                      rs.getLong(5),
                      rs.getString(6),
                      rs.getString(7),
                      State.of(rs.getString(8)),
                      rs.getString(9),
                      rs.getLong(10),
                      rs.getLong(11),
                      rs.getLong(12),
                      rs.getString(13)));
            }
          }
          return out;
        });
  }

  Future<Void> insert(Download d) {
    return db.call(
        c -> {
          try (PreparedStatement s =
              c.prepareStatement(
                  "INSERT INTO downloads (id, ask, content_key, name, size, root, sha256, state,"
                      + " reason, bytes_done, created, updated, file)"
                      + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
            s.setString(1, d.id());
            s.setString(2, d.ask().toJson().encode());
            s.setString(3, d.key());
            bindFacts(s, 4, d);
            s.executeUpdate();
          }
          return null;
        });
  }

  /** Everything but the bitmap. */
  Future<Void> update(Download d) {
    return db.call(
        c -> {
          try (PreparedStatement s =
              c.prepareStatement(
                  "UPDATE downloads SET name = ?, size = ?, root = ?, sha256 = ?, state = ?,"
                      + " reason = ?, bytes_done = ?, created = ?, updated = ?, file = ?"
                      + " WHERE id = ?")) {
            bindFacts(s, 1, d);
            s.setString(11, d.id());
            s.executeUpdate();
          }
          return null;
        });
  }

  private static void bindFacts(PreparedStatement s, int at, Download d) throws SQLException {
    s.setString(at, d.name());
    s.setLong(at + 1, d.size());
    nullable(s, at + 2, d.root());
    nullable(s, at + 3, d.sha256());
    s.setString(at + 4, d.state().wire());
    s.setString(at + 5, d.reason());
    s.setLong(at + 6, d.bytesDone());
    s.setLong(at + 7, d.created());
    s.setLong(at + 8, d.updated());
    nullable(s, at + 9, d.file());
  }

  private static void nullable(PreparedStatement s, int at, String v) throws SQLException {
    if (v == null) {
      s.setNull(at, Types.VARCHAR);
    } else {
      s.setString(at, v);
    }
  }

  Future<Pieces> pieces(String id) {
    return db.call(
        c -> {
          try (PreparedStatement s =
              c.prepareStatement(
                  "SELECT root, size, piece_size, pieces FROM downloads"
                      + " WHERE id = ? AND pieces IS NOT NULL")) {
            s.setString(1, id);
            try (ResultSet rs = s.executeQuery()) {
              return rs.next()
                  ? new Pieces(
                      rs.getString(1), rs.getLong(2), rs.getInt(3), BitSet.valueOf(rs.getBytes(4)))
                  : null;
            }
          }
        });
  }

  /** The bitmap and the byte count it stands for, in one statement: never one without the other. */
  Future<Void> savePieces(String id, Pieces p, long bytesDone) {
    return db.call(
        c -> {
          try (PreparedStatement s =
              c.prepareStatement(
                  "UPDATE downloads SET root = ?, size = ?, piece_size = ?, pieces = ?,"
                      + " bytes_done = ? WHERE id = ?")) {
            s.setString(1, p.root());
            s.setLong(2, p.size());
            s.setInt(3, p.pieceSize());
            s.setBytes(4, p.verified().toByteArray());
            s.setLong(5, bytesDone);
            s.setString(6, id);
            s.executeUpdate();
          }
          return null;
        });
  }

  Future<Void> clearPieces(String id) {
    return db.call(
        c -> run(c, "UPDATE downloads SET piece_size = NULL, pieces = NULL WHERE id = ?", id));
  }

  Future<Void> delete(String id) {
    return db.call(c -> run(c, "DELETE FROM downloads WHERE id = ?", id));
  }

  private static Void run(Connection c, String sql, String id) throws SQLException {
    try (PreparedStatement s = c.prepareStatement(sql)) {
      s.setString(1, id);
      s.executeUpdate();
    }
    return null;
  }
}
