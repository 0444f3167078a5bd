package detour.persistence.breaker;

import java.util.Map;
import java.util.Objects;

/**
 * Why a breaker moved: what it had counted when it decided. Text has been scrubbed of secrets and
 * shortened before it gets here; prompt and completion text never do.
 *
 * @param consecutiveFaults provider faults in a row at the decision
 * @param faultsByKind provider faults counted since the breaker last closed, by class
 * @param sampleStatus the HTTP status of the last fault, 0 when there was none (a timeout, a reset)
 * @param sampleMessage the last fault's error message, scrubbed; empty when there was none
 */
public record Evidence(
    int consecutiveFaults, Map<FailureKind, Integer> faultsByKind, int sampleStatus, String sampleMessage) {

  public Evidence {
    faultsByKind = Map.copyOf(Objects.requireNonNull(faultsByKind, "faultsByKind"));
    sampleMessage = sampleMessage == null ? "" : sampleMessage;
  }

  public static Evidence none() {
    return new Evidence(0, Map.of(), 0, "");
  }
}
