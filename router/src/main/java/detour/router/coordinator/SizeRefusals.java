package detour.router.coordinator;

import detour.persistence.breaker.FailureKind;
import detour.providers.model.ProviderFailure;
import detour.router.config.Candidate;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;

/**
 * What the walk has learnt of the request's size from the candidates that refused it: its prompt
 * too long for a model's context window (only larger windows are tried after), or its body too
 * large for a provider (none of that provider's candidates is tried after).
 *
 * @param context the last context-length refusal
 * @param refusedWindow the largest window that refused the prompt; 0 when none did
 * @param body the last refusal of the body's size
 * @param refusedBody the providers that refused the body
 */
record SizeRefusals(Optional<ProviderFailure> context, int refusedWindow, Optional<ProviderFailure> body,
    Set<String> refusedBody) {

  static final SizeRefusals NONE = new SizeRefusals(Optional.empty(), 0, Optional.empty(), Set.of());

  /** These refusals after a candidate's failure: unchanged unless it refused the request's size. */
  SizeRefusals after(ProviderFailure failure, Candidate candidate) {
    if (failure.kind() == FailureKind.CONTEXT_TOO_LONG) {
      return new SizeRefusals(Optional.of(failure), Math.max(refusedWindow, candidate.model().contextWindow()),
          body, refusedBody);
    }
    if (failure.kind() == FailureKind.REQUEST_TOO_LARGE) {
      Set<String> providers = new HashSet<>(refusedBody);
      providers.add(candidate.providerName());
      return new SizeRefusals(context, refusedWindow, Optional.of(failure), Set.copyOf(providers));
    }
    return this;
  }

  boolean any() {
    return context.isPresent() || body.isPresent();
  }

  /**
   * The answer when nothing answered and the request was refused for its size: the caller's to
   * fix, answered as OpenAI does, {@code context_length_exceeded}, or 413 {@code request_too_large}.
   * Call only when {@link #any}.
   */
  ProviderFailure rejection() {
    if (context.isPresent()) return context.get();
    return new ProviderFailure(FailureKind.REQUEST_TOO_LARGE, 413, body.orElseThrow().message(),
        "request_too_large", Optional.empty());
  }
}
