package detour.router.coordinator;

import detour.persistence.breaker.Blame;
import detour.persistence.breaker.BreakerScope;
import detour.persistence.breaker.FailureKind;
import detour.providers.breaker.ProviderBreaker;
import detour.providers.model.ProviderFailure;
import detour.router.config.Candidate;

/**
 * What an attempt's outcome tells the circuits it passed through (and the fleet's latencies and
 * routing record): told, never asked, so the request path waits on no breaker.
 */
final class CircuitReports {
  private final ProviderFleet fleet;

  CircuitReports(ProviderFleet fleet) {
    this.fleet = fleet;
  }

  /** A success (an answer, or a stream that ended well, by its time to first content) is news to both circuits. */
  void succeeded(InFlight attempt, long latencyMillis) {
    Candidate candidate = attempt.candidate;
    tell(candidate.providerScope(), new ProviderBreaker.RecordSuccess(latencyMillis,
        attempt.isProbe(candidate.providerScope())));
    tell(candidate.modelScope(), new ProviderBreaker.RecordSuccess(latencyMillis,
        attempt.isProbe(candidate.modelScope())));
    fleet.latency(candidate.modelScope()).record(latencyMillis);
    fleet.routingRecord().answered(candidate, latencyMillis);
  }

  /**
   * Tells a failure to the circuit it is blamed on (see {@link FailureKind}), and to the circuit
   * whose probe this was, whatever the blame, so that its permit is never left hanging.
   */
  void failed(InFlight attempt, ProviderFailure failure) {
    BreakerScope providerScope = attempt.candidate.providerScope();
    BreakerScope modelScope = attempt.candidate.modelScope();
    fleet.routingRecord().failed(attempt.candidate, failure);
    if (Blame.isToldTo(failure.kind(), providerScope, attempt.isProbe(providerScope))) {
      tell(providerScope, new ProviderBreaker.RecordFailure(failure, attempt.isProbe(providerScope)));
    }
    if (Blame.isToldTo(failure.kind(), modelScope, attempt.isProbe(modelScope))) {
      tell(modelScope, new ProviderBreaker.RecordFailure(failure, attempt.isProbe(modelScope)));
    }
  }

  /** A probe permit granted but not used: given back, as a cancellation, which is nobody's fault. */
  void unusedProbe(BreakerScope scope, String why) {
    tell(scope, new ProviderBreaker.RecordFailure(ProviderFailure.of(FailureKind.CANCELLED, 0, why), true));
  }

  private void tell(BreakerScope scope, ProviderBreaker.Command outcome) {
    fleet.breaker(scope).tell(outcome);
  }
}
