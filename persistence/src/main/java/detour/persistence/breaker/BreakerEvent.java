package detour.persistence.breaker;

import detour.persistence.JsonSerializable;
import java.time.Instant;

/**
 * Every move of a provider's breaker, as journaled. The class names are the journal's manifests:
 * never rename one; evolve a field through a JacksonMigration.
 */
public sealed interface BreakerEvent extends JsonSerializable {
  BreakerScope scope();

  /** The breaker's clock when it decided. */
  Instant at();

  /**
   * The circuit opened: no traffic until {@code until}.
   *
   * @param reopens how many times in a row it has re-opened from a failed probe (0 on a first trip)
   */
  record Tripped(BreakerScope scope, Instant at, Instant until, int reopens, Evidence evidence)
      implements BreakerEvent {}

  /** The cooldown ended: the circuit is half-open and hands out {@code permits} probes. */
  record ProbingStarted(BreakerScope scope, Instant at, int permits) implements BreakerEvent {}

  /** A probe succeeded: the circuit is closed and traffic returns. */
  record Recovered(BreakerScope scope, Instant at, long probeLatencyMillis) implements BreakerEvent {}
}
