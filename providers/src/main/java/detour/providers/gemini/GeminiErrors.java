package detour.providers.gemini;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import detour.persistence.breaker.FailureKind;
import detour.providers.client.FailureClassifier;
import detour.providers.model.ProviderFailure;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.ZonedDateTime;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Classifies Gemini's error answers, {@code {"error": {"code", "message", "status", "details"}}}
 * (Google's {@code google.rpc.Status}; some Google front ends wrap it in a one-element array), by
 * {@link FailureClassifier} with the canonical status name as the error type, after two
 * corrections the HTTP status alone gets wrong:
 *
 * <ul>
 *   <li>a key Google does not accept is a 400 {@code INVALID_ARGUMENT} with the {@code ErrorInfo}
 *       reason {@code API_KEY_INVALID}: that is AUTH, our key's fault, not the caller's;
 *   <li>a 400 {@code FAILED_PRECONDITION} about billing (the free tier is not offered where we call
 *       from) is QUOTA: no request will pass until billing is set up; one saying that our location
 *       is not supported is AUTH: Google refuses this deployment, whatever the request.
 * </ul>
 *
 * <p>Gemini says how long to wait in a {@code google.rpc.RetryInfo} detail ({@code "retryDelay":
 * "30s"}) rather than a Retry-After header; it is used when no header came.
 */
final class GeminiErrors {
  private static final String RETRY_INFO = "type.googleapis.com/google.rpc.RetryInfo";
  private static final String ERROR_INFO = "type.googleapis.com/google.rpc.ErrorInfo";

  private GeminiErrors() {}

  static ProviderFailure failure(
      int status, Optional<String> retryAfter, JsonNode body, Supplier<ZonedDateTime> now) {
    JsonNode error = (body.isArray() ? body.path(0) : body).path("error");
    String type = error.path("status").asText("");
    String message = error.path("message").asText("");
    String reason = detail(error, ERROR_INFO).path("reason").asText("");
    if (reason.startsWith("API_KEY_") || message.startsWith("API key not valid")
        || message.startsWith("API key expired")) {
      return new ProviderFailure(FailureKind.AUTH, status, message, type, Optional.empty());
    }
    String lower = message.toLowerCase(Locale.ROOT);
    if (type.equals("FAILED_PRECONDITION") && lower.contains("billing")) {
      return new ProviderFailure(FailureKind.QUOTA, status, message, type, Optional.empty());
    }
    if (type.equals("FAILED_PRECONDITION") && lower.contains("location is not supported")) {
      return new ProviderFailure(FailureKind.AUTH, status, message, type, Optional.empty());
    }
    String wait = retryAfter.filter(header -> !header.isBlank())
        .or(() -> retryDelaySeconds(error))
        .orElse(null);
    return FailureClassifier.fromError(status, wait, type, message, now);
  }

  /**
   * The {@code retryDelay} of a RetryInfo detail, in whole seconds rounded up, as Retry-After's
   * delay-seconds. It is a protobuf Duration in JSON: decimal seconds and an {@code s}.
   */
  static Optional<String> retryDelaySeconds(JsonNode error) {
    String delay = detail(error, RETRY_INFO).path("retryDelay").asText("").trim();
    if (!delay.endsWith("s")) return Optional.empty();
    try {
      BigDecimal seconds = new BigDecimal(delay.substring(0, delay.length() - 1));
      if (seconds.signum() < 0) return Optional.empty();
      return Optional.of(seconds.setScale(0, RoundingMode.CEILING).toPlainString());
    } catch (NumberFormatException | ArithmeticException notADuration) {
      return Optional.empty();
    }
  }

  private static JsonNode detail(JsonNode error, String type) {
    for (JsonNode detail : error.path("details")) {
      if (detail.path("@type").asText("").equals(type)) return detail;
    }
    return MissingNode.getInstance();
  }
}
