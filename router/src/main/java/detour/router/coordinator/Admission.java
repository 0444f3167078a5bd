package detour.router.coordinator;

import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Decides which chat requests this node takes on. One limit: a bound on requests in progress, open
 * streams included (the node's memory and, through it, its time). A request is first looked at as it arrives, before its body is read,
 * so that refusing it costs little; one let through is admitted once its body is valid, and holds a
 * {@link Place} until its coordinator has terminated, however it ended (answered, stopped during
 * its set-up, crashed), or until the HTTP layer learns that no coordinator will ever run it.
 * Lock-free: one atomic increment and one decrement per request.
 */
public final class Admission {
  private final int limit;
  private final AtomicInteger inProgress = new AtomicInteger();

  public Admission(int limit) {
    this.limit = limit;
  }

  /**
   * One request's place under the bound. Whoever learns first that the request is over gives it
   * back; the others' calls are no-ops, so a place is given back exactly once.
   */
  public final class Place {
    private final AtomicBoolean held = new AtomicBoolean(true);

    private Place() {}

    public void release() {
      if (held.compareAndSet(true, false)) inProgress.decrementAndGet();
    }
  }

  /**
   * A cheap look as a request arrives, before its body is read: true when the bound is already
   * reached, and the request is to be refused now. A request let through still needs
   * {@link #tryAdmit}.
   */
  public boolean atBoundOnArrival() {
    return inProgress.get() >= limit;
  }

  /** A place for one more request if the node has room; empty when it has none. */
  public Optional<Place> tryAdmit() {
    if (inProgress.incrementAndGet() <= limit) return Optional.of(new Place());
    inProgress.decrementAndGet();
    return Optional.empty();
  }

  public int inProgress() {
    return inProgress.get();
  }

  public int limit() {
    return limit;
  }
}
