package detour.router.coordinator;

import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Decides which chat requests this node takes on. Two limits: a bound on requests in progress, open
 * streams included (the node's memory), and a share refused while the CPU is saturated (its time,
 * {@link SaturationShedding}). A request is first looked at as it arrives, before its body is read,
 * so that refusing it costs little; one let through is admitted once its body is valid, and released
 * when its coordinator stops, however it ended. Lock-free: one atomic increment and one decrement
 * per request.
 */
public final class Admission {
  /** Why a request was refused. */
  public enum Refusal { AT_BOUND, SATURATED }

  private final int limit;
  private final SaturationShedding shedding;
  private final AtomicInteger inProgress = new AtomicInteger();

  public Admission(int limit, SaturationShedding shedding) {
    this.limit = limit;
    this.shedding = shedding;
  }

  /**
   * A cheap look as a request arrives: refuse it now when the bound is already reached, or when the
   * node is saturated and this request falls in the share shed. A request let through still needs
   * {@link #tryAdmit}.
   */
  public Optional<Refusal> refusalOnArrival() {
    if (inProgress.get() >= limit) return Optional.of(Refusal.AT_BOUND);
    if (shedding.shedsNext()) return Optional.of(Refusal.SATURATED);
    return Optional.empty();
  }

  /** Admits one more request if the node has room; a request admitted must be released once. */
  public boolean tryAdmit() {
    if (inProgress.incrementAndGet() <= limit) return true;
    inProgress.decrementAndGet();
    return false;
  }

  public void release() {
    inProgress.decrementAndGet();
  }

  public int inProgress() {
    return inProgress.get();
  }

  public int limit() {
    return limit;
  }

  public SaturationShedding shedding() {
    return shedding;
  }
}
