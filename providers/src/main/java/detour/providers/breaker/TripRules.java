package detour.providers.breaker;

import detour.persistence.breaker.TripReason;
import java.util.Optional;

/**
 * The thresholds that judge what the window counted. Pure: the window counts, these rules judge,
 * the breaker decides what to do about it.
 */
final class TripRules {
  private TripRules() {}

  /**
   * The first rule that fires, in order of how clear its evidence is, or empty.
   *
   * @param minimumCalls the window's minimum for the rate rules (lower while ramping)
   */
  static Optional<TripReason> judge(
      BreakerSettings s, WindowStats window, int consecutiveFaults, int consecutiveRateLimits, int minimumCalls) {
    if (consecutiveFaults >= s.consecutiveFaults()) return Optional.of(TripReason.CONSECUTIVE_FAULTS);
    if (consecutiveRateLimits >= s.consecutiveRateLimits()) return Optional.of(TripReason.RATE_LIMITS);
    if (window.calls() < minimumCalls) return Optional.empty();
    if (window.faultRate() >= s.failureRateThreshold()) return Optional.of(TripReason.FAILURE_RATE);
    if (window.rateLimitRate() >= s.rateLimitRateThreshold()) return Optional.of(TripReason.RATE_LIMITS);
    if (window.slowCallRate() >= s.slowCallRateThreshold()) return Optional.of(TripReason.SLOW_CALLS);
    return Optional.empty();
  }
}
