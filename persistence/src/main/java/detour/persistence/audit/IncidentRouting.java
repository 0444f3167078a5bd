package detour.persistence.audit;

import detour.persistence.routing.PassCause;
import detour.persistence.routing.RoutingEvent.Sample;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What the routing record says of one incident: the requests that passed over the incident's
 * provider or model while it lasted (each routing record interval that overlaps the incident
 * counts whole), and where they went. For a provider's incident, a request is counted once per
 * model of that provider it passed over.
 */
public final class IncidentRouting {
  /** At most this many sample requests per incident. */
  public static final int SAMPLES = 5;

  private long failedOver;
  private final Map<String, Long> failedOverTo = new TreeMap<>();
  private final Map<PassCause, Long> failedOverByCause = new TreeMap<>();
  private long failedEntirely;
  private final Map<PassCause, Long> failedEntirelyByCause = new TreeMap<>();
  private final Map<String, long[]> byRoute = new TreeMap<>();
  /** The earliest samples, by interval start then request id, whatever order the rows are read in. */
  private final TreeMap<SampleKey, Sample> samples = new TreeMap<>();

  private record SampleKey(long start, String requestId) implements Comparable<SampleKey> {
    @Override
    public int compareTo(SampleKey other) {
      int byStart = Long.compare(start, other.start);
      return byStart != 0 ? byStart : requestId.compareTo(other.requestId);
    }
  }

  void failedOver(String route, String to, PassCause cause, long requests) {
    failedOver += requests;
    failedOverTo.merge(to, requests, Long::sum);
    failedOverByCause.merge(cause, requests, Long::sum);
    byRoute.computeIfAbsent(route, r -> new long[2])[0] += requests;
  }

  void failedEntirely(String route, PassCause cause, long requests) {
    failedEntirely += requests;
    failedEntirelyByCause.merge(cause, requests, Long::sum);
    byRoute.computeIfAbsent(route, r -> new long[2])[1] += requests;
  }

  void sample(java.time.Instant intervalStart, Sample sample) {
    long start = intervalStart.toEpochMilli();
    if (samples.size() >= SAMPLES && start > samples.lastKey().start()) return;  // the common case: later ones
    var key = new SampleKey(start, sample.requestId());
    if (samples.size() >= SAMPLES && key.compareTo(samples.lastKey()) >= 0) return;
    samples.put(key, sample);
    if (samples.size() > SAMPLES) samples.pollLastEntry();
  }

  /** Requests that passed over the incident's scope and that another model answered. */
  public long failedOver() {
    return failedOver;
  }

  /** Those requests by the model that answered them, {@code provider/model}. */
  public Map<String, Long> failedOverTo() {
    return Collections.unmodifiableMap(failedOverTo);
  }

  /** Those requests by why they passed the scope over: a failure class, or a skip cause; by name. */
  public Map<PassCause, Long> failedOverByCause() {
    return Collections.unmodifiableMap(failedOverByCause);
  }

  /** Requests that passed over the incident's scope and that no model answered. */
  public long failedEntirely() {
    return failedEntirely;
  }

  public Map<PassCause, Long> failedEntirelyByCause() {
    return Collections.unmodifiableMap(failedEntirelyByCause);
  }

  /** Per route, {failed over, failed entirely}. */
  public Map<String, long[]> byRoute() {
    return Collections.unmodifiableMap(byRoute);
  }

  /** A few of the requests (the earliest recorded): ids to look for in the logs. */
  public List<Sample> samples() {
    return List.copyOf(samples.values());
  }
}
