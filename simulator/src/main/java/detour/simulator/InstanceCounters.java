package detour.simulator;

import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An instance's exact counters, updated concurrently by its requests; see {@link InstanceStats}.
 */
final class InstanceCounters {

  final AtomicLong requests = new AtomicLong();
  final AtomicLong ok = new AtomicLong();
  final AtomicLong error = new AtomicLong();
  final AtomicLong rateLimited = new AtomicLong();
  final AtomicLong hung = new AtomicLong();
  final AtomicLong reset = new AtomicLong();
  final AtomicLong stalled = new AtomicLong();
  final AtomicLong malformed = new AtomicLong();
  final AtomicLong streamError = new AtomicLong();
  final AtomicLong invalid = new AtomicLong();
  final AtomicLong openai = new AtomicLong();
  final AtomicLong anthropic = new AtomicLong();
  final AtomicLong gemini = new AtomicLong();
  final AtomicLong streams = new AtomicLong();
  final AtomicLong cancelled = new AtomicLong();
  final AtomicLong dropped = new AtomicLong();

  /** Numbers the answers, for their ids; not a stat. */
  final AtomicLong sequence = new AtomicLong();

  private final List<AtomicLong> all =
      List.of(
          requests,
          ok,
          error,
          rateLimited,
          hung,
          reset,
          stalled,
          malformed,
          streamError,
          invalid,
          openai,
          anthropic,
          gemini,
          streams,
          cancelled,
          dropped,
          sequence);

  /** The request counter of a protocol. */
  AtomicLong protocol(Dialect dialect) {
    return switch (dialect.name()) {
      case "anthropic" -> anthropic;
      case "gemini" -> gemini;
      default -> openai;
    };
  }

  /** A failure with {@code status}: 429 counts as rate limited, any other as an error. */
  void failure(int status) {
    (status == 429 ? rateLimited : error).incrementAndGet();
  }

  /** A snapshot for {@code instance}. */
  InstanceStats snapshot(String instance) {
    return new InstanceStats(
        instance,
        requests.get(),
        ok.get(),
        error.get(),
        rateLimited.get(),
        hung.get(),
        reset.get(),
        invalid.get(),
        stalled.get(),
        malformed.get(),
        streamError.get(),
        openai.get(),
        anthropic.get(),
        gemini.get(),
        streams.get(),
        cancelled.get(),
        dropped.get());
  }

  /** Every counter back to zero. */
  void clear() {
    all.forEach(counter -> counter.set(0));
  }
}
