package detour.router.record;

import detour.persistence.routing.Ending;
import detour.persistence.routing.ModelRef;
import detour.persistence.routing.PassCause;
import java.util.List;

/**
 * One request that failed over or failed entirely, as the routing record counts it. Built on the
 * request's own thread, off the healthy path; never prompt, completion or error text.
 *
 * @param requestId the request's id
 * @param route the route's name (or the catalogue model's id, when named directly)
 * @param outcome how it ended: answered (or streaming) by another candidate, rejected, exhausted or
 *     cut by the deadline
 * @param to the model that answered (or refused the request as the caller's mistake); null when
 *     none did
 * @param passes every candidate passed over, once each, with why
 * @param failed whether no candidate answered: exhausted, or the deadline passed
 * @param attempts every attempt as the request's log line shows it
 */
public record RoutedRequest(String requestId, String route, Ending outcome, ModelRef to, List<Pass> passes,
    boolean failed, List<String> attempts) {

  public RoutedRequest {
    passes = List.copyOf(passes);
    attempts = List.copyOf(attempts);
  }

  /** A candidate that did not serve the request, and why: a failure class or a skip cause. */
  public record Pass(ModelRef from, PassCause cause) {}
}
