package detour.router.coordinator;

import detour.persistence.routing.SkipCause;
import detour.providers.breaker.BreakerState;
import detour.providers.breaker.BreakerState.Circuit;
import detour.router.config.Candidate;
import java.time.Instant;
import java.util.List;

/**
 * The circuits a call to a candidate passes through, its provider's and its model's, read into
 * one verdict, the stricter deciding: drained, then open (or two of the provider's models open: a
 * fault across the provider), then half-open (ask for the probe), then recovering (its share).
 * A pure function of the states: the walk ({@link RequestCoordinator}) reads it as the breakers
 * publish them, and readiness ({@link CandidateReadiness}) as they are about to be ({@link
 * #soon}), so that the two cannot drift.
 */
public final class CircuitGate {
  private CircuitGate() {}

  /**
   * @param provider the state of the breaker of the candidate's provider
   * @param model the state of the breaker of the candidate's model on it
   * @param faultyModels the provider's model circuits open on faults ({@link ProviderFleet#faultyModels})
   */
  public static HopVerdict read(
      Candidate candidate, BreakerState provider, BreakerState model, List<BreakerState> faultyModels) {
    if (provider.circuit() == Circuit.DRAINED || model.circuit() == Circuit.DRAINED) {
      return HopVerdict.Skip.forNow(SkipCause.DRAINED, "drained by an operator");  // never a last resort either
    }
    if (provider.circuit() == Circuit.OPEN || model.circuit() == Circuit.OPEN) {
      // Both may be open: the call can go only once the later of the two lets it.
      boolean providerDecides = provider.circuit() == Circuit.OPEN
          && (model.circuit() != Circuit.OPEN || !provider.until().isBefore(model.until()));
      BreakerState open = providerDecides ? provider : model;
      String which = providerDecides
          ? "provider " + candidate.providerScope().key() : "model " + candidate.modelScope().key();
      return HopVerdict.Skip.circuit(SkipCause.CIRCUIT_OPEN, "circuit of " + which + " open until " + open.until(),
          open.until());
    }
    if (faultyModels.size() >= 2) {
      Instant until = faultyModels.stream().map(BreakerState::until).min(Instant::compareTo).orElseThrow();
      return HopVerdict.Skip.circuit(SkipCause.CIRCUIT_OPEN, faultyModels.size() + " of provider "
          + candidate.providerScope().key() + "'s model circuits are open: a fault across the provider", until);
    }
    if (provider.circuit() == Circuit.HALF_OPEN) return new HopVerdict.AskProbe(candidate.providerScope());
    if (model.circuit() == Circuit.HALF_OPEN) return new HopVerdict.AskProbe(candidate.modelScope());
    boolean providerRamps = provider.share() <= model.share();
    BreakerState ramping = providerRamps ? provider : model;
    if (ramping.share() >= 1) return HopVerdict.TRY;
    return new HopVerdict.Ramp(providerRamps ? candidate.providerScope() : candidate.modelScope(),
        ramping.share(), ramping.until());
  }

  /**
   * A state as it is about to be: an open circuit whose cooldown has ended reads as half-open,
   * since its breaker is about to (or, in a cluster, has already begun to) probe. The walk never
   * reads it so: the breaker says when it probes.
   */
  static BreakerState soon(BreakerState state, Instant now) {
    boolean cooledDown = state.circuit() == Circuit.OPEN && !state.until().isAfter(now);
    return cooledDown ? BreakerState.halfOpen(state.reopens()) : state;
  }

  /** The faulty model circuits still cooling down at {@code now}: those {@link #soon} leaves open. */
  static List<BreakerState> stillCooling(List<BreakerState> faultyModels, Instant now) {
    return faultyModels.stream().filter(state -> soon(state, now).circuit() == Circuit.OPEN).toList();
  }
}
