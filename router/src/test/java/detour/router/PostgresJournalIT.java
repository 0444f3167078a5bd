package detour.router;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import detour.providers.breaker.BreakerState;
import detour.providers.breaker.BreakerState.Circuit;
import detour.providers.simulator.Behaviour;
import detour.providers.simulator.ProviderSimulator;
import detour.providers.testing.TestClock;
import detour.router.testing.RouterHarness;
import detour.providers.testing.SimulatorExtension;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shared journal for clusters, for real: the local PostgreSQL server (127.0.0.1:5432,
 * database {@code test}, user {@code postgres}; DETOUR_TEST_PG_URL and DETOUR_TEST_PG_USER
 * override). Each run works in a database of its own, created from that one and dropped at the end,
 * since the journal's tables are always created in a database's {@code public} schema. Without a
 * reachable server the test is skipped and says so, except in CI (CI=true), where it fails.
 */
class PostgresJournalIT {
  @RegisterExtension static final SimulatorExtension upstreams = new SimulatorExtension("a", "b");

  static final String SERVER = env("DETOUR_TEST_PG_URL", "jdbc:postgresql://127.0.0.1:5432/test");
  static final String USER = env("DETOUR_TEST_PG_USER", "postgres");
  static final String DATABASE = "detour_it_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
  static final String JOURNAL = SERVER.substring(0, SERVER.lastIndexOf('/') + 1) + DATABASE;

  @TempDir Path unusedH2;

  @BeforeAll
  static void createDatabase() {
    try (Connection db = DriverManager.getConnection(SERVER, USER, "")) {
      db.createStatement().execute("CREATE DATABASE " + DATABASE);
    } catch (SQLException unreachable) {
      String why = "PostgreSQL is not reachable at " + SERVER + " as " + USER + ": " + unreachable.getMessage();
      if ("true".equals(System.getenv("CI"))) fail("CI runs the PostgreSQL journal tests, but " + why);
      System.err.println("SKIPPED the PostgreSQL journal tests: " + why);  // an aborted class prints nothing
      assumeTrue(false, "SKIPPED the PostgreSQL journal tests: " + why);
    }
  }

  @AfterAll
  static void dropDatabase() throws SQLException {
    try (Connection db = DriverManager.getConnection(SERVER, USER, "")) {
      db.createStatement().execute("DROP DATABASE IF EXISTS " + DATABASE + " WITH (FORCE)");
    } catch (SQLException unreachable) {
      // nothing was created
    }
  }

  @Test
  void anOpenCircuitIsJournaledInPostgresAndSurvivesARestart() throws SQLException {
    var clock = TestClock.at("2026-01-05T09:00:00Z");
    ProviderSimulator simulator = upstreams.simulator();
    var primary = simulator.instance("a");
    primary.behave(Behaviour.error(503));

    BreakerState opened;
    try (var first = start(simulator, clock)) {
      for (int i = 0; i < 5; i++) first.chat();
      opened = first.circuit("a/model-a");
      assertEquals(Circuit.OPEN, opened.circuit());
    }
    assertEquals(List.of("detour.persistence.breaker.BreakerEvent$Tripped"), journaled("ProviderBreaker|a/model-a"));

    primary.behave(Behaviour.ok());
    try (var second = start(simulator, clock)) {
      assertEquals(opened, second.circuit("a/model-a"), "recovered from PostgreSQL, deadline included");
      assertEquals("b", second.chat().header("x-detour-provider"));
      assertEquals(5, primary.requests());
      second.timePasses(Duration.ofSeconds(30));
      assertEquals("a", second.chat().header("x-detour-provider"));
      second.assertCircuit("a/model-a", Circuit.CLOSED);
    }
    assertEquals(List.of("detour.persistence.breaker.BreakerEvent$Tripped",
            "detour.persistence.breaker.BreakerEvent$ProbingStarted",
            "detour.persistence.breaker.BreakerEvent$Recovered"),
        journaled("ProviderBreaker|a/model-a"));
  }

  private RouterHarness start(ProviderSimulator simulator, TestClock clock) {
    return RouterHarness.start(simulator, List.of("a", "b"), unusedH2.resolve("journal"), clock,
        RouterHarness.SIMPLE_RECOVERY + "\n"
            + "detour.journal { kind = postgres, postgres { url = \"" + JOURNAL + "\", user = \"" + USER + "\" } }");
  }

  /** The manifests of a persistence id's rows, in order. */
  private static List<String> journaled(String persistenceId) throws SQLException {
    try (Connection db = DriverManager.getConnection(JOURNAL, USER, "");
        var query = db.prepareStatement(
            "SELECT event_ser_manifest FROM event_journal WHERE persistence_id = ? ORDER BY sequence_number")) {
      query.setString(1, persistenceId);
      var rows = query.executeQuery();
      var manifests = new java.util.ArrayList<String>();
      while (rows.next()) manifests.add(rows.getString(1));
      return manifests;
    }
  }

  private static String env(String name, String fallback) {
    String value = System.getenv(name);
    return value == null || value.isBlank() ? fallback : value;
  }
}
