package detour.router.record;

import detour.persistence.breaker.FailureKind;
import detour.persistence.routing.LatencyBuckets;
import detour.persistence.routing.ModelRef;
import detour.persistence.routing.RoutingEvent.ModelSecond;
import detour.persistence.routing.SkipCause;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Every call's outcome, counted per second and model in memory: what the breakers were told,
 * kept for the what-if replay. Requests count into it from any thread, the node's
 * {@link RoutingRecorder} drains it once a second and decides what of it to journal.
 *
 * <p>Cheap enough for the healthy path: counting an answer is a map lookup and a few increments
 * under a per-model lock held for nanoseconds, with no allocation. Each model keeps a ring of the
 * last {@link #SECONDS_KEPT} seconds: a second not drained by then is overwritten (and counted in
 * {@link #overwritten()}), which happens only if the recorder stalls for that long.
 */
public final class OutcomeLedger {
  /** Seconds each model keeps; the recorder drains every second. */
  static final int SECONDS_KEPT = 8;

  /** The pass-over causes it counts: the circuit's and the operator's, which say a request wanted the model. */
  private static final List<SkipCause> PASS_CAUSES =
      List.of(SkipCause.CIRCUIT_OPEN, SkipCause.CIRCUIT_HALF_OPEN, SkipCause.RAMPING, SkipCause.DRAINED);

  private final InstantSource clock;
  private final Map<String, ModelCounts> byCatalogueId;
  private final ConcurrentHashMap<ModelRef, ModelCounts> byModel = new ConcurrentHashMap<>();

  /**
   * @param upstreamModels each catalogue model id's provider and upstream model: ids that share an
   *     upstream model count together, as their breaker does
   */
  public OutcomeLedger(InstantSource clock, Map<String, ModelRef> upstreamModels) {
    this.clock = clock;
    Map<String, ModelCounts> counts = new java.util.HashMap<>();
    upstreamModels.forEach((id, ref) -> counts.put(id, byModel.computeIfAbsent(ref, ModelCounts::new)));
    this.byCatalogueId = Map.copyOf(counts);
  }

  /** A call to the model answered after {@code latencyMillis} (to its first content, for a stream). */
  public void answered(String modelId, String provider, long latencyMillis) {
    counts(modelId, provider).answered(second(), LatencyBuckets.bucketOf(latencyMillis));
  }

  /** A call to the model failed. */
  public void failed(String modelId, String provider, FailureKind kind, long retryAfterMillis) {
    counts(modelId, provider).failed(second(), kind, retryAfterMillis);
  }

  /** A request passed the model over without calling it; only circuit and drain causes count. */
  public void passedOver(String modelId, String provider, SkipCause cause) {
    int index = PASS_CAUSES.indexOf(cause);
    if (index >= 0) counts(modelId, provider).passedOver(second(), index);
  }

  /** Takes every second before {@code before} out of the ledger, in time order, models sorted. */
  public List<ModelSecond> drainBefore(Instant before) {
    long limit = Math.floorDiv(before.toEpochMilli(), 1000);
    List<ModelSecond> drained = new ArrayList<>();
    for (ModelCounts counts : byModel.values()) counts.drainBefore(limit, drained);
    drained.sort(java.util.Comparator.comparing(ModelSecond::at).thenComparing(ModelSecond::model));
    return drained;
  }

  /** Seconds lost because nobody drained them in time. */
  public long overwritten() {
    return byModel.values().stream().mapToLong(c -> c.overwritten).sum();
  }

  private long second() {
    return Math.floorDiv(clock.millis(), 1000);
  }

  private ModelCounts counts(String modelId, String provider) {
    ModelCounts known = byCatalogueId.get(modelId);
    return known != null ? known : byModel.computeIfAbsent(new ModelRef(provider, modelId), ModelCounts::new);
  }

  /** One model's ring of seconds. Every method holds its lock. */
  private static final class ModelCounts {
    private final ModelRef model;
    private final Slot[] ring = new Slot[SECONDS_KEPT];
    private long overwritten;

    ModelCounts(ModelRef model) {
      this.model = model;
      for (int i = 0; i < ring.length; i++) ring[i] = new Slot();
    }

    synchronized void answered(long second, int bucket) {
      Slot slot = slot(second);
      if (slot == null) return;
      slot.answered++;
      slot.latency[bucket]++;
      slot.used = true;
    }

    synchronized void failed(long second, FailureKind kind, long retryAfterMillis) {
      Slot slot = slot(second);
      if (slot == null) return;
      slot.failures[kind.ordinal()]++;
      slot.retryAfterMillis = Math.max(slot.retryAfterMillis, retryAfterMillis);
      slot.used = true;
    }

    synchronized void passedOver(long second, int cause) {
      Slot slot = slot(second);
      if (slot == null) return;
      slot.passed[cause]++;
      slot.used = true;
    }

    synchronized void drainBefore(long limit, List<ModelSecond> into) {
      for (Slot slot : ring) {
        if (slot.used && slot.second < limit) {
          into.add(slot.toRow(model));
          slot.clear(slot.second);
        }
      }
    }

    /** The slot of {@code second}, taken over if it held an older second; null for a second already gone. */
    private Slot slot(long second) {
      Slot slot = ring[(int) Math.floorMod(second, (long) SECONDS_KEPT)];
      if (slot.second == second) return slot;
      if (slot.second > second) return null;  // later than the ring reaches back: dropped
      if (slot.used) overwritten++;
      slot.clear(second);
      return slot;
    }
  }

  private static final class Slot {
    long second = Long.MIN_VALUE;
    boolean used;
    long answered;
    final long[] latency = new long[LatencyBuckets.count()];
    final long[] failures = new long[FailureKind.values().length];
    long retryAfterMillis;
    final long[] passed = new long[PASS_CAUSES.size()];

    void clear(long newSecond) {
      second = newSecond;
      used = false;
      answered = 0;
      retryAfterMillis = 0;
      java.util.Arrays.fill(latency, 0);
      java.util.Arrays.fill(failures, 0);
      java.util.Arrays.fill(passed, 0);
    }

    ModelSecond toRow(ModelRef model) {
      Map<String, Long> buckets = new LinkedHashMap<>();
      for (int i = 0; i < latency.length; i++) if (latency[i] > 0) buckets.put(LatencyBuckets.key(i), latency[i]);
      Map<String, Long> failed = new LinkedHashMap<>();
      FailureKind[] kinds = FailureKind.values();
      for (int i = 0; i < failures.length; i++) if (failures[i] > 0) failed.put(kinds[i].name(), failures[i]);
      Map<SkipCause, Long> passes = new LinkedHashMap<>();
      for (int i = 0; i < passed.length; i++) if (passed[i] > 0) passes.put(PASS_CAUSES.get(i), passed[i]);
      return new ModelSecond(Instant.ofEpochSecond(second), model, answered, buckets, failed, retryAfterMillis, passes);
    }
  }
}
