package detour.router;

import static org.junit.jupiter.api.Assertions.assertEquals;

import detour.providers.breaker.BreakerState;
import detour.providers.breaker.BreakerState.Circuit;
import detour.simulator.Behaviour;
import detour.providers.testing.TestClock;
import detour.router.testing.RouterHarness;
import detour.simulator.testing.SimulatorExtension;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Breaker state survives the node: an open circuit is still open, with its original deadline. */
class RestartIT {
  @RegisterExtension static final SimulatorExtension upstreams = new SimulatorExtension("a", "b");
  @TempDir Path journalDir;

  @Test
  void anOpenCircuitStaysOpenAcrossARestartUntilItsOriginalCooldownEnds() {
    var clock = TestClock.at("2026-01-05T09:00:00Z");
    var journal = journalDir.resolve("journal");
    var primary = upstreams.instance("a");
    primary.behave(Behaviour.error(503));

    BreakerState opened;
    try (var first = RouterHarness.start(upstreams.simulator(), List.of("a", "b"), journal, clock)) {
      for (int i = 0; i < 5; i++) first.chat();
      opened = first.circuit("a/model-a");
      assertEquals(Circuit.OPEN, opened.circuit());
      first.timePasses(Duration.ofSeconds(10));
    }
    assertEquals(5, primary.requests());
    primary.behave(Behaviour.ok());

    try (var second = RouterHarness.start(upstreams.simulator(), List.of("a", "b"), journal, clock)) {
      assertEquals(opened, second.circuit("a/model-a"), "recovered from the journal, deadline included");
      for (int i = 0; i < 3; i++) {
        assertEquals("b", second.chat().header("x-detour-provider"));
      }
      assertEquals(5, primary.requests(), "the restarted node sends the primary nothing");

      second.timePasses(Duration.ofSeconds(20).minusMillis(1));
      second.assertCircuit("a/model-a", Circuit.OPEN);
      second.timePasses(Duration.ofMillis(1));
      second.assertCircuit("a/model-a", Circuit.HALF_OPEN);
      assertEquals("a", second.chat().header("x-detour-provider"));
      assertEquals(6, primary.requests());
      second.assertCircuit("a/model-a", Circuit.CLOSED);
    }
  }
}
