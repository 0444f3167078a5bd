package detour.router.coordinator;

import detour.persistence.routing.SkipCause;
import detour.router.config.Candidate;
import detour.router.config.Capability;
import detour.router.config.Guardrails;
import detour.router.config.ObservedLatency;
import detour.router.config.RequestEstimate;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The checks of the walk that are not about circuits: whether the candidate can be called at all,
 * can serve what the request uses, is allowed by the route's guardrails, and is not one a size
 * refusal already rules out. Each a pure function of what it is given, returning {@link
 * HopVerdict#TRY} or the {@link HopVerdict.Skip} the trace shows.
 */
final class CandidateFilter {
  private CandidateFilter() {}

  /** A candidate the plan already found unusable: no key, or refused by the route's guardrails. */
  static HopVerdict usable(Candidate candidate) {
    return candidate.unusable()
        .<HopVerdict>map(unusable -> HopVerdict.Skip.settled(unusable.cause(), unusable.reason()))
        .orElse(HopVerdict.TRY);
  }

  /** The model's catalogued capabilities must cover what the request uses. */
  static HopVerdict capable(Candidate candidate, Set<Capability> needs) {
    Set<Capability> lacking = candidate.model().lacking(needs);
    if (lacking.isEmpty()) return HopVerdict.TRY;
    return HopVerdict.Skip.settled(SkipCause.INCAPABLE, "the model lacks what the request uses: "
        + lacking.stream().map(Capability::configName).collect(Collectors.joining(", ")));
  }

  /** @param inexpressible what the provider's protocol cannot express of the request, if anything */
  static HopVerdict expressible(Optional<String> inexpressible) {
    return inexpressible
        .<HopVerdict>map(what -> HopVerdict.Skip.settled(SkipCause.INCAPABLE,
            "its protocol cannot express the request: " + what))
        .orElse(HopVerdict.TRY);
  }

  /** The route's guardrails on the candidate for this request (its estimated cost, its window). */
  static HopVerdict guardedForRequest(Guardrails guardrails, Candidate candidate, RequestEstimate estimate) {
    return guardrails.refuseForRequest(candidate, estimate)
        .<HopVerdict>map(why -> HopVerdict.Skip.settled(SkipCause.GUARDRAIL, why))
        .orElse(HopVerdict.TRY);
  }

  /** The route's latency guardrail on the model's observed latency, which may change: for now. */
  static HopVerdict guardedForLatency(Guardrails guardrails, ObservedLatency latency) {
    return guardrails.refuseForLatency(latency)
        .<HopVerdict>map(why -> HopVerdict.Skip.forNow(SkipCause.GUARDRAIL, why))
        .orElse(HopVerdict.TRY);
  }

  /** No candidate of a provider that refused the request's body as too large. */
  static HopVerdict bodyNotRefused(Candidate candidate, SizeRefusals refusals) {
    if (!refusals.refusedBody().contains(candidate.providerName())) return HopVerdict.TRY;
    // Counted as the routing record has always counted it: as a candidate that could not be called.
    return HopVerdict.Skip.settled(SkipCause.UNUSABLE,
        "provider '" + candidate.providerName() + "' refused the request's body as too large");
  }

  /** After a context-length refusal, only a larger window than any that refused the prompt. */
  static HopVerdict windowLargeEnough(Candidate candidate, SizeRefusals refusals) {
    int window = candidate.model().contextWindow();
    if (refusals.context().isEmpty() || window > refusals.refusedWindow()) return HopVerdict.TRY;
    return HopVerdict.Skip.settled(SkipCause.CONTEXT_WINDOW, "context window of " + window
        + " tokens is no larger than the " + refusals.refusedWindow() + " that refused the prompt");
  }
}
