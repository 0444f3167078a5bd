package detour.router.coordinator;

import detour.providers.breaker.BreakerState;
import detour.providers.breaker.BreakerState.Circuit;
import detour.router.config.Candidate;
import detour.router.config.Unusable;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Whether a candidate could be tried now, whatever the request: the gate of {@link
 * RequestCoordinator} before it knows the request (the candidate usable, then its provider's and
 * its model's circuits), read from the lock-free view alone, so that health and readiness cost no
 * message and wait for no breaker, in a cluster as on one node.
 *
 * <p>Two readings are kinder than the coordinator's, because they are about the next moments and
 * not about one request: a half-open circuit counts, since the coordinator would ask it for its
 * probe and only the breaker knows whether one is free; and an open circuit whose cooldown has
 * ended counts, since its breaker is about to (or, in a cluster, has already begun to) probe. What
 * depends on the request (capabilities, protocol, guardrails on the prompt or on latency) is not
 * judged here, nor a last resort, which is the route's answer to every circuit being shut.
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
    if (candidate.unusable().isPresent()) return candidate.unusable().map(Unusable::reason);
    if (provider.circuit() == Circuit.DRAINED || model.circuit() == Circuit.DRAINED) {
      return Optional.of("drained by an operator");
    }
    // Both may be open: the call can go only once the later of the two lets it.
    boolean providerShut = coolingDown(provider, now);
    boolean modelShut = coolingDown(model, now);
    if (providerShut || modelShut) {
      boolean providerDecides = providerShut && (!modelShut || !provider.until().isBefore(model.until()));
      String which = providerDecides
          ? "provider " + candidate.providerScope().key() : "model " + candidate.modelScope().key();
      return Optional.of("circuit of " + which + " open until " + (providerDecides ? provider : model).until());
    }
    long acrossProvider = faultyModels.stream().filter(state -> coolingDown(state, now)).count();
    if (acrossProvider >= 2) {
      return Optional.of(acrossProvider + " of provider " + candidate.providerScope().key()
          + "'s model circuits are open: a fault across the provider");
    }
    return Optional.empty();  // closed, recovering (its share), half-open (its probe), or done cooling down
  }

  /** As {@link #whyNot(Candidate, BreakerState, BreakerState, List, Instant)}, as the fleet's view holds them. */
  public static Optional<String> whyNot(Candidate candidate, ProviderFleet fleet, Instant now) {
    return whyNot(candidate, fleet.state(candidate.providerScope()), fleet.state(candidate.modelScope()),
        fleet.faultyModels(candidate.providerName()), now);
  }

  private static boolean coolingDown(BreakerState state, Instant now) {
    return state.circuit() == Circuit.OPEN && state.until().isAfter(now);
  }
}
