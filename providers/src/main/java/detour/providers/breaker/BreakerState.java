package detour.providers.breaker;

import detour.persistence.CborSerializable;
import detour.persistence.breaker.TripReason;
import java.time.Instant;

/**
 * What the request path needs to know of one breaker, as last published by it.
 *
 * @param circuit the circuit's phase
 * @param until when an open circuit starts probing, or a ramp stage ends; {@link Instant#EPOCH}
 *     otherwise
 * @param reopens opens in a row without a full recovery between them
 * @param share the share of its routes' traffic the provider may take: 1 closed, 0 open or
 *     half-open (probes only), the stage's share while recovering
 * @param cause while open, the rule that opened it; null otherwise, or when an operator did
 */
public record BreakerState(Circuit circuit, Instant until, int reopens, double share, TripReason cause)
    implements CborSerializable {
  public enum Circuit { CLOSED, OPEN, HALF_OPEN, RECOVERING, DRAINED }

  public static final BreakerState CLOSED = new BreakerState(Circuit.CLOSED, Instant.EPOCH, 0, 1, null);

  /** Taken out of rotation by an operator: no traffic, no probes, until reset. */
  public static final BreakerState DRAINED = new BreakerState(Circuit.DRAINED, Instant.EPOCH, 0, 0, null);

  public static BreakerState open(Instant until, int reopens, TripReason cause) {
    return new BreakerState(Circuit.OPEN, until, reopens, 0, cause);
  }

  public static BreakerState halfOpen(int reopens) {
    return new BreakerState(Circuit.HALF_OPEN, Instant.EPOCH, reopens, 0, null);
  }

  public static BreakerState recovering(double share, Instant until, int reopens) {
    return new BreakerState(Circuit.RECOVERING, until, reopens, share, null);
  }
}
