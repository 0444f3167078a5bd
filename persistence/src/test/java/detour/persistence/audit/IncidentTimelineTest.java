package detour.persistence.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import detour.persistence.breaker.BreakerEvent;
import detour.persistence.breaker.BreakerEvent.Drained;
import detour.persistence.breaker.BreakerEvent.ProbingStarted;
import detour.persistence.breaker.BreakerEvent.RampAdvanced;
import detour.persistence.breaker.BreakerEvent.Recovered;
import detour.persistence.breaker.BreakerEvent.Reset;
import detour.persistence.breaker.BreakerEvent.Tripped;
import detour.persistence.breaker.BreakerScope;
import detour.persistence.breaker.Evidence;
import detour.persistence.breaker.FailureKind;
import detour.persistence.breaker.TripReason;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class IncidentTimelineTest {
  static final BreakerScope SCOPE = BreakerScope.model("openai", "gpt-4o-mini");
  static final Instant T0 = Instant.parse("2026-11-25T13:00:00Z");

  static Tripped trip(int seconds, TripReason reason, int reopens) {
    return new Tripped(SCOPE, T0.plusSeconds(seconds), T0.plusSeconds(seconds + 30), reopens,
        new Evidence(reason, 12, Map.of(FailureKind.OVERLOADED, 5), 0, 5, 0, 503, "overloaded",
            Duration.ofSeconds(30), Duration.ZERO));
  }

  @Test
  void anIncidentRunsFromItsTripToItsCloseWithEverythingBetween() {
    List<BreakerEvent> events = List.of(
        trip(0, TripReason.CONSECUTIVE_FAULTS, 0),
        new ProbingStarted(SCOPE, T0.plusSeconds(30), 3),
        trip(31, TripReason.PROBE_FAILED, 1),
        new ProbingStarted(SCOPE, T0.plusSeconds(91), 3),
        new RampAdvanced(SCOPE, T0.plusSeconds(92), 0, 0.1, T0.plusSeconds(102)),
        new RampAdvanced(SCOPE, T0.plusSeconds(102), 1, 0.5, T0.plusSeconds(112)),
        new Recovered(SCOPE, T0.plusSeconds(112)));

    var incidents = IncidentTimeline.of(events);

    assertEquals(1, incidents.size());
    var incident = incidents.get(0);
    assertEquals(T0, incident.openedAt());
    assertEquals(Optional.of(T0.plusSeconds(112)), incident.closedAt());
    assertEquals(Duration.ofSeconds(112), incident.duration(T0.plusSeconds(999)));
    assertEquals(TripReason.CONSECUTIVE_FAULTS, incident.cause().orElseThrow().reason());
    assertEquals(1, incident.reopens());
    assertEquals(2, incident.probePhases());
    assertEquals(2, incident.rampStages().size());
    assertEquals(events, incident.events());
  }

  @Test
  void separateOutagesAreSeparateIncidentsAndAnOpenOneHasNoEnd() {
    var incidents = IncidentTimeline.of(List.of(
        trip(0, TripReason.FAILURE_RATE, 0),
        new ProbingStarted(SCOPE, T0.plusSeconds(30), 1),
        new Recovered(SCOPE, T0.plusSeconds(31)),
        trip(600, TripReason.RATE_LIMITS, 0)));

    assertEquals(2, incidents.size());
    assertEquals(Optional.empty(), incidents.get(1).closedAt());
    assertEquals(Duration.ofSeconds(60), incidents.get(1).duration(T0.plusSeconds(660)));
  }

  @Test
  void anOperatorsDrainIsAnIncidentWithTheOperatorAsItsCause() {
    var incidents = IncidentTimeline.of(List.of(
        new Drained(SCOPE, T0, "ana", "wrong answers"),
        new Reset(SCOPE, T0.plusSeconds(300), "ana", "fixed")));
    assertEquals(1, incidents.size());
    assertTrue(incidents.get(0).cause().isEmpty());
    assertEquals(2, incidents.get(0).overrides().size());
    String text = new AuditReport(incidents, T0.plusSeconds(400)).text();
    assertTrue(text.contains("operator ana: wrong answers"), text);
  }

  @Test
  void theReportFiltersByProviderAndTime() {
    var incident = IncidentTimeline.of(List.of(trip(0, TripReason.FAILURE_RATE, 0), new Recovered(SCOPE, T0.plusSeconds(60))))
        .get(0);
    assertTrue(new AuditFilter(Optional.of("openai"), Optional.empty(), Optional.empty()).admits(incident));
    assertTrue(!new AuditFilter(Optional.of("groq"), Optional.empty(), Optional.empty()).admits(incident));
    assertTrue(new AuditFilter(Optional.empty(), Optional.of(T0.plusSeconds(30)), Optional.empty()).admits(incident));
    assertTrue(!new AuditFilter(Optional.empty(), Optional.of(T0.plusSeconds(61)), Optional.empty()).admits(incident));
    assertTrue(!new AuditFilter(Optional.empty(), Optional.empty(), Optional.of(T0.minusSeconds(1))).admits(incident));
  }

  @Test
  void theJsonReportFollowsItsSchema() throws Exception {
    var incidents = IncidentTimeline.of(List.of(trip(0, TripReason.FAILURE_RATE, 0), new Recovered(SCOPE, T0.plusSeconds(60))));
    var json = new com.fasterxml.jackson.databind.ObjectMapper().readTree(new AuditReport(incidents, T0).json());
    assertEquals("detour.audit/v1", json.path("schema").asText());
    var first = json.path("incidents").get(0);
    assertEquals("openai/gpt-4o-mini", first.path("breaker").asText());
    assertEquals("gpt-4o-mini", first.path("model").asText());
    assertEquals(60_000, first.path("duration_ms").asLong());
    assertEquals("failure_rate", first.path("cause").path("reason").asText());
    assertEquals(5, first.path("cause").path("faults_by_class").path("overloaded").asInt());
    assertEquals("tripped", first.path("timeline").get(0).path("event").asText());
    assertEquals("recovered", first.path("timeline").get(1).path("event").asText());
  }
}
