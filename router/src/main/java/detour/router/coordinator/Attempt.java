package detour.router.coordinator;

import detour.persistence.breaker.FailureKind;
import detour.providers.model.ProviderFailure;
import detour.router.config.Candidate;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * One line of a route trace: a candidate that was tried, or passed over and why.
 *
 * @param provider the provider's name
 * @param model the catalogue model id
 * @param result what came of it
 * @param status the upstream's HTTP status; 0 when none arrived or it was not tried
 * @param latencyMillis time spent on it; 0 when skipped
 * @param errorClass the failure's class, when it failed
 * @param detail the skip reason or the (scrubbed) error message; empty on success
 * @param probe whether it was the half-open circuit's probe
 * @param lastResort whether it was tried with its circuit open, because every candidate's was
 * @param hedge whether it was started beside a slow earlier attempt rather than after it
 * @param mayHaveExecuted whether the provider may have processed (and billed) it although Detour
 *     did not use its answer: given up on after the request reached the provider (a timeout, a
 *     hedge that lost, a stream cut short). Duplicate billing and duplicated tool side effects show
 *     here.
 */
public record Attempt(
    String provider,
    String model,
    Result result,
    int status,
    long latencyMillis,
    Optional<FailureKind> errorClass,
    String detail,
    boolean probe,
    boolean lastResort,
    boolean hedge,
    boolean mayHaveExecuted) {

  public enum Result {
    ANSWERED, FAILED, SKIPPED, ABANDONED;

    public String wireName() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** Failures that leave the request with the provider, possibly running: the ones given up on. */
  private static final Set<FailureKind> LEFT_RUNNING = EnumSet.of(FailureKind.TOTAL_TIMEOUT,
      FailureKind.FIRST_TOKEN_TIMEOUT, FailureKind.INTER_TOKEN_TIMEOUT, FailureKind.CONNECTION_RESET,
      FailureKind.DEADLINE, FailureKind.CANCELLED);

  static Attempt skipped(Candidate candidate, String reason) {
    return new Attempt(candidate.providerName(), candidate.model().id(), Result.SKIPPED, 0, 0, Optional.empty(),
        reason, false, false, false, false);
  }

  static Attempt answered(Candidate candidate, long latencyMillis, boolean probe, boolean lastResort, boolean hedge) {
    return new Attempt(candidate.providerName(), candidate.model().id(), Result.ANSWERED, 200, latencyMillis,
        Optional.empty(), "", probe, lastResort, hedge, false);
  }

  static Attempt failed(Candidate candidate, ProviderFailure failure, long latencyMillis, boolean probe,
      boolean lastResort, boolean hedge) {
    return new Attempt(candidate.providerName(), candidate.model().id(), Result.FAILED, failure.status(),
        latencyMillis, Optional.of(failure.kind()), failure.message(), probe, lastResort, hedge,
        LEFT_RUNNING.contains(failure.kind()));
  }

  /** Given up on while still running because another attempt answered first. */
  static Attempt abandoned(Candidate candidate, long latencyMillis, String reason, boolean probe, boolean hedge) {
    return new Attempt(candidate.providerName(), candidate.model().id(), Result.ABANDONED, 0, latencyMillis,
        Optional.empty(), reason, probe, false, hedge, true);
  }

  public boolean tried() {
    return result != Result.SKIPPED;
  }
}
