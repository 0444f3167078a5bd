package detour.providers.breaker;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * How one breaker judges its provider, from {@code detour.breaker} (overridable per provider). The
 * meaning of each value, and why its default was chosen, is in docs/breaker.md.
 *
 * @param consecutiveFaults provider faults in a row (rate limits aside) that open the circuit
 * @param windowSize outcomes the window holds at most
 * @param windowDuration how old an outcome may be and still count
 * @param minimumCalls outcomes the window must hold before a rate can open the circuit
 * @param failureRateThreshold share of provider faults (0 to 1) that opens it
 * @param slowCallDuration an answer at least this slow is a slow call
 * @param slowCallRateThreshold share of slow calls that opens it, even when every call succeeds
 * @param rateLimitRateThreshold share of 429s that opens it
 * @param consecutiveRateLimits 429s in a row that open it
 * @param cooldown the first open period
 * @param cooldownMultiplier growth of the open period per open in a row
 * @param maxCooldown the longest open period
 * @param cooldownJitter spread of the open period, ± this share
 * @param maxRetryAfter the longest Retry-After that is honoured as the open period's floor
 * @param halfOpenProbes successful probes in a row (one at a time) that end the half-open phase
 * @param probeLease how long a granted probe may go unreported before another may probe
 * @param rampStages shares of traffic (each in (0, 1)) given back in turn before the circuit closes
 * @param rampStageDuration how long each stage must stay healthy
 * @param rampMinimumCalls outcomes a ramp stage needs before its failure rate can re-open it
 * @param activeProbe whether the breaker sends its own tiny probes while half-open
 * @param activeProbeInterval the pause between two of its own probes
 * @param activeProbeModel the upstream model a provider-wide breaker probes with; empty: the
 *     provider's first catalogue model
 */
public record BreakerSettings(
    int consecutiveFaults,
    int windowSize,
    Duration windowDuration,
    int minimumCalls,
    double failureRateThreshold,
    Duration slowCallDuration,
    double slowCallRateThreshold,
    double rateLimitRateThreshold,
    int consecutiveRateLimits,
    Duration cooldown,
    double cooldownMultiplier,
    Duration maxCooldown,
    double cooldownJitter,
    Duration maxRetryAfter,
    int halfOpenProbes,
    Duration probeLease,
    List<Double> rampStages,
    Duration rampStageDuration,
    int rampMinimumCalls,
    boolean activeProbe,
    Duration activeProbeInterval,
    String activeProbeModel) {

  public BreakerSettings {
    rampStages = List.copyOf(rampStages);
    check(consecutiveFaults >= 1, "consecutive-faults must be at least 1, got " + consecutiveFaults);
    check(windowSize >= 1, "window-size must be at least 1, got " + windowSize);
    positive(windowDuration, "window-duration");
    check(minimumCalls >= 1 && minimumCalls <= windowSize,
        "minimum-calls must be between 1 and window-size (" + windowSize + "), got " + minimumCalls);
    share(failureRateThreshold, "failure-rate-threshold");
    positive(slowCallDuration, "slow-call-duration");
    share(slowCallRateThreshold, "slow-call-rate-threshold");
    share(rateLimitRateThreshold, "rate-limit-rate-threshold");
    check(consecutiveRateLimits >= 1, "consecutive-rate-limits must be at least 1, got " + consecutiveRateLimits);
    positive(cooldown, "cooldown");
    check(cooldownMultiplier >= 1, "cooldown-multiplier must be at least 1, got " + cooldownMultiplier);
    check(maxCooldown.compareTo(cooldown) >= 0, "max-cooldown " + maxCooldown + " is shorter than cooldown " + cooldown);
    check(cooldownJitter >= 0 && cooldownJitter < 1, "cooldown-jitter must be in [0, 1), got " + cooldownJitter);
    check(!maxRetryAfter.isNegative(), "max-retry-after must not be negative");
    check(halfOpenProbes >= 1, "half-open-probes must be at least 1, got " + halfOpenProbes);
    positive(probeLease, "probe-lease");
    double previous = 0;
    for (double stage : rampStages) {
      check(stage > previous && stage < 1,
          "ramp-stages must rise strictly between 0 and 1 (exclusive), got " + rampStages);
      previous = stage;
    }
    positive(rampStageDuration, "ramp-stage-duration");
    check(rampMinimumCalls >= 1, "ramp-minimum-calls must be at least 1, got " + rampMinimumCalls);
    check(!activeProbeInterval.isNegative(), "active-probe.interval must not be negative");
  }

  /** The shipped defaults, as written in providers' reference.conf. */
  public static BreakerSettings defaults() {
    return from(ConfigFactory.defaultReference().getConfig("detour.breaker"), "detour.breaker");
  }

  public static BreakerSettings from(Config c, String path) {
    try {
      return new BreakerSettings(
          c.getInt("consecutive-faults"),
          c.getInt("window-size"),
          c.getDuration("window-duration"),
          c.getInt("minimum-calls"),
          c.getDouble("failure-rate-threshold"),
          c.getDuration("slow-call-duration"),
          c.getDouble("slow-call-rate-threshold"),
          c.getDouble("rate-limit-rate-threshold"),
          c.getInt("consecutive-rate-limits"),
          c.getDuration("cooldown"),
          c.getDouble("cooldown-multiplier"),
          c.getDuration("max-cooldown"),
          c.getDouble("cooldown-jitter"),
          c.getDuration("max-retry-after"),
          c.getInt("half-open-probes"),
          c.getDuration("probe-lease"),
          c.getDoubleList("ramp-stages"),
          c.getDuration("ramp-stage-duration"),
          c.getInt("ramp-minimum-calls"),
          c.getBoolean("active-probe.enabled"),
          c.getDuration("active-probe.interval"),
          c.getString("active-probe.model"));
    } catch (IllegalArgumentException bad) {
      throw new ConfigException.BadValue(c.origin(), path, bad.getMessage());
    }
  }

  /** A copy with other values, for tests and per-provider overrides made in code. */
  public BreakerSettings with(Config overrides) {
    return from(overrides.withFallback(ConfigFactory.parseMap(canonical())), "detour.breaker");
  }

  /**
   * Every setting, keyed as under {@code detour.breaker} ({@code active-probe.enabled} for a nested
   * one), each value a string in one canonical form (a duration in ms, or ns below a ms; a number as
   * Java prints it), so that two nodes' settings compare equal whatever way they were written
   * ({@code 30s}, {@code 30000ms}). {@link #from} reads it back into equal settings.
   */
  public Map<String, Object> canonical() {
    Map<String, Object> c = new java.util.TreeMap<>();
    c.put("consecutive-faults", Integer.toString(consecutiveFaults));
    c.put("window-size", Integer.toString(windowSize));
    c.put("window-duration", canonical(windowDuration));
    c.put("minimum-calls", Integer.toString(minimumCalls));
    c.put("failure-rate-threshold", Double.toString(failureRateThreshold));
    c.put("slow-call-duration", canonical(slowCallDuration));
    c.put("slow-call-rate-threshold", Double.toString(slowCallRateThreshold));
    c.put("rate-limit-rate-threshold", Double.toString(rateLimitRateThreshold));
    c.put("consecutive-rate-limits", Integer.toString(consecutiveRateLimits));
    c.put("cooldown", canonical(cooldown));
    c.put("cooldown-multiplier", Double.toString(cooldownMultiplier));
    c.put("max-cooldown", canonical(maxCooldown));
    c.put("cooldown-jitter", Double.toString(cooldownJitter));
    c.put("max-retry-after", canonical(maxRetryAfter));
    c.put("half-open-probes", Integer.toString(halfOpenProbes));
    c.put("probe-lease", canonical(probeLease));
    c.put("ramp-stages", rampStages.stream().map(String::valueOf).toList());
    c.put("ramp-stage-duration", canonical(rampStageDuration));
    c.put("ramp-minimum-calls", Integer.toString(rampMinimumCalls));
    c.put("active-probe.enabled", Boolean.toString(activeProbe));
    c.put("active-probe.interval", canonical(activeProbeInterval));
    c.put("active-probe.model", activeProbeModel);
    return c;
  }

  private static String canonical(Duration d) {
    return d.toNanos() % 1_000_000 == 0 ? d.toMillis() + "ms" : d.toNanos() + "ns";
  }

  private static void positive(Duration d, String key) {
    check(!d.isNegative() && !d.isZero(), key + " must be positive, got " + d);
  }

  private static void share(double value, String key) {
    check(value > 0 && value <= 1, key + " must be a share in (0, 1], got " + value);
  }

  private static void check(boolean ok, String message) {
    if (!ok) throw new IllegalArgumentException(message);
  }
}
