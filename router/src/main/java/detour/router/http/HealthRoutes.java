package detour.router.http;

import akka.http.javadsl.model.HttpResponse;
import akka.http.javadsl.model.StatusCodes;
import akka.http.javadsl.server.AllDirectives;
import akka.http.javadsl.server.Route;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
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
import java.util.List;
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
  private final ObjectMapper json;
  private final Replies replies;
  private final InstantSource clock;
  /** The configured routes; when there are none, the catalogue's models, which callers name instead. */
  private final List<Plan> judged;

  HealthRoutes(RoutePlanner planner, ProviderFleet fleet, Admission admission, ObjectMapper json, Replies replies,
      InstantSource clock) {
    this.fleet = fleet;
    this.view = fleet.view();
    this.admission = admission;
    this.json = json;
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
    return replies.json(StatusCodes.OK, json.createObjectNode().put("status", "live"), List.of());
  }

  private HttpResponse ready() {
    NodeReadiness readiness = readiness();
    if (readiness.ready()) {
      return replies.json(StatusCodes.OK, json.createObjectNode().put("status", "ready"), List.of());
    }
    ObjectNode body = json.createObjectNode().put("status", "unavailable")
        .put("reason", readiness.routes().isEmpty() ? "no route or model is configured"
            : "no route has a candidate that could be tried now");
    ObjectNode routes = body.putObject("routes");
    readiness.routes().forEach(route -> routes.put(route.route(), route.reason()));
    return replies.json(StatusCodes.SERVICE_UNAVAILABLE, body, List.of());
  }

  private HttpResponse health() {
    NodeReadiness readiness = readiness();
    ObjectNode health = json.createObjectNode().put("status", readiness.status().name().toLowerCase(Locale.ROOT));
    if (readiness.status() != NodeReadiness.Status.OK) {
      var unavailable = health.putArray("unavailable");
      readiness.unavailable().forEach(unavailable::add);
    }
    ObjectNode routes = health.putObject("routes");
    for (RouteReadiness route : readiness.routes()) {
      ObjectNode r = routes.putObject(route.route()).put("usable", route.usable()).put("candidates", route.candidates());
      if (route.reason() != null) r.put("reason", route.reason());
    }
    // What the node takes on: requests in progress against the bound.
    health.putObject("admission")
        .put("in_progress", admission.inProgress())
        .put("max_in_flight", admission.limit());
    ObjectNode breakers = health.putObject("breakers");
    var localHolds = view.localHolds();
    view.snapshot().forEach((scope, state) -> {
      ObjectNode b = breakers.putObject(scope.key()).put("circuit", state.circuit().name().toLowerCase(Locale.ROOT));
      if (state.circuit() == BreakerState.Circuit.OPEN || state.circuit() == BreakerState.Circuit.RECOVERING) {
        b.put("until", state.until().toString());
      }
      if (state.circuit() == BreakerState.Circuit.RECOVERING) b.put("share", state.share());
      if (state.cause() != null) b.put("cause", state.cause().name().toLowerCase(Locale.ROOT));
      if (state.reopens() > 0) b.put("reopens", state.reopens());
      if (localHolds.containsKey(scope)) {
        // Held open by this node alone, its owner unreachable: say so, and what the cluster last said.
        b.put("held", "locally").put("owner", "unreachable")
            .put("cluster_circuit", view.publishedStateOf(scope).circuit().name().toLowerCase(Locale.ROOT));
      }
    });
    return replies.json(StatusCodes.OK, health, List.of());
  }
}
