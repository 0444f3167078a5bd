package detour.providers.breaker;

import detour.persistence.CborSerializable;
import java.time.Instant;

/**
 * What the request path needs to know of one breaker, as last published by it.
 *
 * @param circuit the circuit's phase
 * @param until when an open circuit starts probing; {@link Instant#EPOCH} otherwise
 * @param reopens re-opens in a row after failed probes
 */
public record BreakerState(Circuit circuit, Instant until, int reopens) implements CborSerializable {
  public enum Circuit { CLOSED, OPEN, HALF_OPEN }

  public static final BreakerState CLOSED = new BreakerState(Circuit.CLOSED, Instant.EPOCH, 0);

  public static BreakerState open(Instant until, int reopens) {
    return new BreakerState(Circuit.OPEN, until, reopens);
  }

  public static BreakerState halfOpen(int reopens) {
    return new BreakerState(Circuit.HALF_OPEN, Instant.EPOCH, reopens);
  }
}
