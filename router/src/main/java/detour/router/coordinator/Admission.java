package detour.router.coordinator;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * Bounds the chat requests in progress on this node, open streams included: one is admitted at the
 * edge and released when its coordinator stops, however it ended. Lock-free: one atomic increment
 * and one decrement per request.
 */
public final class Admission {
  private final int limit;
  private final AtomicInteger inProgress = new AtomicInteger();

  public Admission(int limit) {
    this.limit = limit;
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
}
