package detour.router.coordinator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import detour.router.config.Candidate;
import detour.router.config.CatalogueModel;
import detour.router.config.Plan;
import detour.router.coordinator.NodeReadiness.Status;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** A route counts the candidates it could try now; the node is ok, degraded or unavailable by its routes. */
class NodeReadinessTest {
  static final Candidate A = candidate("model-a");
  static final Candidate B = candidate("model-b");
  static final Plan BOTH = new Plan("both", List.of(A, B), Duration.ofSeconds(30), true);
  static final Plan ONLY_B = new Plan("only-b", List.of(B), Duration.ofSeconds(30), true);

  @Test
  void aRouteCountsItsUsableCandidatesAndGivesNoReasonWhileOneIs() {
    var route = RouteReadiness.of(BOTH, shut(Map.of("model-a", "circuit of provider a open until T")));
    assertEquals(new RouteReadiness("both", 2, 1, null), route);
    assertTrue(route.available());
  }

  @Test
  void aRouteWithNoneGivesEachCandidatesReasonInChainOrder() {
    var route = RouteReadiness.of(BOTH, shut(Map.of("model-a", "drained by an operator", "model-b", "no key")));
    assertEquals(new RouteReadiness("both", 2, 0, "model-a: drained by an operator; model-b: no key"), route);
    assertFalse(route.available());
  }

  @Test
  void everyRouteServableIsOk() {
    var node = judge(Map.of());
    assertEquals(Status.OK, node.status());
    assertTrue(node.ready());
    assertEquals(List.of(), node.unavailable());
  }

  @Test
  void someRouteWithoutACandidateIsDegradedAndNamed() {
    var node = judge(Map.of("model-b", "open"));
    assertEquals(Status.DEGRADED, node.status());
    assertTrue(node.ready(), "the other route can still be served");
    assertEquals(List.of("only-b"), node.unavailable());
    assertNull(node.routes().get(0).reason());
  }

  @Test
  void noRouteWithACandidateIsUnavailableAndNotReady() {
    var node = judge(Map.of("model-a", "open", "model-b", "open"));
    assertEquals(Status.UNAVAILABLE, node.status());
    assertFalse(node.ready());
    assertEquals(List.of("both", "only-b"), node.unavailable());
  }

  @Test
  void noRouteAtAllIsUnavailable() {
    assertEquals(Status.UNAVAILABLE, NodeReadiness.of(List.of()).status());
  }

  private static NodeReadiness judge(Map<String, String> reasons) {
    return NodeReadiness.of(List.of(RouteReadiness.of(BOTH, shut(reasons)), RouteReadiness.of(ONLY_B, shut(reasons))));
  }

  private static java.util.function.Function<Candidate, Optional<String>> shut(Map<String, String> reasons) {
    return candidate -> Optional.ofNullable(reasons.get(candidate.model().id()));
  }

  private static Candidate candidate(String id) {
    Candidate base = CandidateReadinessTest.candidate(Optional.empty());
    return new Candidate(new CatalogueModel(id, "p", id, 8_192), base.provider(), Optional.empty());
  }
}
