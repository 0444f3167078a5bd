package detour.router.whatif;

import detour.persistence.breaker.FailureKind;
import detour.persistence.routing.LatencyBuckets;
import detour.persistence.routing.RoutingEvent.ModelSecond;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * How a model answered in one recorded second, as a sequence the replay draws its calls from: the
 * second's answers (each with its latency bucket's representative latency) and failures, spread
 * evenly through it, so that a second of 20 answers and 5 failures reads as four answers, a
 * failure, four answers... and a replay that lets only some of the second's requests through still
 * sees the same share of each. Deterministic: the same record always reads the same way.
 */
final class OutcomeMix {
  /** One call's outcome: a failure class, or null for an answer of {@code latencyMillis}. */
  record Outcome(FailureKind failure, long latencyMillis) {
    boolean answered() {
      return failure == null;
    }
  }

  private final List<Outcome> sequence;
  private final long retryAfterMillis;

  private OutcomeMix(List<Outcome> sequence, long retryAfterMillis) {
    this.sequence = sequence;
    this.retryAfterMillis = retryAfterMillis;
  }

  /** The mix of a second with at least one call; null for a second without any. */
  static OutcomeMix of(ModelSecond second) {
    List<Outcome> kinds = new ArrayList<>();
    List<Long> counts = new ArrayList<>();
    for (Map.Entry<String, Long> bucket : second.latencyMs().entrySet()) {
      int index = LatencyBuckets.ofKey(bucket.getKey());
      if (index < 0 || bucket.getValue() <= 0) continue;
      kinds.add(new Outcome(null, LatencyBuckets.representative(index)));
      counts.add(bucket.getValue());
    }
    long bucketed = counts.stream().mapToLong(Long::longValue).sum();
    if (second.answered() > bucketed) {  // answers without a bucket this version knows: instant
      kinds.add(new Outcome(null, 0));
      counts.add(second.answered() - bucketed);
    }
    for (Map.Entry<String, Long> failed : second.failures().entrySet()) {
      FailureKind kind = FailureKind.fromName(failed.getKey());
      if (failed.getValue() > 0) {
        kinds.add(new Outcome(kind, 0));
        counts.add(failed.getValue());
      }
    }
    long total = counts.stream().mapToLong(Long::longValue).sum();
    if (total == 0) return null;
    return new OutcomeMix(interleave(kinds, counts, total), second.retryAfterMs());
  }

  /** Spreads each kind evenly: position i goes to the kind furthest behind its share of i + 1. */
  private static List<Outcome> interleave(List<Outcome> kinds, List<Long> counts, long total) {
    List<Outcome> sequence = new ArrayList<>((int) Math.min(total, Integer.MAX_VALUE));
    long[] placed = new long[kinds.size()];
    for (long i = 0; i < total; i++) {
      int pick = -1;
      double behind = Double.NEGATIVE_INFINITY;
      for (int k = 0; k < kinds.size(); k++) {
        if (placed[k] >= counts.get(k)) continue;
        double deficit = (double) counts.get(k) * (i + 1) / total - placed[k];
        if (deficit > behind) {
          behind = deficit;
          pick = k;
        }
      }
      placed[pick]++;
      sequence.add(kinds.get(pick));
    }
    return sequence;
  }

  /** The outcome of the {@code slot}-th of {@code slots} requests spread over the second. */
  Outcome outcome(long slot, long slots) {
    int index = (int) Math.min(sequence.size() - 1, slot * sequence.size() / Math.max(1, slots));
    return sequence.get(index);
  }

  long retryAfterMillis() {
    return retryAfterMillis;
  }
}
