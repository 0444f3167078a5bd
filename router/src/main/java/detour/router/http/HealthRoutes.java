package detour.router.http;

import akka.http.javadsl.model.HttpResponse;
import akka.http.javadsl.model.StatusCodes;
import akka.http.javadsl.server.AllDirectives;
import akka.http.javadsl.server.Route;
import com.fasterxml.jackson.databind.ObjectMapper;
import detour.providers.breaker.BreakerState;
import detour.providers.breaker.BreakerView;
import detour.router.config.Plan;
import detour.router.config.RoutePlanner;
import detour.router.coordinator.Admission;
import detour.router.coordinator.CandidateReadiness;
import detour.router.coordinator.NodeReadiness;
import detour.router.coordinator.ProviderFleet;
import detour.router.coordinator.RouteReadiness;
import java.time.InstantSource;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Locale;

/**
 * {@code GET /live} (the process serves), {@code GET /ready} (some route has a candidate that could
 * be tried now) and {@code GET /health} (every route's and every breaker's state, and what the node
 * takes on). Each answer is read from the node's own view of the breakers, replicated in a
 * cluster: none asks an actor, so a probe costs no message and cannot wait on a busy breaker.
 */
final class HealthRoutes extends AllDirectives {
  private final ProviderFleet fleet;
  private final BreakerView view;
  private final Admission admission;
  private final Replies replies;
  private final InstantSource clock;
  /** The configured routes; when there are none, the catalogue's models, which callers name instead. */
  private final List<Plan> judged;

  HealthRoutes(RoutePlanner planner, ProviderFleet fleet, Admission admission, ObjectMapper json, Replies replies,
      InstantSource clock) {
    this.fleet = fleet;
    this.view = fleet.view();
    this.admission = admission;
    this.replies = replies;
    this.clock = clock;
    List<String> names = planner.routeNames().isEmpty() ? planner.names() : planner.routeNames();
    this.judged = names.stream().map(name -> planner.plan(name).orElseThrow()).toList();
  }

  Route routes() {
    return concat(
        path("live", () -> get(() -> complete(live()))),
        path("ready", () -> get(() -> complete(ready()))),
        path("health", () -> get(() -> complete(health()))));
  }

  private NodeReadiness readiness() {
    var now = clock.instant();
    return NodeReadiness.of(judged.stream()
        .map(plan -> RouteReadiness.of(plan, candidate -> CandidateReadiness.whyNot(candidate, fleet, now)))
        .toList());
  }

  private HttpResponse live() {
    return replies.json(StatusCodes.OK, ReadyBody.of("live"), List.of());
  }

  private HttpResponse ready() {
    NodeReadiness readiness = readiness();
    if (readiness.ready()) {
      return replies.json(StatusCodes.OK, ReadyBody.of("ready"), List.of());
    }
    Map<String, String> routes = new LinkedHashMap<>();
    readiness.routes().forEach(route -> routes.put(route.route(), route.reason()));
    var body = new ReadyBody("unavailable", readiness.routes().isEmpty() ? "no route or model is configured"
        : "no route has a candidate that could be tried now", routes);
    return replies.json(StatusCodes.SERVICE_UNAVAILABLE, body, List.of());
  }

  private HttpResponse health() {
    NodeReadiness readiness = readiness();
    Map<String, HealthBody.Route> routes = new LinkedHashMap<>();
    for (RouteReadiness route : readiness.routes()) {
      routes.put(route.route(), new HealthBody.Route(route.usable(), route.candidates(), route.reason()));
    }
    Map<String, HealthBody.Breaker> breakers = new LinkedHashMap<>();
    var localHolds = view.localHolds();
    view.snapshot().forEach((scope, state) -> {
      boolean recovering = state.circuit() == BreakerState.Circuit.RECOVERING;
      // Held open by this node alone, its owner unreachable: say so, and what the cluster last said.
      boolean heldLocally = localHolds.containsKey(scope);
      breakers.put(scope.key(), new HealthBody.Breaker(
          lower(state.circuit()),
          state.circuit() == BreakerState.Circuit.OPEN || recovering ? state.until().toString() : null,
          recovering ? state.share() : null,
          state.cause() == null ? null : lower(state.cause()),
          state.reopens() > 0 ? state.reopens() : null,
          heldLocally ? "locally" : null,
          heldLocally ? "unreachable" : null,
          heldLocally ? lower(view.publishedStateOf(scope).circuit()) : null));
    });
    var body = new HealthBody(lower(readiness.status()),
        readiness.status() != NodeReadiness.Status.OK ? readiness.unavailable() : null,
        routes, AdmissionReport.of(admission), breakers);
    return replies.json(StatusCodes.OK, body, List.of());
  }

  private static String lower(Enum<?> value) {
    return value.name().toLowerCase(Locale.ROOT);
  }
}
