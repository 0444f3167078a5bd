package detour.persistence.audit;

import detour.persistence.routing.RoutingEvent.Sample;
import java.util.ArrayList;
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
  private final Map<String, Long> failedOverByCause = new TreeMap<>();
  private long failedEntirely;
  private final Map<String, Long> failedEntirelyByCause = new TreeMap<>();
  private final Map<String, long[]> byRoute = new TreeMap<>();
  private final List<Sample> samples = new ArrayList<>();

  void failedOver(String route, String to, String cause, long requests) {
    failedOver += requests;
    failedOverTo.merge(to, requests, Long::sum);
    failedOverByCause.merge(cause, requests, Long::sum);
    byRoute.computeIfAbsent(route, r -> new long[2])[0] += requests;
  }

  void failedEntirely(String route, String cause, long requests) {
    failedEntirely += requests;
    failedEntirelyByCause.merge(cause, requests, Long::sum);
    byRoute.computeIfAbsent(route, r -> new long[2])[1] += requests;
  }

  void sample(Sample sample) {
    if (samples.size() < SAMPLES && !samples.contains(sample)) samples.add(sample);
  }

  /** Requests that passed over the incident's scope and that another model answered. */
  public long failedOver() {
    return failedOver;
  }

  /** Those requests by the model that answered them, {@code provider/model}. */
  public Map<String, Long> failedOverTo() {
    return Collections.unmodifiableMap(failedOverTo);
  }

  /** Those requests by why they passed the scope over: a failure class, or a skip cause. */
  public Map<String, Long> failedOverByCause() {
    return Collections.unmodifiableMap(failedOverByCause);
  }

  /** Requests that passed over the incident's scope and that no model answered. */
  public long failedEntirely() {
    return failedEntirely;
  }

  public Map<String, Long> failedEntirelyByCause() {
    return Collections.unmodifiableMap(failedEntirelyByCause);
  }

  /** Per route, {failed over, failed entirely}. */
  public Map<String, long[]> byRoute() {
    return Collections.unmodifiableMap(byRoute);
  }

  /** A few of the requests (the first seen): ids to look for in the logs. */
  public List<Sample> samples() {
    return Collections.unmodifiableList(samples);
  }
}
