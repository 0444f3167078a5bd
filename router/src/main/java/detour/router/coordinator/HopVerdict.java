package detour.router.coordinator;

import detour.persistence.breaker.BreakerScope;
import detour.persistence.routing.SkipCause;
import java.time.Instant;
import java.util.Optional;

/**
 * What one {@link HopCheck} says of a candidate on the walk: let it through, pass it over (and
 * why), or, from the circuit gate, ask its breaker for the probe or try it for its ramp's share.
 */
public sealed interface HopVerdict {

  /** Through this check: on to the next one, or, after the last, to a call. */
  record Try() implements HopVerdict {}

  Try TRY = new Try();

  /**
   * Passed over.
   *
   * @param cause why, for the routing record
   * @param reason why, in the trace's words
   * @param mayPassLater whether what passed it over may change before the request is sent again
   *     (its circuit, an operator's drain, its observed latency) rather than being what the request
   *     asks: an exhausted route says so in {@code retryable}
   * @param reopensAt for a candidate passed over for its circuit, when that circuit lets calls
   *     through again ({@link Instant#EPOCH} when it already lets some through: half-open,
   *     recovering): the last resort takes the soonest; empty for any other cause
   */
  record Skip(SkipCause cause, String reason, boolean mayPassLater, Optional<Instant> reopensAt)
      implements HopVerdict {

    /** Passed over for what the request asks or the candidate is: it would be again. */
    static Skip settled(SkipCause cause, String reason) {
      return new Skip(cause, reason, false, Optional.empty());
    }

    /** Passed over for what may change before the request is sent again, but never a last resort. */
    static Skip forNow(SkipCause cause, String reason) {
      return new Skip(cause, reason, true, Optional.empty());
    }

    /** Passed over for its circuit, which lets calls through again at {@code reopensAt}. */
    static Skip circuit(SkipCause cause, String reason, Instant reopensAt) {
      return new Skip(cause, reason, true, Optional.of(reopensAt));
    }
  }

  /** Its circuit (of {@code scope}) is half-open: only the probe may go, if its breaker grants it. */
  record AskProbe(BreakerScope scope) implements HopVerdict {}

  /**
   * Its circuit (of {@code scope}) is recovering: tried if this request is one of the {@code share}
   * of traffic its ramp stage takes until {@code until}, else passed over as {@link #notInShare}.
   */
  record Ramp(BreakerScope scope, double share, Instant until) implements HopVerdict {
    Skip notInShare() {
      return Skip.circuit(SkipCause.RAMPING, "recovering: " + scope.key() + " takes "
          + Math.round(share * 100) + "% of traffic until " + until, Instant.EPOCH);
    }
  }
}
