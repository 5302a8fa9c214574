package io.peerd.index;

import io.peerd.store.Db;
import io.vertx.core.Future;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Types;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The index's hashes in the database, so that a restart hashes only what changed: each shared
 * file's SHA-256, root and kept Merkle layer, with the path, size, mtime and file key (device and
 * inode) they were computed for. A row is trusted only while all four still match the file on disk
 * ({@link FileEntry#sameStat}); it is at most as many rows as the index has files.
 */
public final class HashCache {

  static final List<List<String>> SCHEMA =
      List.of(
          List.of(
              "CREATE TABLE shared_hashes ("
                  + " name TEXT PRIMARY KEY,"
                  + " path TEXT NOT NULL,"
                  + " size INTEGER NOT NULL,"
                  + " mtime INTEGER NOT NULL,"
                  + " file_key TEXT,"
                  + " sha256 TEXT NOT NULL,"
                  + " root TEXT,"
                  + " piece_size INTEGER,"
                  + " layer BLOB)"));

  private final Db db;

  public HashCache(Db db) {
    this.db = db;
  }

  public static List<List<String>> schema() {
    return SCHEMA;
  }

  /** What the last run hashed, by name. */
  Future<Map<String, FileEntry>> load() {
    return db.call(
        c -> {
          Map<String, FileEntry> out = new HashMap<>();
          try (PreparedStatement s =
                  c.prepareStatement(
                      "SELECT name, path, size, mtime, file_key, sha256, root, piece_size, layer"
                          + " FROM shared_hashes LIMIT "
                          + Scanner.MAX_FILES);
              ResultSet rs = s.executeQuery()) {
            while (rs.next()) {
              String name = rs.getString(1);
              byte[] layer = rs.getBytes(9);
              out.put(
                  name,
                  new FileEntry(
                      name,
                      Path.of(rs.getString(2)),
                      rs.getLong(3),
                      rs.getLong(4),
                      rs.getString(6),
                      Names.extension(name),
                      Scanner.category(name),
                      rs.getString(7),
                      layer == null ? null : new Merkle.Layer(rs.getInt(8), layer),
                      rs.getString(5)));
            }
          }
          return out;
        });
  }

  /** The rows that differ between two scans: names gone, entries new or changed. */
  record Changes(List<String> gone, List<FileEntry> changed) {
    boolean isEmpty() {
      return gone.isEmpty() && changed.isEmpty();
    }
  }

  /** O(files): computed on the index worker, not on the loop that saves it. */
  static Changes diff(Map<String, FileEntry> before, List<FileEntry> after) {
    Map<String, FileEntry> now = new HashMap<>();
    after.forEach(e -> now.put(e.name(), e));
    List<String> gone = before.keySet().stream().filter(n -> !now.containsKey(n)).toList();
    List<FileEntry> changed = after.stream().filter(e -> before.get(e.name()) != e).toList();
    return new Changes(gone, changed);
  }

  /** Those rows, in one transaction. */
  Future<Void> save(Changes changes) {
    List<String> gone = changes.gone();
    List<FileEntry> changed = changes.changed();
    if (changes.isEmpty()) {
      return Future.succeededFuture();
    }
    return db.transaction(
        c -> {
          try (PreparedStatement del =
              c.prepareStatement("DELETE FROM shared_hashes WHERE name = ?")) {
            for (String name : gone) {
              del.setString(1, name);
              del.addBatch();
            }
            del.executeBatch();
          }
          try (PreparedStatement put =
              c.prepareStatement(
                  "INSERT OR REPLACE INTO shared_hashes"
                      + " (name, path, size, mtime, file_key, sha256, root, piece_size, layer)"
                      + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
            for (FileEntry e : changed) {
              put.setString(1, e.name());
              put.setString(2, e.path().toString());
              put.setLong(3, e.size());
              put.setLong(4, e.mtimeMillis());
              put.setString(5, e.fileKey());
              put.setString(6, e.checksum());
              put.setString(7, e.root());
              if (e.layer() == null) {
                put.setNull(8, Types.INTEGER);
                put.setNull(9, Types.BLOB);
              } else {
                put.setInt(8, e.layer().pieceSize());
                put.setBytes(9, e.layer().hashes());
              }
              put.addBatch();
            }
            put.executeBatch();
          }
          return null;
        });
  }
}
