package detour.router.coordinator;

import detour.persistence.breaker.FailureKind;
import java.util.Optional;

/**
 * One line of a route trace: a candidate that was tried, or passed over and why.
 *
 * @param provider the provider's name
 * @param model the catalogue model id
 * @param result what came of it
 * @param status the upstream's HTTP status; 0 when none arrived or it was not tried
 * @param latencyMillis time spent on it; 0 when skipped
 * @param errorClass the failure's class, when it failed
 * @param detail the skip reason or the (scrubbed) error message; empty on success
 * @param probe whether it was the half-open circuit's probe
 * @param lastResort whether it was tried with its circuit open, because every candidate's was
 */
public record Attempt(
    String provider,
    String model,
    Result result,
    int status,
    long latencyMillis,
    Optional<FailureKind> errorClass,
    String detail,
    boolean probe,
    boolean lastResort) {

  public enum Result {
    ANSWERED, FAILED, SKIPPED;

    public String wireName() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  public boolean tried() {
    return result != Result.SKIPPED;
  }
}
