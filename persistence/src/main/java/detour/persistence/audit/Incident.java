package detour.persistence.audit;

import detour.persistence.breaker.BreakerEvent;
import detour.persistence.breaker.BreakerScope;
import detour.persistence.breaker.Evidence;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * One incident of one breaker: from the moment its circuit opened (or an operator took it out)
 * to the moment it closed again, with everything that happened between.
 *
 * @param scope the provider or model
 * @param openedAt when it opened
 * @param cause the evidence of the first trip; empty when an operator opened it
 * @param trips every trip of the incident, the first and the re-opens
 * @param probePhases how many times it went half-open
 * @param rampStages the ramp stages it reached, in order
 * @param overrides operators' actions during the incident
 * @param closedAt when it closed again; empty while it lasts
 * @param events every event of the incident, in order
 */
public record Incident(
    BreakerScope scope,
    Instant openedAt,
    Optional<Evidence> cause,
    List<BreakerEvent.Tripped> trips,
    int probePhases,
    List<BreakerEvent.RampAdvanced> rampStages,
    List<BreakerEvent.Overridden> overrides,
    Optional<Instant> closedAt,
    List<BreakerEvent> events) {

  public Incident {
    events = List.copyOf(events);
    trips = List.copyOf(trips);
    rampStages = List.copyOf(rampStages);
    overrides = List.copyOf(overrides);
  }

  /** How long it lasted, or has lasted by {@code now}. */
  public Duration duration(Instant now) {
    return Duration.between(openedAt, closedAt.orElse(now));
  }

  /** Re-opens after failed probes or ramps. */
  public int reopens() {
    return Math.max(0, trips.size() - (cause.isPresent() ? 1 : 0));
  }
}
