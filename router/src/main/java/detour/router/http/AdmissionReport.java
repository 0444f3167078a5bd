package detour.router.http;

import com.fasterxml.jackson.annotation.JsonProperty;
import detour.router.coordinator.Admission;

/** What the node takes on, in {@code /health}: requests in progress against the bound, and the share refused for load. */
record AdmissionReport(
    @JsonProperty("in_progress") int inProgress,
    @JsonProperty("max_in_flight") int maxInFlight,
    @JsonProperty("shed_share") double shedShare,
    @JsonProperty("shed_total") long shedTotal,
    @JsonProperty("queue_delay_ms") double queueDelayMs) {

  static AdmissionReport of(Admission admission) {
    return new AdmissionReport(admission.inProgress(), admission.limit(),
        Math.round(admission.shedding().share() * 100) / 100.0,
        admission.shedding().refused(),
        Math.round(admission.shedding().lastDelayNanos() / 1e4) / 100.0);
  }
}
