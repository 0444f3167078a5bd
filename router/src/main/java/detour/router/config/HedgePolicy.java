package detour.router.config;

import com.typesafe.config.Config;
import java.time.Duration;
import java.util.Optional;

/**
 * When a route starts a second candidate beside a slow first attempt: after a fixed delay, after
 * the first candidate's own observed p95 latency, or never.
 *
 * @param after the fixed delay, when the route sets one
 * @param onP95 whether the delay is the first candidate's p95 (only once it has enough samples;
 *     without them, no hedge: hedging on a guess would double the calls of a model not yet known)
 */
public record HedgePolicy(Optional<Duration> after, boolean onP95) {
  public static final HedgePolicy NONE = new HedgePolicy(Optional.empty(), false);

  /** Samples a model needs before its p95 may set the hedge delay, as for the latency guardrail. */
  public static final int MIN_SAMPLES = 20;

  /** Reads {@code hedge-after}: {@code off}, {@code p95}, or a positive duration. */
  static HedgePolicy from(Config c, String key) {
    String value = c.getString(key);
    if (value.equals("off")) return NONE;
    if (value.equals("p95")) return new HedgePolicy(Optional.empty(), true);
    Duration after = c.getDuration(key);
    if (after.isZero() || after.isNegative()) {
      throw new IllegalArgumentException(key + " must be off, p95 or a positive duration, got " + value);
    }
    return new HedgePolicy(Optional.of(after), false);
  }

  /** The delay for a first attempt on a model whose recent latency is {@code latency}; empty: no hedge. */
  public Optional<Duration> delay(LatencySnapshot latency) {
    if (after.isPresent()) return after;
    if (onP95 && latency.samples() >= MIN_SAMPLES && latency.p95Millis() > 0) {
      return Optional.of(Duration.ofMillis(latency.p95Millis()));
    }
    return Optional.empty();
  }
}
