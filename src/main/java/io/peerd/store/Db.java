package io.peerd.store;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One SQLite database, used from one thread. Every call is queued on the database's own worker (a
 * pool of one: calls run one at a time, in the order they were made), so an event loop never waits
 * on the disk and no two calls share the connection at once.
 *
 * <p>WAL mode with {@code synchronous=FULL}: a committed transaction survives a crash of the
 * process and a power cut; readers do not wait for the writer.
 */
public final class Db {

  /** Work with the connection, on the database's thread. */
  public interface Work<T> {
    T run(Connection c) throws SQLException;
  }

  private final Path file;
  private final WorkerExecutor worker;
  private final Connection connection;

  private Db(Path file, WorkerExecutor worker, Connection connection) {
    this.file = file;
    this.worker = worker;
    this.connection = connection;
  }

  /**
   * Opens (or creates) the database and brings its tables up to date.
   *
   * @param file null for a database in memory, lost at exit (a peer without a state_dir)
   * @param schemas for each owner of tables (a package: "downloads", "index"), the statements of
   *     each of its schema versions in order: version {@code i + 1} is {@code get(i)}; the {@code
   *     schema_versions} table says which have run. Owners move forward independently.
   */
  public static Future<Db> open(
      Vertx vertx, Path file, Map<String, List<List<String>>> schemas, String workerName) {
    WorkerExecutor worker = vertx.createSharedWorkerExecutor(workerName, 1, 5, TimeUnit.MINUTES);
    return worker
        .executeBlocking(() -> connect(file, schemas), true)
        .map(c -> new Db(file, worker, c))
        .onFailure(err -> worker.close());
  }

  private static Connection connect(Path file, Map<String, List<List<String>>> schemas)
      throws Exception {
    if (file != null) {
      Files.createDirectories(file.toAbsolutePath().getParent());
    }
    Connection c =
        DriverManager.getConnection(
            file == null ? "jdbc:sqlite::memory:" : "jdbc:sqlite:" + file.toAbsolutePath());
    try (Statement s = c.createStatement()) {
      if (file != null) {
        s.execute("PRAGMA journal_mode=WAL");
      }
      s.execute("PRAGMA synchronous=FULL");
      s.execute("PRAGMA foreign_keys=ON");
      s.execute("PRAGMA busy_timeout=5000");
      c.setAutoCommit(false);
      s.execute(
          "CREATE TABLE IF NOT EXISTS schema_versions"
              + " (owner TEXT PRIMARY KEY, version INTEGER NOT NULL)");
      for (Map.Entry<String, List<List<String>>> owner :
          new java.util.TreeMap<>(schemas).entrySet()) {
        migrate(c, owner.getKey(), owner.getValue());
      }
      c.commit();
      c.setAutoCommit(true);
    } catch (SQLException e) {
      c.close();
      throw e;
    }
    return c;
  }

  private static void migrate(Connection c, String owner, List<List<String>> versions)
      throws SQLException {
    int version = 0;
    try (PreparedStatement q =
        c.prepareStatement("SELECT version FROM schema_versions WHERE owner = ?")) {
      q.setString(1, owner);
      try (ResultSet rs = q.executeQuery()) {
        if (rs.next()) {
          version = rs.getInt(1);
        }
      }
    }
    if (version > versions.size()) {
      throw new SQLException(
          owner
              + "'s tables were written by a newer peerd (schema "
              + version
              + ", this one knows "
              + versions.size()
              + ")");
    }
    try (Statement s = c.createStatement()) {
      for (int v = version; v < versions.size(); v++) {
        for (String sql : versions.get(v)) {
          s.execute(sql);
        }
      }
    }
    try (PreparedStatement u =
        c.prepareStatement(
            "INSERT OR REPLACE INTO schema_versions (owner, version) VALUES (?, ?)")) {
      u.setString(1, owner);
      u.setInt(2, versions.size());
      u.executeUpdate();
    }
  }

  /** Where it lives; null in memory. */
  public Path file() {
    return file;
  }

  /** Runs {@code work} on the database's thread, in autocommit mode. */
  public <T> Future<T> call(Work<T> work) {
    return worker.executeBlocking(() -> work.run(connection), true);
  }

  /** Runs {@code work} in one transaction: all of it is committed, or none of it. */
  public <T> Future<T> transaction(Work<T> work) {
    return worker.executeBlocking(
        () -> {
          connection.setAutoCommit(false);
          try {
            T out = work.run(connection);
            connection.commit();
            return out;
          } catch (SQLException | RuntimeException e) {
            connection.rollback();
            throw e;
          } finally {
            connection.setAutoCommit(true);
          }
        },
        true);
  }

  /** Waits for the calls already queued, then closes the connection and the thread. */
  public Future<Void> close() {
    return worker
        .executeBlocking(
            () -> {
              connection.close();
              return null;
            },
            true)
        .<Void>mapEmpty()
        .eventually(worker::close);
  }
}
