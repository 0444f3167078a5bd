package detour.providers.breaker;

import detour.persistence.breaker.Evidence;
import detour.persistence.breaker.FailureKind;
import detour.persistence.breaker.TripReason;
import detour.providers.model.ProviderFailure;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/**
 * Counts a provider's outcomes and says when they warrant opening its circuit: the window, the runs
 * of faults and of rate limits, the last fault as a sample, and the longest recent Retry-After.
 * The window counts, {@link TripRules} judge, the breaker decides. Not thread-safe: one breaker
 * owns it.
 */
final class OutcomeJudge {
  private final BreakerSettings settings;
  private final boolean judgesSlowCalls;
  private final OutcomeWindow window;
  private int consecutiveFaults;
  private int consecutiveRateLimits;
  private ProviderFailure lastFault;
  /** The latest moment any Retry-After the provider gave points to. */
  private Instant retryNotBefore = Instant.EPOCH;

  /**
   * @param judgesSlowCalls whether slow answers count: a model's breaker judges them, a provider's
   *     does not, since one slow model must not take its provider's other models out
   */
  OutcomeJudge(BreakerSettings settings, boolean judgesSlowCalls) {
    this.settings = settings;
    this.judgesSlowCalls = judgesSlowCalls;
    this.window = new OutcomeWindow(settings.windowSize(), settings.windowDuration());
  }

  /** Counts an answer; a slow one may still complete a slow-call trip. */
  Optional<TripReason> success(Instant now, long latencyMillis, int minimumCalls) {
    consecutiveFaults = 0;
    consecutiveRateLimits = 0;
    window.recordSuccess(now, judgesSlowCalls && latencyMillis >= settings.slowCallDuration().toMillis());
    return verdict(now, minimumCalls);
  }

  /** Counts a failure if it is anyone's fault upstream; others (client errors, cancels) count nowhere. */
  Optional<TripReason> failure(Instant now, ProviderFailure failure, int minimumCalls) {
    if (!failure.kind().providersFault()) return Optional.empty();
    note(now, failure);
    window.recordFault(now, failure.kind());
    if (failure.kind() == FailureKind.RATE_LIMITED) {
      consecutiveRateLimits++;
    } else {
      consecutiveFaults++;
    }
    return verdict(now, minimumCalls);
  }

  /** Keeps a fault as the sample, and its Retry-After as the floor of the next open period. */
  void note(Instant now, ProviderFailure failure) {
    lastFault = failure;
    failure.retryAfter().map(now::plus).filter(retryNotBefore::isBefore).ifPresent(at -> retryNotBefore = at);
  }

  /** How much of the latest Retry-After the provider gave is still to run; zero if none. */
  Duration retryAfterFloor(Instant now) {
    return now.isBefore(retryNotBefore) ? Duration.between(now, retryNotBefore) : Duration.ZERO;
  }

  Evidence evidence(TripReason reason, Instant now) {
    WindowStats stats = window.stats(now);
    Map<FailureKind, Integer> faults = stats.calls() > 0 || lastFault == null
        ? stats.faultsByKind() : Map.of(lastFault.kind(), 1);
    return new Evidence(reason, stats.calls(), faults, stats.slowCalls(), consecutiveFaults, consecutiveRateLimits,
        lastFault == null ? 0 : lastFault.status(), lastFault == null ? "" : lastFault.message(),
        Duration.ZERO, retryAfterFloor(now));
  }

  /** What the window holds now. */
  WindowStats stats(Instant now) {
    return window.stats(now);
  }

  /** Forgets the counts, for a phase judged on its own evidence; the Retry-After is kept. */
  void restartCounting() {
    window.clear();
    consecutiveFaults = 0;
    consecutiveRateLimits = 0;
  }

  /** Forgets everything: the circuit closed. */
  void forgetAll() {
    restartCounting();
    lastFault = null;
    retryNotBefore = Instant.EPOCH;
  }

  private Optional<TripReason> verdict(Instant now, int minimumCalls) {
    return TripRules.judge(settings, window.stats(now), consecutiveFaults, consecutiveRateLimits, minimumCalls);
  }
}
