package detour.providers.breaker;

import detour.persistence.breaker.FailureKind;
import java.util.Map;

/**
 * What a breaker's window holds at one moment.
 *
 * @param calls outcomes in the window that count at all (client errors and cancels never do)
 * @param faults provider faults other than rate limits
 * @param rateLimits 429s
 * @param slowCalls successes slower than {@code slow-call-duration}
 * @param faultsByKind every fault and rate limit in the window, by class
 */
public record WindowStats(int calls, int faults, int rateLimits, int slowCalls, Map<FailureKind, Integer> faultsByKind) {
  public WindowStats {
    faultsByKind = Map.copyOf(faultsByKind);
  }

  public double faultRate() {
    return share(faults);
  }

  public double rateLimitRate() {
    return share(rateLimits);
  }

  public double slowCallRate() {
    return share(slowCalls);
  }

  private double share(int count) {
    return calls == 0 ? 0 : (double) count / calls;
  }
}
