package detour.router.coordinator;

import detour.providers.breaker.BreakerState;
import detour.router.config.Candidate;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Whether a candidate could be tried now, whatever the request: the walk's own checks that do not
 * need the request ({@link CandidateFilter#usable}, then {@link CircuitGate}: the same functions, so
 * that readiness and routing cannot drift), read from the lock-free view alone, so that health and
 * readiness cost no message and wait for no breaker, in a cluster as on one node.
 *
 * <p>Two readings are kinder than the coordinator's, because they are about the next moments and
 * not about one request: a half-open circuit counts, since the coordinator would ask it for its
 * probe and only the breaker knows whether one is free; and an open circuit whose cooldown has
 * ended counts, since its breaker is about to (or, in a cluster, has already begun to) probe
 * ({@link CircuitGate#soon}). What depends on the request (capabilities, protocol, guardrails on
 * the prompt or on latency) is not judged here, nor a last resort, which is the route's answer to
 * every circuit being shut.
 */
public final class CandidateReadiness {
  private CandidateReadiness() {}

  /**
   * Why the candidate could not be tried now, or empty when it could.
   *
   * @param provider the state of the breaker of the candidate's provider
   * @param model the state of the breaker of the candidate's model on it
   * @param faultyModels the provider's model circuits open on faults ({@link ProviderFleet#faultyModels})
   * @param now the breakers' clock
   */
  public static Optional<String> whyNot(
      Candidate candidate, BreakerState provider, BreakerState model, List<BreakerState> faultyModels, Instant now) {
    HopVerdict usable = CandidateFilter.usable(candidate);
    HopVerdict verdict = usable instanceof HopVerdict.Try
        ? CircuitGate.read(candidate, CircuitGate.soon(provider, now), CircuitGate.soon(model, now),
            CircuitGate.stillCooling(faultyModels, now))
        : usable;
    // Closed, recovering (its share), half-open (its probe), or done cooling down: it could be tried.
    return verdict instanceof HopVerdict.Skip skip ? Optional.of(skip.reason()) : Optional.empty();
  }

  /** As {@link #whyNot(Candidate, BreakerState, BreakerState, List, Instant)}, as the fleet's view holds them. */
  public static Optional<String> whyNot(Candidate candidate, ProviderFleet fleet, Instant now) {
    return whyNot(candidate, fleet.state(candidate.providerScope()), fleet.state(candidate.modelScope()),
        fleet.faultyModels(candidate.providerName()), now);
  }
}
