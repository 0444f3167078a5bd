package detour.router.coordinator;

import detour.providers.model.ChatRequest;
import detour.router.config.Capability;
import detour.router.config.Plan;
import detour.router.config.RequestEstimate;
import java.util.List;
import java.util.Set;

/**
 * The checks of one request's walk, in the order it asks them: a new check on every hop goes in
 * this list, as a pure function in its own file. What the request asks of a candidate comes first,
 * then what an earlier refusal has taught, then the circuits (which may ask a breaker for a probe,
 * so nothing is asked of a breaker for a candidate another check would pass over).
 */
final class HopChecks {
  private HopChecks() {}

  static List<HopCheck> forRequest(ChatRequest request, Plan plan, ProviderFleet fleet) {
    Set<Capability> needs = Capability.neededBy(request);
    RequestEstimate estimate = RequestEstimate.of(request);
    return List.of(
        (candidate, soFar) -> CandidateFilter.usable(candidate),
        (candidate, soFar) -> CandidateFilter.capable(candidate, needs),
        (candidate, soFar) -> CandidateFilter.expressible(
            fleet.client(candidate.providerName()).cannotExpress(request)),
        (candidate, soFar) -> CandidateFilter.guardedForRequest(plan.guardrails(), candidate, estimate),
        (candidate, soFar) -> CandidateFilter.guardedForLatency(plan.guardrails(),
            fleet.latency(candidate.modelScope())),
        (candidate, soFar) -> CandidateFilter.bodyNotRefused(candidate, soFar.refusals()),
        (candidate, soFar) -> CandidateFilter.windowLargeEnough(candidate, soFar.refusals()),
        (candidate, soFar) -> CircuitGate.read(candidate, fleet.state(candidate.providerScope()),
            fleet.state(candidate.modelScope()), fleet.faultyModels(candidate.providerName())));
  }
}
