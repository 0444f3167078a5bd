package detour.router.testing;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * A PostgreSQL database of a test's own on the local server (127.0.0.1:5432, database {@code test},
 * user {@code postgres}; DETOUR_TEST_PG_URL and DETOUR_TEST_PG_USER override), created from that one
 * and dropped at the end, since the journal's tables always go in a database's {@code public}
 * schema. Without a reachable server the test is skipped and says so, except in CI (CI=true), where
 * it fails.
 */
public final class ScratchDatabase implements AutoCloseable {
  static final String SERVER = env("DETOUR_TEST_PG_URL", "jdbc:postgresql://127.0.0.1:5432/test");
  static final String USER = env("DETOUR_TEST_PG_USER", "postgres");

  private final String name;
  private final String url;

  private ScratchDatabase(String name) {
    this.name = name;
    this.url = SERVER.substring(0, SERVER.lastIndexOf('/') + 1) + name;
  }

  /** Creates the database, or skips (fails, in CI) the calling test when the server is unreachable. */
  public static ScratchDatabase createOrSkip() {
    var db = new ScratchDatabase("detour_it_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12));
    try (Connection server = DriverManager.getConnection(SERVER, USER, "")) {
      server.createStatement().execute("CREATE DATABASE " + db.name);
    } catch (SQLException unreachable) {
      String why = "PostgreSQL is not reachable at " + SERVER + " as " + USER + ": " + unreachable.getMessage();
      if ("true".equals(System.getenv("CI"))) fail("CI runs the PostgreSQL journal tests, but " + why);
      System.err.println("SKIPPED the PostgreSQL journal tests: " + why);  // an aborted class prints nothing
      assumeTrue(false, "SKIPPED the PostgreSQL journal tests: " + why);
    }
    return db;
  }

  public String url() {
    return url;
  }

  public String user() {
    return USER;
  }

  /** The journal's configuration for this database, in HOCON. */
  public String journalConfig() {
    return "detour.journal { kind = postgres, postgres { url = \"" + url + "\", user = \"" + USER + "\" } }";
  }

  /**
   * Creates the journal's tables with akka-persistence-jdbc's own script, as an operator would:
   * nodes that start together then do not race to create them.
   */
  public void createJournalTables() throws SQLException, IOException {
    String script;
    try (InputStream in = getClass().getClassLoader().getResourceAsStream("schema/postgres/postgres-create-schema.sql")) {
      if (in == null) throw new IllegalStateException("akka-persistence-jdbc's PostgreSQL script is not on the class path");
      script = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    // One statement at a time: the script's CREATE INDEX CONCURRENTLY may not run in a batch.
    try (Connection db = DriverManager.getConnection(url, USER, "")) {
      for (String statement : script.replaceAll("(?m)^--.*$", "").split(";")) {
        if (!statement.isBlank()) db.createStatement().execute(statement);
      }
    }
  }

  /** The manifests of a persistence id's rows, in order. */
  public List<String> journaled(String persistenceId) throws SQLException {
    try (Connection db = DriverManager.getConnection(url, USER, "");
        var query = db.prepareStatement(
            "SELECT event_ser_manifest FROM event_journal WHERE persistence_id = ? ORDER BY sequence_number")) {
      query.setString(1, persistenceId);
      var rows = query.executeQuery();
      var manifests = new ArrayList<String>();
      while (rows.next()) manifests.add(rows.getString(1));
      return manifests;
    }
  }

  /** One row of the journal: where it sits in its stream, and which incarnation of the writer wrote it. */
  public record JournalRow(String persistenceId, long sequenceNr, String writer, String manifest) {}

  /** Every row of the journal, stream by stream, in sequence order. */
  public List<JournalRow> rows() throws SQLException {
    try (Connection db = DriverManager.getConnection(url, USER, "");
        var query = db.prepareStatement("SELECT persistence_id, sequence_number, writer, event_ser_manifest"
            + " FROM event_journal ORDER BY persistence_id, sequence_number")) {
      var rows = query.executeQuery();
      var all = new ArrayList<JournalRow>();
      while (rows.next()) all.add(new JournalRow(rows.getString(1), rows.getLong(2), rows.getString(3), rows.getString(4)));
      return all;
    }
  }

  /** How many rows of the journal, of any persistence id, have this manifest. */
  public int countManifest(String manifest) throws SQLException {
    try (Connection db = DriverManager.getConnection(url, USER, "");
        var query = db.prepareStatement("SELECT count(*) FROM event_journal WHERE event_ser_manifest = ?")) {
      query.setString(1, manifest);
      var rows = query.executeQuery();
      rows.next();
      return rows.getInt(1);
    }
  }

  @Override
  public void close() {
    try (Connection server = DriverManager.getConnection(SERVER, USER, "")) {
      server.createStatement().execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
    } catch (SQLException unreachable) {
      // nothing was created
    }
  }

  private static String env(String name, String fallback) {
    String value = System.getenv(name);
    return value == null || value.isBlank() ? fallback : value;
  }
}
