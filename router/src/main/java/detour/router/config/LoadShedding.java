package detour.router.config;

import java.time.Duration;

/**
 * When a node refuses a share of new chat requests because its CPU is saturated
 * ({@code detour.http.load-shedding}; the rule is in {@code SaturationShedding}).
 *
 * @param enabled whether saturation sheds at all
 * @param queueDelayTarget the queue delay above which, held for a whole interval, the node sheds
 * @param interval how long the queue must stand; also the pace at which the share changes
 */
public record LoadShedding(boolean enabled, Duration queueDelayTarget, Duration interval) {
  /** How many samples of the queue delay make one interval. */
  public static final int SAMPLES_PER_INTERVAL = 10;

  /** How often to sample the queue delay. */
  public Duration sampleEvery() {
    return interval.dividedBy(SAMPLES_PER_INTERVAL);
  }
}
