package detour.router.http;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Map;

/**
 * {@code GET /health}: the node's status, what is unavailable when it is not ok, every route's and
 * every breaker's state, and what the node takes on. Fields that do not apply are left out.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
record HealthBody(
    String status,
    List<String> unavailable,
    Map<String, Route> routes,
    AdmissionReport admission,
    Map<String, Breaker> breakers) {

  @JsonInclude(JsonInclude.Include.NON_NULL)
  record Route(int usable, int candidates, String reason) {}

  /**
   * A breaker as this node sees it; {@code held}, {@code owner} and {@code cluster_circuit} only
   * when this node alone holds it open, its owner unreachable.
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  record Breaker(
      String circuit,
      String until,
      Double share,
      String cause,
      Integer reopens,
      String held,
      String owner,
      @JsonProperty("cluster_circuit") String clusterCircuit) {}
}
