package detour.router;

import static org.junit.jupiter.api.Assertions.assertEquals;

import detour.providers.breaker.BreakerState;
import detour.providers.breaker.BreakerState.Circuit;
import detour.simulator.Behaviour;
import detour.simulator.ProviderSimulator;
import detour.providers.testing.TestClock;
import detour.router.testing.RouterHarness;
import detour.router.testing.ScratchDatabase;
import detour.simulator.testing.SimulatorExtension;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shared journal for clusters, for real: the local PostgreSQL server, in a database of the
 * test's own ({@link ScratchDatabase}, which also says when the test is skipped).
 */
class PostgresJournalIT {
  @RegisterExtension static final SimulatorExtension upstreams = new SimulatorExtension("a", "b");

  static ScratchDatabase journal;

  @TempDir Path unusedH2;

  @BeforeAll
  static void createDatabase() {
    journal = ScratchDatabase.createOrSkip();
  }

  @AfterAll
  static void dropDatabase() {
    if (journal != null) journal.close();
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
    assertEquals(List.of("detour.persistence.breaker.BreakerEvent$Tripped"), journal.journaled("ProviderBreaker|a/model-a"));

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
        journal.journaled("ProviderBreaker|a/model-a"));
  }

  private RouterHarness start(ProviderSimulator simulator, TestClock clock) {
    return RouterHarness.start(simulator, List.of("a", "b"), unusedH2.resolve("journal"), clock,
        RouterHarness.SIMPLE_RECOVERY + "\n" + journal.journalConfig());
  }
}
