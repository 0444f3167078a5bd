package detour.providers.breaker;

import detour.persistence.breaker.FailureKind;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.EnumMap;

/**
 * The last {@code size} outcomes that are not older than {@code maxAge}, with running counts, so
 * that recording and judging cost O(1) amortised. Both limits make one window serve both usual
 * shapes: a huge size gives a time-based window, a huge age a count-based one. The default (50
 * calls, 30 s) reacts within about a second at 50 requests per second yet needs the full minimum
 * of calls at low traffic.
 *
 * <p>Not thread-safe: owned by one breaker actor, and a field rather than state, since losing it in
 * a crash costs at most the time to count again.
 */
final class OutcomeWindow {
  private record Entry(Instant at, FailureKind fault, boolean slow) {}

  private final int size;
  private final Duration maxAge;
  private final ArrayDeque<Entry> entries = new ArrayDeque<>();
  private final EnumMap<FailureKind, Integer> byKind = new EnumMap<>(FailureKind.class);
  private int faults;
  private int rateLimits;
  private int slowCalls;

  OutcomeWindow(int size, Duration maxAge) {
    this.size = size;
    this.maxAge = maxAge;
  }

  void recordSuccess(Instant at, boolean slow) {
    add(new Entry(at, null, slow));
  }

  /** Records a provider's fault; callers pass only classes that count against someone. */
  void recordFault(Instant at, FailureKind kind) {
    add(new Entry(at, kind, false));
  }

  WindowStats stats(Instant now) {
    evictOlderThan(now.minus(maxAge));
    return new WindowStats(entries.size(), faults, rateLimits, slowCalls, byKind);
  }

  void clear() {
    entries.clear();
    byKind.clear();
    faults = 0;
    rateLimits = 0;
    slowCalls = 0;
  }

  private void add(Entry entry) {
    evictOlderThan(entry.at().minus(maxAge));
    if (entries.size() == size) remove(entries.removeFirst());
    entries.addLast(entry);
    if (entry.slow()) slowCalls++;
    if (entry.fault() != null) {
      byKind.merge(entry.fault(), 1, Integer::sum);
      if (entry.fault() == FailureKind.RATE_LIMITED) rateLimits++;
      else faults++;
    }
  }

  private void evictOlderThan(Instant oldest) {
    while (!entries.isEmpty() && entries.peekFirst().at().isBefore(oldest)) remove(entries.removeFirst());
  }

  private void remove(Entry entry) {
    if (entry.slow()) slowCalls--;
    if (entry.fault() != null) {
      byKind.computeIfPresent(entry.fault(), (kind, n) -> n == 1 ? null : n - 1);
      if (entry.fault() == FailureKind.RATE_LIMITED) rateLimits--;
      else faults--;
    }
  }
}
