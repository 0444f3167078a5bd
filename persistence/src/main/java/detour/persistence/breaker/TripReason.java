package detour.persistence.breaker;

/** What made a circuit open. Journaled by name: add constants, never rename one. */
public enum TripReason {
  /** {@code consecutive-faults} provider faults in a row: the fast path for a hard outage. */
  CONSECUTIVE_FAULTS,
  /** The share of provider faults over the window reached {@code failure-rate-threshold}. */
  FAILURE_RATE,
  /** The share of slow answers over the window reached {@code slow-call-rate-threshold}. */
  SLOW_CALLS,
  /** Rate limits were sustained: their share over the window, or a run of them. */
  RATE_LIMITS,
  /** A half-open probe failed. */
  PROBE_FAILED,
  /** The provider failed while its traffic was ramping back up. */
  RAMP_FAILED
}
