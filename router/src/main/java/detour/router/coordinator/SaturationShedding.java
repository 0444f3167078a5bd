package detour.router.coordinator;

import detour.router.config.LoadShedding;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.LongAdder;

/**
 * Decides which share of new chat requests a node refuses while its CPU is saturated. The signal is
 * the node's queue delay: how long a task waits for a thread of the dispatchers every request's
 * work runs on ({@link QueueDelayProbe} samples it). A bound on requests in progress cannot see
 * this: against a fast upstream a saturated node still has few requests in progress, each slow.
 *
 * <p>CoDel's rule decides what counts: only a queue that stays above the target for a whole
 * interval, that is, whose smallest delay in the interval exceeds it. A garbage-collection pause
 * or a burst delays a few samples, not all of them. While the queue stands, the share refused grows
 * by a tenth each interval; once the queue has drained below half the target, it falls by a
 * twentieth each interval. In between it holds. Thread-safe: samples may arrive from any thread.
 */
public final class SaturationShedding {
  /** The share refused moves in twentieths: up two per interval while the queue stands, down one once it drains. */
  private static final int TWENTIETHS = 20;

  /** What one interval's evaluation changed, for the log. */
  public enum Change { NONE, STARTED, STOPPED }

  private final LoadShedding settings;
  private final long targetNanos;

  private int samplesInInterval;
  private long smallestDelayNanos = Long.MAX_VALUE;
  /** The share refused, in twentieths: written under the lock, read by every request. */
  private volatile int twentieths;
  private volatile long lastDelayNanos;
  private final LongAdder refused = new LongAdder();

  public SaturationShedding(LoadShedding settings) {
    this.settings = settings;
    this.targetNanos = settings.queueDelayTarget().toNanos();
  }

  /**
   * Records one sample of the queue delay. Samples are taken at most {@link
   * LoadShedding#SAMPLES_PER_INTERVAL} per interval (fewer while each waits long), and every that
   * many samples close an interval and adjust the share.
   */
  public synchronized Change observe(long delayNanos) {
    lastDelayNanos = delayNanos;
    if (!settings.enabled()) return Change.NONE;
    smallestDelayNanos = Math.min(smallestDelayNanos, delayNanos);
    if (++samplesInInterval < LoadShedding.SAMPLES_PER_INTERVAL) return Change.NONE;

    int before = twentieths;
    if (smallestDelayNanos > targetNanos) {
      twentieths = Math.min(TWENTIETHS, before + 2);
    } else if (smallestDelayNanos <= targetNanos / 2) {
      twentieths = Math.max(0, before - 1);
    }
    smallestDelayNanos = Long.MAX_VALUE;
    samplesInInterval = 0;
    if (before == 0 && twentieths > 0) return Change.STARTED;
    if (before > 0 && twentieths == 0) return Change.STOPPED;
    return Change.NONE;
  }

  /** Whether to refuse the request arriving now: true for the current share of them, at random. */
  public boolean shedsNext() {
    int t = twentieths;
    boolean shed = t > 0 && (t >= TWENTIETHS || ThreadLocalRandom.current().nextInt(TWENTIETHS) < t);
    if (shed) refused.increment();
    return shed;
  }

  /** How many requests were refused for saturation since the node started. */
  public long refused() {
    return refused.sum();
  }

  /** The share of new requests refused now, 0 to 1. */
  public double share() {
    return twentieths / (double) TWENTIETHS;
  }

  /** The last queue delay sampled, in nanoseconds. */
  public long lastDelayNanos() {
    return lastDelayNanos;
  }

  public LoadShedding settings() {
    return settings;
  }
}
