package detour.router.http;

import com.fasterxml.jackson.annotation.JsonProperty;
import detour.router.coordinator.Admission;

/** What the node takes on, in {@code /health}: requests in progress against the bound. */
record AdmissionReport(
    @JsonProperty("in_progress") int inProgress,
    @JsonProperty("max_in_flight") int maxInFlight) {

  static AdmissionReport of(Admission admission) {
    return new AdmissionReport(admission.inProgress(), admission.limit());
  }
}
