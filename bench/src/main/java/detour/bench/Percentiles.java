package detour.bench;

import java.util.Arrays;
import java.util.Collection;

/**
 * Order statistics of a small set of latencies, from a sorted copy: exact observed values, where
 * HdrHistogram (which the load drivers use for their many samples) reports a bucket's upper bound;
 * a benchmark's few hundred samples need no more. Percentiles are nearest-rank: the p-th percentile of n values is the ceil(p * n)-th smallest, an observed value,
 * so the p99 of 100 values is the second largest and the p99 of 50 is the largest.
 */
final class Percentiles {
  private final double[] sorted;

  Percentiles(Collection<Double> values) {
    this.sorted = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
  }

  Percentiles(double[] values) {
    this.sorted = values.clone();
    Arrays.sort(this.sorted);
  }

  int count() {
    return sorted.length;
  }

  boolean isEmpty() {
    return sorted.length == 0;
  }

  /** The nearest-rank percentile, p in (0, 1]; NaN when there are no values. */
  double at(double p) {
    if (sorted.length == 0) return Double.NaN;
    int rank = (int) Math.ceil(p * sorted.length);
    return sorted[Math.min(Math.max(rank, 1), sorted.length) - 1];
  }

  /** The middle value (the lower middle of an even count, as nearest-rank p50). */
  double median() {
    return at(0.5);
  }

  double min() {
    return sorted.length == 0 ? Double.NaN : sorted[0];
  }

  double max() {
    return sorted.length == 0 ? Double.NaN : sorted[sorted.length - 1];
  }

  /** Every value minus {@code offset}. */
  Percentiles minus(double offset) {
    double[] shifted = new double[sorted.length];
    for (int i = 0; i < sorted.length; i++) shifted[i] = sorted[i] - offset;
    return new Percentiles(shifted);
  }
}
