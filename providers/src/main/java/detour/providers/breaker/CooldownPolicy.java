package detour.providers.breaker;

import java.time.Duration;
import java.util.random.RandomGenerator;

/**
 * How long a circuit stays open: {@code cooldown} doubled (by {@code cooldown-multiplier}) for each
 * open in a row, capped at {@code max-cooldown}, spread by ± {@code cooldown-jitter} so that a fleet
 * of nodes does not probe in lockstep, and never shorter than a Retry-After the provider gave
 * (itself capped at {@code max-retry-after}).
 */
final class CooldownPolicy {
  private final BreakerSettings settings;
  private final RandomGenerator random;

  CooldownPolicy(BreakerSettings settings, RandomGenerator random) {
    this.settings = settings;
    this.random = random;
  }

  Duration cooldown(int reopens, Duration retryAfter) {
    double grown = settings.cooldown().toMillis() * Math.pow(settings.cooldownMultiplier(), reopens);
    double capped = Math.min(grown, settings.maxCooldown().toMillis());
    double spread = capped * (1 + settings.cooldownJitter() * (2 * random.nextDouble() - 1));
    long millis = Math.round(Math.min(spread, settings.maxCooldown().toMillis()));
    Duration floor = retryAfter.compareTo(settings.maxRetryAfter()) > 0 ? settings.maxRetryAfter() : retryAfter;
    Duration chosen = Duration.ofMillis(Math.max(millis, 1));
    return chosen.compareTo(floor) < 0 ? floor : chosen;
  }
}
