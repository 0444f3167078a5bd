package detour.router.record;

import detour.persistence.breaker.FailureKind;
import detour.persistence.routing.RoutingEvent.ModelSecond;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * Decides which seconds of outcomes the routing record journals: those from {@code lead} before a
 * second of trouble (a call failed through a provider's fault, or a request passed a model over
 * for its circuit or a drain) to {@code tail} after the last such second. The seconds before are
 * kept in memory until they are either needed as an incident's onset or too old to be. Pure: the
 * recorder feeds it the seconds in time order and takes what is to be written.
 */
final class TroubleWindow {
  private final long leadSeconds;
  private final long tailSeconds;
  /** The recent calm seconds, oldest first, kept in case trouble follows. */
  private final ArrayDeque<ModelSecond> lead = new ArrayDeque<>();
  /** Seconds to be written. */
  private final List<ModelSecond> pending = new ArrayList<>();
  /** Seconds before it are written while trouble lasts; Long.MIN_VALUE: no trouble seen yet. */
  private long writeUntil = Long.MIN_VALUE;

  TroubleWindow(Duration lead, Duration tail) {
    this.leadSeconds = lead.toSeconds();
    this.tailSeconds = tail.toSeconds();
  }

  /** One second's rows (every model that saw a call or a pass-over), in time order. */
  void offer(Instant second, List<ModelSecond> rows) {
    long at = second.getEpochSecond();
    if (rows.stream().anyMatch(TroubleWindow::troubled)) {
      if (at >= writeUntil) {
        // Trouble after calm: its onset is written too.
        lead.removeIf(row -> row.at().getEpochSecond() < at - leadSeconds);
        pending.addAll(lead);
      }
      lead.clear();
      writeUntil = at + tailSeconds + 1;
    }
    if (at < writeUntil) {
      pending.addAll(rows);
    } else {
      lead.addAll(rows);
      while (!lead.isEmpty() && lead.peekFirst().at().getEpochSecond() < at - leadSeconds) lead.removeFirst();
    }
  }

  /** The seconds to be written since the last take, in time order; empty when none. */
  List<ModelSecond> take() {
    List<ModelSecond> taken = List.copyOf(pending);
    pending.clear();
    return taken;
  }

  boolean hasPending() {
    return !pending.isEmpty();
  }

  /** Whether a second shows trouble: a provider's fault, or a request that had to pass the model over. */
  static boolean troubled(ModelSecond row) {
    if (!row.passedOver().isEmpty()) return true;
    return row.failures().keySet().stream().anyMatch(kind -> FailureKind.fromName(kind).providersFault());
  }
}
