package detour.router.coordinator;

import detour.persistence.breaker.FailureKind;
import detour.persistence.routing.SkipCause;
import detour.providers.model.ProviderFailure;
import detour.router.config.Candidate;
import detour.router.config.Price;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalDouble;
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
 * @param skipCause why it was passed over, or given up on, when it was: decided where it was,
 *     for the routing record, which never reads it back out of {@code detail}
 * @param detail the skip reason or the (scrubbed) error message; empty on success
 * @param probe whether it was the half-open circuit's probe
 * @param lastResort whether it was tried with its circuit open, because every candidate's was
 * @param hedge whether it was started beside a slow earlier attempt rather than after it
 * @param mayHaveExecuted whether the provider may have processed (and billed) it although Detour
 *     did not use its answer: given up on after the request reached the provider (a timeout, a
 *     hedge that lost, a stream cut short). Duplicate billing and duplicated tool side effects show
 *     here.
 * @param atRisk for such an attempt, what it may have cost: at least its prompt, estimated
 */
public record Attempt(
    String provider,
    String model,
    Result result,
    int status,
    long latencyMillis,
    Optional<FailureKind> errorClass,
    Optional<SkipCause> skipCause,
    String detail,
    boolean probe,
    boolean lastResort,
    boolean hedge,
    boolean mayHaveExecuted,
    Optional<AtRisk> atRisk) {

  /**
   * What an attempt that may have executed may have cost: its prompt's estimated tokens, and their
   * price at the model's list input price when the catalogue has one. A lower bound: the tokens it
   * wrote before being given up on are unknown.
   */
  public record AtRisk(long promptTokens, OptionalDouble costUsd) {}

  /** This attempt with what it may have cost, if it may have executed; else unchanged. */
  Attempt withAtRisk(long promptTokens, Optional<Price> price) {
    if (!mayHaveExecuted) return this;
    OptionalDouble cost = price.map(p -> OptionalDouble.of(p.cost(promptTokens, 0))).orElse(OptionalDouble.empty());
    return new Attempt(provider, model, result, status, latencyMillis, errorClass, skipCause, detail, probe, lastResort,
        hedge, true, Optional.of(new AtRisk(promptTokens, cost)));
  }

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

  static Attempt skipped(Candidate candidate, SkipCause cause, String reason) {
    return new Attempt(candidate.providerName(), candidate.model().id(), Result.SKIPPED, 0, 0, Optional.empty(),
        Optional.of(cause), reason, false, false, false, false, Optional.empty());
  }

  static Attempt answered(Candidate candidate, long latencyMillis, boolean probe, boolean lastResort, boolean hedge) {
    return new Attempt(candidate.providerName(), candidate.model().id(), Result.ANSWERED, 200, latencyMillis,
        Optional.empty(), Optional.empty(), "", probe, lastResort, hedge, false, Optional.empty());
  }

  static Attempt failed(Candidate candidate, ProviderFailure failure, long latencyMillis, boolean probe,
      boolean lastResort, boolean hedge) {
    return new Attempt(candidate.providerName(), candidate.model().id(), Result.FAILED, failure.status(),
        latencyMillis, Optional.of(failure.kind()), Optional.empty(), failure.message(), probe, lastResort, hedge,
        LEFT_RUNNING.contains(failure.kind()), Optional.empty());
  }

  /**
   * This failed attempt as one given up on while it may still run at the provider: a timeout that
   * was classified as the request's size keeps what it may have cost.
   */
  Attempt givenUpOn() {
    return new Attempt(provider, model, result, status, latencyMillis, errorClass, skipCause, detail, probe, lastResort,
        hedge, true, atRisk);
  }

  /** Given up on while still running because another attempt answered first. */
  static Attempt abandoned(Candidate candidate, long latencyMillis, String reason, boolean probe, boolean hedge) {
    return new Attempt(candidate.providerName(), candidate.model().id(), Result.ABANDONED, 0, latencyMillis,
        Optional.empty(), Optional.of(SkipCause.ABANDONED), reason, probe, false, hedge, true, Optional.empty());
  }

  public boolean tried() {
    return result != Result.SKIPPED;
  }
}
