package detour.router.coordinator;

import java.time.Instant;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * What the walk's skips add up to, for its ending when nothing answered.
 *
 * @param mayPassLater whether a candidate was passed over for what may change before the request
 *     is sent again (its circuit, an operator's drain, its observed latency), rather than for what
 *     the request asks
 * @param soonest the index of the candidate passed over for its circuit whose circuit lets calls
 *     through soonest; -1 when none was
 * @param soonestAt when that circuit lets calls through; {@link Instant#MAX} when none was
 */
record PassedOver(boolean mayPassLater, int soonest, Instant soonestAt) {

  static final PassedOver NONE = new PassedOver(false, -1, Instant.MAX);

  /** After passing over the candidate at {@code index}. */
  PassedOver after(int index, HopVerdict.Skip skip) {
    boolean later = mayPassLater || skip.mayPassLater();
    if (skip.reopensAt().isPresent() && skip.reopensAt().get().isBefore(soonestAt)) {
      return new PassedOver(later, index, skip.reopensAt().get());
    }
    return new PassedOver(later, soonest, soonestAt);
  }

  /** The candidate a last resort tries: the one closest to taking traffic again. */
  OptionalInt lastResort() {
    return soonest >= 0 ? OptionalInt.of(soonest) : OptionalInt.empty();
  }

  /** When to tell the caller to come back: when the soonest open circuit starts probing. */
  Optional<Instant> retryAt() {
    return soonest >= 0 && soonestAt.isAfter(Instant.EPOCH) ? Optional.of(soonestAt) : Optional.empty();
  }
}
