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
   * @param reopens opens in a row without a full recovery between them (0 on a first trip); the
   *     cooldown grows with it
   */
  record Tripped(BreakerScope scope, Instant at, Instant until, int reopens, Evidence evidence)
      implements BreakerEvent {}

  /**
   * The cooldown ended: the circuit is half-open and needs {@code probes} successful probes in a
   * row, one at a time, before traffic ramps back.
   */
  record ProbingStarted(BreakerScope scope, Instant at, int probes) implements BreakerEvent {}

  /**
   * The provider gets back {@code share} (0 to 1) of its routes' traffic until {@code until}; stage
   * 0 follows the last successful probe, each later stage a healthy hold of the one before.
   */
  record RampAdvanced(BreakerScope scope, Instant at, int stage, double share, Instant until)
      implements BreakerEvent {}

  /** The last ramp stage held healthy (or no ramp is configured): the circuit is closed. */
  record Recovered(BreakerScope scope, Instant at) implements BreakerEvent {}

  /** An operator's override, with who asked and why; every one is journaled. */
  sealed interface Overridden extends BreakerEvent {
    String operator();

    String reason();
  }

  /** An operator opened the circuit until {@code until}; then it probes as after any cooldown. */
  record ForcedOpen(BreakerScope scope, Instant at, Instant until, String operator, String reason)
      implements Overridden {}

  /** An operator pinned the circuit closed: faults are counted but open nothing, until a reset. */
  record ForcedClosed(BreakerScope scope, Instant at, String operator, String reason) implements Overridden {}

  /** An operator drained the provider: no traffic and no probes, until a reset or a forced close. */
  record Drained(BreakerScope scope, Instant at, String operator, String reason) implements Overridden {}

  /** An operator handed the circuit back to the breaker: closed, with nothing counted. */
  record Reset(BreakerScope scope, Instant at, String operator, String reason) implements Overridden {}
}
