package detour.router.coordinator;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.typesafe.config.ConfigFactory;
import detour.persistence.breaker.TripReason;
import detour.providers.breaker.BreakerSettings;
import detour.providers.breaker.BreakerState;
import detour.providers.client.Protocol;
import detour.providers.client.ProviderSettings;
import detour.router.config.Candidate;
import detour.router.config.CatalogueModel;
import detour.router.config.Unusable;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Whether a candidate could be tried now, read from its two circuits as the coordinator reads them. */
class CandidateReadinessTest {
  static final Instant NOW = Instant.parse("2026-01-05T09:00:00Z");
  static final Instant LATER = NOW.plusSeconds(30);
  static final Instant EARLIER = NOW.minusSeconds(1);
  static final BreakerState CLOSED = BreakerState.CLOSED;
  static final Candidate CANDIDATE = candidate(Optional.empty());

  @Test
  void closedCircuitsLetItBeTried() {
    assertEquals(Optional.empty(), whyNot(CLOSED, CLOSED));
  }

  @Test
  void recoveringAndHalfOpenCircuitsLetItBeTriedForTheirShareOrTheirProbe() {
    assertEquals(Optional.empty(), whyNot(BreakerState.recovering(0.1, LATER, 1), CLOSED));
    assertEquals(Optional.empty(), whyNot(CLOSED, BreakerState.recovering(0.5, LATER, 0)));
    assertEquals(Optional.empty(), whyNot(BreakerState.halfOpen(1), CLOSED));
    assertEquals(Optional.empty(), whyNot(CLOSED, BreakerState.halfOpen(0)));
  }

  @Test
  void anOpenCircuitStillCoolingDownShutsItAndSaysUntilWhen() {
    assertEquals(Optional.of("circuit of provider p open until " + LATER),
        whyNot(BreakerState.open(LATER, 0, TripReason.CONSECUTIVE_FAULTS), CLOSED));
    assertEquals(Optional.of("circuit of model p/up open until " + LATER),
        whyNot(CLOSED, BreakerState.open(LATER, 0, TripReason.RATE_LIMITS)));
  }

  @Test
  void whenBothAreOpenTheLaterCooldownDecides() {
    Instant later = LATER.plusSeconds(60);
    assertEquals(Optional.of("circuit of model p/up open until " + later),
        whyNot(BreakerState.open(LATER, 0, null), BreakerState.open(later, 0, null)));
    assertEquals(Optional.of("circuit of provider p open until " + later),
        whyNot(BreakerState.open(later, 0, null), BreakerState.open(LATER, 0, null)));
  }

  @Test
  void anOpenCircuitWhoseCooldownHasEndedCountsAsProbeable() {
    assertEquals(Optional.empty(), whyNot(BreakerState.open(EARLIER, 2, TripReason.PROBE_FAILED), CLOSED));
    assertEquals(Optional.empty(), whyNot(CLOSED, BreakerState.open(NOW, 0, TripReason.FAILURE_RATE)));
    assertEquals(Optional.of("circuit of model p/up open until " + LATER),
        whyNot(BreakerState.open(EARLIER, 0, null), BreakerState.open(LATER, 0, null)), "the later one still shuts it");
  }

  @Test
  void aDrainedCircuitShutsItWhateverTheOtherSays() {
    assertEquals(Optional.of("drained by an operator"), whyNot(BreakerState.DRAINED, CLOSED));
    assertEquals(Optional.of("drained by an operator"), whyNot(BreakerState.halfOpen(0), BreakerState.DRAINED));
  }

  @Test
  void twoOfItsProvidersModelsOpenOnFaultsShutItAsAFaultAcrossTheProvider() {
    var faulty = List.of(BreakerState.open(LATER, 0, TripReason.FAILURE_RATE),
        BreakerState.open(LATER, 0, TripReason.CONSECUTIVE_FAULTS));
    assertEquals(Optional.of("2 of provider p's model circuits are open: a fault across the provider"),
        CandidateReadiness.whyNot(CANDIDATE, CLOSED, CLOSED, faulty, NOW));
    assertEquals(Optional.empty(), CandidateReadiness.whyNot(CANDIDATE, CLOSED, CLOSED, faulty.subList(0, 1), NOW),
        "one open model is that model's trouble");
    var oneCooledDown = List.of(faulty.get(0), BreakerState.open(EARLIER, 0, TripReason.FAILURE_RATE));
    assertEquals(Optional.empty(), CandidateReadiness.whyNot(CANDIDATE, CLOSED, CLOSED, oneCooledDown, NOW));
  }

  @Test
  void anUnusableCandidateIsShutWhateverItsCircuitsSay() {
    var keyless = candidate(Optional.of("provider 'p' has no api-key configured"));
    assertEquals(Optional.of("provider 'p' has no api-key configured"),
        CandidateReadiness.whyNot(keyless, CLOSED, CLOSED, List.of(), NOW));
  }

  private static Optional<String> whyNot(BreakerState provider, BreakerState model) {
    return CandidateReadiness.whyNot(CANDIDATE, provider, model, List.of(), NOW);
  }

  static Candidate candidate(Optional<String> unusable) {
    var provider = new ProviderSettings("p", Protocol.OPENAI_COMPATIBLE, URI.create("http://127.0.0.1:1/v1"),
        Optional.empty(), false, Map.of(), Map.of(), Duration.ofSeconds(1), Duration.ofSeconds(5),
        Duration.ofSeconds(5), Duration.ofSeconds(5), 4, 16, BreakerSettings.defaults().with(ConfigFactory.empty()));
    return new Candidate(new CatalogueModel("m", "p", "up", 8_192), provider, unusable.map(Unusable::provider));
  }
}
