package detour.router.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import akka.http.javadsl.model.StatusCodes;
import com.fasterxml.jackson.databind.ObjectMapper;
import detour.persistence.breaker.BreakerScope;
import detour.persistence.breaker.FailureKind;
import detour.providers.breaker.BreakerReport;
import detour.providers.breaker.BreakerState;
import detour.providers.breaker.WindowStats;
import detour.router.coordinator.Attempt;
import detour.router.coordinator.RouteTrace;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import org.junit.jupiter.api.Test;

/** Detour's own JSON, written from records, byte for byte as callers and SDKs read it. */
class DetourJsonBodiesTest {
  static final ObjectMapper json = new ObjectMapper();

  @Test
  void anErrorWritesParamAndCodeEvenWhenNullAndNoTraceWhenThereIsNone() throws Exception {
    var error = new ApiError(StatusCodes.SERVICE_UNAVAILABLE, "busy", "server_error", null, null);
    assertEquals("{\"error\":{\"message\":\"busy\",\"type\":\"server_error\",\"param\":null,\"code\":null}}",
        json.writeValueAsString(ErrorBody.of(error)));
  }

  @Test
  void theTraceLeavesOutWhatDoesNotApplyAndNamesTheAnswererLast() throws Exception {
    var skipped = new Attempt("a", "m1", Attempt.Result.SKIPPED, 0, 0, Optional.empty(), Optional.empty(),
        "circuit open", false, false, false, false, Optional.empty());
    var failed = new Attempt("b", "m2", Attempt.Result.FAILED, 503, 12, Optional.of(FailureKind.OVERLOADED),
        Optional.empty(), "", true, false, true, true, Optional.of(new Attempt.AtRisk(40, OptionalDouble.of(0.5))));
    var trace = new RouteTrace("r-1", "default", List.of(skipped, failed), 30);
    assertEquals("{\"request_id\":\"r-1\",\"route\":\"default\",\"attempts\":["
            + "{\"provider\":\"a\",\"model\":\"m1\",\"result\":\"skipped\",\"detail\":\"circuit open\"},"
            + "{\"provider\":\"b\",\"model\":\"m2\",\"result\":\"failed\",\"status\":503,\"latency_ms\":12,"
            + "\"error_class\":\"overloaded\",\"probe\":true,\"hedge\":true,\"may_have_executed\":true,"
            + "\"prompt_tokens_at_risk\":40,\"cost_usd_at_risk\":0.5}],"
            + "\"latency_ms\":30,\"provider\":\"c\",\"model\":\"m3\"}",
        json.writeValueAsString(TraceBody.of(trace).answeredBy("c", "m3")));
  }

  @Test
  void theModelListIsOpenAisShape() throws Exception {
    assertEquals("{\"object\":\"list\",\"data\":[{\"id\":\"default\",\"object\":\"model\",\"created\":0,"
        + "\"owned_by\":\"detour\"}]}", json.writeValueAsString(ModelList.of(List.of("default"))));
  }

  @Test
  void theBreakerListingWritesEachReportAndEachBreakerThatDidNotAnswer() throws Exception {
    var report = new BreakerReport(BreakerScope.model("a", "m1"), BreakerState.CLOSED,
        new WindowStats(3, 1, 0, 2, Map.of(FailureKind.OVERLOADED, 1)), Optional.empty(), Optional.empty());
    var listing = new AdminBodies.Listing(List.of(AdminBodies.Report.of(report, json),
        new AdminBodies.Unanswered("b", "did not answer within 2 s: timeout")));
    assertEquals("{\"breakers\":[{\"breaker\":\"a/m1\",\"provider\":\"a\",\"model\":\"m1\","
            + "\"state\":{\"circuit\":\"closed\",\"share\":1.0,\"reopens\":0},"
            + "\"window\":{\"calls\":3,\"faults\":1,\"rate_limits\":0,\"slow_calls\":2,"
            + "\"faults_by_class\":{\"overloaded\":1}}},"
            + "{\"breaker\":\"b\",\"unavailable\":\"did not answer within 2 s: timeout\"}]}",
        json.writeValueAsString(listing));
  }

  @Test
  void aClosedBreakerInHealthShowsItsCircuitAlone() throws Exception {
    var closed = new HealthBody.Breaker("closed", null, null, null, null, null, null, null);
    assertEquals("{\"circuit\":\"closed\"}", json.writeValueAsString(closed));
  }
}
