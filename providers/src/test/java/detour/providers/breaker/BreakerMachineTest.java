package detour.providers.breaker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import detour.persistence.breaker.BreakerEvent;
import detour.persistence.breaker.BreakerEvent.ProbingStarted;
import detour.persistence.breaker.BreakerEvent.RampAdvanced;
import detour.persistence.breaker.BreakerEvent.Recovered;
import detour.persistence.breaker.BreakerEvent.Tripped;
import detour.persistence.breaker.BreakerScope;
import detour.persistence.breaker.FailureKind;
import detour.persistence.breaker.TripReason;
import detour.providers.breaker.ProviderBreaker.Closed;
import detour.providers.breaker.ProviderBreaker.HalfOpen;
import detour.providers.breaker.ProviderBreaker.Open;
import detour.providers.breaker.ProviderBreaker.Phase;
import detour.providers.breaker.ProviderBreaker.Recovering;
import detour.providers.model.ProviderFailure;
import java.time.Instant;
import java.util.Optional;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The breaker's rules with no actor: inputs in, the event to journal out, and apply to move. */
class BreakerMachineTest {
  final BreakerSettings settings = BreakerSettings.defaults().with(ConfigFactory.parseString("cooldown-jitter = 0"));
  final BreakerScope scope = BreakerScope.model("openai", "gpt-4o-mini");
  final BreakerMachine machine = new BreakerMachine(scope, settings, new SplittableRandom(1));
  final Instant now = Instant.parse("2026-01-05T09:00:00Z");
  static final ProviderFailure FAULT = ProviderFailure.of(FailureKind.SERVER_ERROR, 503, "down");
  static final ProviderFailure REFUSED = ProviderFailure.of(FailureKind.CONNECT_REFUSED, 0, "refused");

  @Test
  void aRunOfFaultsWhileClosedCallsForATripAndApplyingItOpensTheCircuit() {
    Phase phase = entered(new Closed());
    for (int i = 1; i < settings.consecutiveFaults(); i++) {
      assertEquals(Optional.empty(), machine.failed(phase, now, FAULT, false));
    }
    Tripped trip = (Tripped) machine.failed(phase, now, FAULT, false).orElseThrow();
    assertEquals(new Open(now.plus(settings.cooldown()), 0, TripReason.CONSECUTIVE_FAULTS),
        BreakerMachine.apply(phase, trip));
  }

  @Test
  void theLastProbeNeededStartsTheRampAndEachPhaseCountsItsOwnProbes() {
    HalfOpen halfOpen = (HalfOpen) entered(BreakerMachine.apply(new Open(now, 0, null),
        machine.cooldownOver(new Open(now, 0, null), now)));
    for (int i = 1; i < settings.halfOpenProbes(); i++) {
      assertTrue(halfOpen.trial().take());
      assertFalse(halfOpen.trial().take(), "one probe permit at a time");
      assertEquals(Optional.empty(), machine.answered(halfOpen, now, 100, true));
    }
    // A half-open phase entered again owns a fresh trial: the probes passed before count no more.
    halfOpen = (HalfOpen) entered(BreakerMachine.apply(new Open(now, 0, null),
        machine.cooldownOver(new Open(now, 0, null), now)));
    assertTrue(halfOpen.trial().take());
    assertEquals(Optional.empty(), machine.answered(halfOpen, now, 100, true));
    for (int i = 2; i < settings.halfOpenProbes(); i++) machine.answered(halfOpen, now, 100, true);
    BreakerEvent ramp = machine.answered(halfOpen, now, 100, true).orElseThrow();
    assertEquals(new RampAdvanced(scope, now, 0, settings.rampStages().get(0), now.plus(settings.rampStageDuration())),
        ramp);
  }

  @Test
  void aProbeFailureBlamedOnTheOtherCircuitFreesThePermitAndMovesNothing() {
    HalfOpen halfOpen = (HalfOpen) entered(new HalfOpen(0, settings.halfOpenProbes()));
    assertTrue(halfOpen.trial().take());
    assertEquals(Optional.empty(), machine.failed(halfOpen, now, REFUSED, true));
    assertTrue(halfOpen.trial().take(), "the permit is free for the next request");
    Tripped trip = (Tripped) machine.failed(halfOpen, now, FAULT, true).orElseThrow();
    assertEquals(TripReason.PROBE_FAILED, trip.evidence().reason());
    assertEquals(1, trip.reopens());
  }

  @Test
  void theLastRampStageHeldHealthyRecovers() {
    int last = settings.rampStages().size() - 1;
    Recovering ramp = new Recovering(last, settings.rampStages().get(last), now, 0);
    BreakerEvent recovered = machine.stageOver(ramp, now);
    assertEquals(new Recovered(scope, now), recovered);
    assertEquals(new Closed(), BreakerMachine.apply(ramp, recovered));
  }

  @Test
  void aHalfOpenSnapshotKeepsItsShapeAndComesBackWithAFreshTrial() throws Exception {
    var json = new com.fasterxml.jackson.databind.ObjectMapper();
    HalfOpen halfOpen = new HalfOpen(1, 3);
    assertTrue(halfOpen.trial().take());
    assertEquals("{\"reopens\":1,\"probes\":3}", json.writeValueAsString(halfOpen));
    HalfOpen back = json.readValue("{\"reopens\":1,\"probes\":3}", HalfOpen.class);
    assertEquals(halfOpen, back);
    assertTrue(back.trial().take(), "no probe is out after a restart");
  }

  @Test
  void aMoveThePhaseDoesNotAllowIsRefused() {
    assertThrows(IllegalStateException.class,
        () -> BreakerMachine.apply(new Closed(), new ProbingStarted(scope, now, 3)));
  }

  private Phase entered(Phase phase) {
    machine.entered(phase);
    return phase;
  }
}
