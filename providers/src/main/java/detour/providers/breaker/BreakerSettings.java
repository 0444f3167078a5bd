package detour.providers.breaker;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import java.time.Duration;

/**
 * How one breaker judges its provider, from {@code detour.breaker} (overridable per provider).
 *
 * @param consecutiveFaults provider faults in a row that open the circuit
 * @param cooldown how long the circuit stays open before it lets a probe through
 * @param probeLease how long a granted probe may stay unreported before its permit is handed out
 *     again (the probing request's coordinator may have died); at least the attempt timeout
 */
public record BreakerSettings(int consecutiveFaults, Duration cooldown, Duration probeLease) {
  public BreakerSettings {
    if (consecutiveFaults < 1) {
      throw new IllegalArgumentException("consecutive-faults must be at least 1, got " + consecutiveFaults);
    }
    if (cooldown.isNegative() || cooldown.isZero()) {
      throw new IllegalArgumentException("cooldown must be positive, got " + cooldown);
    }
    if (probeLease.isNegative() || probeLease.isZero()) {
      throw new IllegalArgumentException("probe-lease must be positive, got " + probeLease);
    }
  }

  /** The shipped defaults, as written in providers' reference.conf. */
  public static BreakerSettings defaults() {
    return from(ConfigFactory.defaultReference().getConfig("detour.breaker"), "detour.breaker");
  }

  public static BreakerSettings from(Config c, String path) {
    try {
      return new BreakerSettings(
          c.getInt("consecutive-faults"), c.getDuration("cooldown"), c.getDuration("probe-lease"));
    } catch (IllegalArgumentException bad) {
      throw new ConfigException.BadValue(c.origin(), path, bad.getMessage());
    }
  }

  public BreakerSettings withConsecutiveFaults(int faults) {
    return new BreakerSettings(faults, cooldown, probeLease);
  }

  public BreakerSettings withCooldown(Duration newCooldown) {
    return new BreakerSettings(consecutiveFaults, newCooldown, probeLease);
  }
}
