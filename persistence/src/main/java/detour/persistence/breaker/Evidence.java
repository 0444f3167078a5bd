package detour.persistence.breaker;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * Why a breaker opened: what it had counted when it decided. Text has been scrubbed of secrets and
 * shortened before it gets here; prompt and completion text never do.
 *
 * @param reason the rule that fired
 * @param windowCalls calls in the breaker's window at the decision
 * @param faultsByKind provider faults in the window, by class (rate limits included)
 * @param slowCalls answers in the window slower than {@code slow-call-duration}
 * @param consecutiveFaults provider faults in a row (rate limits aside) at the decision
 * @param consecutiveRateLimits 429s in a row at the decision
 * @param sampleStatus the HTTP status of the last fault, 0 when none arrived (a timeout, a reset)
 * @param sampleMessage the last fault's error message, scrubbed; empty when there was none
 * @param cooldown the open period chosen (growth, jitter and any Retry-After applied)
 * @param retryAfter the longest Retry-After the provider asked for in the window; zero if none
 */
public record Evidence(
    TripReason reason,
    int windowCalls,
    Map<FailureKind, Integer> faultsByKind,
    int slowCalls,
    int consecutiveFaults,
    int consecutiveRateLimits,
    int sampleStatus,
    String sampleMessage,
    Duration cooldown,
    Duration retryAfter) {

  public Evidence {
    Objects.requireNonNull(reason, "reason");
    faultsByKind = Map.copyOf(Objects.requireNonNull(faultsByKind, "faultsByKind"));
    sampleMessage = sampleMessage == null ? "" : sampleMessage;
    cooldown = cooldown == null ? Duration.ZERO : cooldown;
    retryAfter = retryAfter == null ? Duration.ZERO : retryAfter;
  }

  /** The same evidence with the open period that was finally chosen. */
  public Evidence withCooldown(Duration chosen) {
    return new Evidence(reason, windowCalls, faultsByKind, slowCalls, consecutiveFaults, consecutiveRateLimits,
        sampleStatus, sampleMessage, chosen, retryAfter);
  }
}
