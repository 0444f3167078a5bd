package detour.router.coordinator;

import java.util.List;

/**
 * What the node could serve now, route by route: {@code OK} when every route has a candidate that
 * could be tried ({@link RouteReadiness}), {@code DEGRADED} when some have none, {@code
 * UNAVAILABLE} when none has (or there is no route at all).
 *
 * @param routes each route judged, in name order
 */
public record NodeReadiness(Status status, List<RouteReadiness> routes) {
  public enum Status { OK, DEGRADED, UNAVAILABLE }

  public NodeReadiness {
    routes = List.copyOf(routes);
  }

  public static NodeReadiness of(List<RouteReadiness> routes) {
    long available = routes.stream().filter(RouteReadiness::available).count();
    Status status = available == 0 ? Status.UNAVAILABLE : available < routes.size() ? Status.DEGRADED : Status.OK;
    return new NodeReadiness(status, routes);
  }

  /** Whether some route could be served now: what readiness asks. */
  public boolean ready() {
    return status != Status.UNAVAILABLE;
  }

  /** The routes with no candidate that could be tried now, in name order. */
  public List<String> unavailable() {
    return routes.stream().filter(r -> !r.available()).map(RouteReadiness::route).toList();
  }
}
