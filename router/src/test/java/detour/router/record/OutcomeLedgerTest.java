package detour.router.record;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import detour.persistence.breaker.FailureKind;
import detour.persistence.routing.ModelRef;
import detour.persistence.routing.RoutingEvent.ModelSecond;
import detour.persistence.routing.SkipCause;
import detour.providers.testing.TestClock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class OutcomeLedgerTest {
  static final ModelRef MINI = new ModelRef("openai", "gpt-4o-mini");
  final TestClock clock = TestClock.at("2026-01-05T09:00:00.100Z");
  // Two catalogue ids for one upstream model count together, as their one breaker does.
  final OutcomeLedger ledger = new OutcomeLedger(clock, Map.of("mini", MINI, "mini-json", MINI));

  @Test
  void countsEachSecondsAnswersByLatencyBucketFailuresByClassAndCircuitPassOvers() {
    ledger.answered("mini", "openai", 40);
    ledger.answered("mini-json", "openai", 180);
    ledger.failed("mini", "openai", FailureKind.RATE_LIMITED, 2_000);
    ledger.failed("mini", "openai", FailureKind.RATE_LIMITED, 500);
    ledger.passedOver("mini", "openai", SkipCause.CIRCUIT_OPEN);
    ledger.passedOver("mini", "openai", SkipCause.GUARDRAIL);  // not the circuit's doing: not demand
    clock.advance(Duration.ofSeconds(1));
    ledger.answered("mini", "openai", 7);

    List<ModelSecond> drained = ledger.drainBefore(clock.instant());

    assertEquals(List.of(new ModelSecond(Instant.parse("2026-01-05T09:00:00Z"), MINI, 2,
        Map.of("50", 1L, "250", 1L), Map.of("RATE_LIMITED", 2L), 2_000, Map.of(SkipCause.CIRCUIT_OPEN, 1L))), drained,
        "only the complete second");
    assertEquals(List.of(new ModelSecond(Instant.parse("2026-01-05T09:00:01Z"), MINI, 1, Map.of("10", 1L),
        Map.of(), 0, Map.of())), ledger.drainBefore(clock.instant().plusSeconds(1)));
    assertTrue(ledger.drainBefore(clock.instant().plusSeconds(5)).isEmpty(), "each second is drained once");
  }

  @Test
  void aModelOutsideTheCatalogueIsCountedUnderItsOwnName() {
    ledger.failed("gpt-5", "openai", FailureKind.SERVER_ERROR, 0);

    var drained = ledger.drainBefore(clock.instant().plusSeconds(1));

    assertEquals(new ModelRef("openai", "gpt-5"), drained.get(0).model());
  }

  @Test
  void aSecondNobodyDrainedInTimeIsOverwrittenAndCounted() {
    ledger.answered("mini", "openai", 10);
    clock.advance(Duration.ofSeconds(OutcomeLedger.SECONDS_KEPT));
    ledger.answered("mini", "openai", 10);  // the same slot of the ring, eight seconds on

    assertEquals(1, ledger.overwritten());
    assertEquals(1, ledger.drainBefore(clock.instant().plusSeconds(1)).size());
  }
}
