package detour.providers.model;

import detour.persistence.breaker.FailureKind;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * How one upstream call failed, as a value: an upstream 503 is an outcome, not an exception.
 *
 * @param kind the class the breaker and the coordinator both act on
 * @param status the upstream's HTTP status, 0 when none arrived (refused, reset, timeout)
 * @param message what went wrong, scrubbed of secrets and shortened; never prompt text
 * @param errorType the upstream's own error type or code when it gave one as a short token (see
 *     {@link SecretScrubber#token}), else empty
 * @param retryAfter how long the upstream asked us to wait, when it said so
 */
public record ProviderFailure(
    FailureKind kind, int status, String message, String errorType, Optional<Duration> retryAfter) {

  /**
   * The one place an upstream's error text enters Detour: whatever codec, classifier or stream
   * translator read it, it is scrubbed here before anything (a reply, a log line, the journal) sees it.
   */
  public ProviderFailure {
    Objects.requireNonNull(kind, "kind");
    message = SecretScrubber.scrub(message == null ? "" : message);
    errorType = SecretScrubber.token(errorType);
    retryAfter = retryAfter == null ? Optional.empty() : retryAfter;
  }

  public static ProviderFailure of(FailureKind kind, int status, String message) {
    return new ProviderFailure(kind, status, message, "", Optional.empty());
  }

  /** A 2xx answer whose body is not an answer of the protocol: the provider's fault. */
  public static ProviderFailure notAnAnswer(int status, String protocol) {
    return of(FailureKind.SERVER_ERROR, status,
        "the provider answered " + status + " with a body that is not a " + protocol + " answer");
  }
}
