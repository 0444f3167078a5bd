package detour.router.coordinator;

import static org.junit.jupiter.api.Assertions.assertEquals;

import detour.persistence.breaker.BreakerScope;
import detour.persistence.breaker.TripReason;
import detour.persistence.routing.SkipCause;
import detour.providers.breaker.BreakerState;
import detour.router.config.Candidate;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The circuit gate as the walk reads it: the stricter of the candidate's two circuits decides. */
class CircuitGateTest {
  static final Instant NOW = CandidateReadinessTest.NOW;
  static final Instant LATER = CandidateReadinessTest.LATER;
  static final BreakerState CLOSED = BreakerState.CLOSED;
  static final Candidate CANDIDATE = CandidateReadinessTest.CANDIDATE;
  static final BreakerScope PROVIDER = CANDIDATE.providerScope();
  static final BreakerScope MODEL = CANDIDATE.modelScope();

  @Test
  void closedCircuitsLetTheCandidateBeTried() {
    assertEquals(HopVerdict.TRY, read(CLOSED, CLOSED));
  }

  @Test
  void aDrainedCircuitPassesItOverForNowButNeverAsALastResort() {
    var drained = new HopVerdict.Skip(SkipCause.DRAINED, "drained by an operator", true, Optional.empty());
    assertEquals(drained, read(BreakerState.DRAINED, BreakerState.halfOpen(0)));
    assertEquals(drained, read(BreakerState.open(LATER, 0, null), BreakerState.DRAINED), "drained beats open");
  }

  @Test
  void anOpenCircuitPassesItOverUntilItsCooldownEndsEvenWhenThatHasPassed() {
    assertEquals(new HopVerdict.Skip(SkipCause.CIRCUIT_OPEN, "circuit of provider p open until " + LATER, true,
        Optional.of(LATER)), read(BreakerState.open(LATER, 0, TripReason.CONSECUTIVE_FAULTS), CLOSED));
    Instant passed = NOW.minusSeconds(5);
    assertEquals(new HopVerdict.Skip(SkipCause.CIRCUIT_OPEN, "circuit of model p/up open until " + passed, true,
        Optional.of(passed)), read(CLOSED, BreakerState.open(passed, 0, TripReason.RATE_LIMITS)),
        "the walk waits for the breaker to say it probes");
  }

  @Test
  void whenBothAreOpenTheLaterCooldownDecides() {
    Instant later = LATER.plusSeconds(60);
    BreakerState sooner = BreakerState.open(LATER, 0, null);
    BreakerState last = BreakerState.open(later, 0, null);
    assertEquals(Optional.of(later), reopensAt(read(sooner, last)));
    assertEquals(Optional.of(later), reopensAt(read(last, sooner)));
  }

  @Test
  void twoFaultyModelsOfItsProviderPassItOverUntilTheFirstOfThemProbes() {
    Instant sooner = LATER.minusSeconds(10);
    var faulty = List.of(BreakerState.open(LATER, 0, TripReason.FAILURE_RATE),
        BreakerState.open(sooner, 0, TripReason.CONSECUTIVE_FAULTS));
    assertEquals(new HopVerdict.Skip(SkipCause.CIRCUIT_OPEN,
        "2 of provider p's model circuits are open: a fault across the provider", true, Optional.of(sooner)),
        CircuitGate.read(CANDIDATE, CLOSED, CLOSED, faulty));
    assertEquals(HopVerdict.TRY, CircuitGate.read(CANDIDATE, CLOSED, CLOSED, faulty.subList(0, 1)));
  }

  @Test
  void aHalfOpenCircuitAsksItsBreakerForTheProbeTheProvidersFirst() {
    assertEquals(new HopVerdict.AskProbe(PROVIDER), read(BreakerState.halfOpen(1), BreakerState.halfOpen(0)));
    assertEquals(new HopVerdict.AskProbe(MODEL), read(CLOSED, BreakerState.halfOpen(0)));
    assertEquals(new HopVerdict.AskProbe(MODEL), read(BreakerState.recovering(0.5, LATER, 0), BreakerState.halfOpen(0)),
        "half-open beats recovering");
  }

  @Test
  void aRecoveringCircuitTriesItForTheSmallerShareAndSaysWhatItWouldSkip() {
    var ramp = read(BreakerState.recovering(0.5, LATER, 0), BreakerState.recovering(0.25, LATER, 1));
    assertEquals(new HopVerdict.Ramp(MODEL, 0.25, LATER), ramp);
    assertEquals(new HopVerdict.Skip(SkipCause.RAMPING, "recovering: p/up takes 25% of traffic until " + LATER, true,
        Optional.of(Instant.EPOCH)), ((HopVerdict.Ramp) ramp).notInShare());
    assertEquals(new HopVerdict.Ramp(PROVIDER, 0.1, LATER), read(BreakerState.recovering(0.1, LATER, 0), CLOSED));
  }

  @Test
  void soonReadsAnOpenCircuitDoneCoolingDownAsHalfOpenAndLeavesTheRest() {
    assertEquals(BreakerState.halfOpen(2), CircuitGate.soon(BreakerState.open(NOW, 2, TripReason.PROBE_FAILED), NOW));
    var cooling = BreakerState.open(LATER, 2, TripReason.PROBE_FAILED);
    assertEquals(cooling, CircuitGate.soon(cooling, NOW));
    assertEquals(CLOSED, CircuitGate.soon(CLOSED, NOW));
    assertEquals(List.of(cooling),
        CircuitGate.stillCooling(
            List.of(cooling, BreakerState.open(NOW.minusSeconds(1), 0, TripReason.FAILURE_RATE)), NOW));
  }

  private static HopVerdict read(BreakerState provider, BreakerState model) {
    return CircuitGate.read(CANDIDATE, provider, model, List.of());
  }

  private static Optional<Instant> reopensAt(HopVerdict verdict) {
    return ((HopVerdict.Skip) verdict).reopensAt();
  }
}
