package detour.providers.anthropic;

import com.fasterxml.jackson.databind.JsonNode;
import detour.providers.client.FailureClassifier;
import detour.providers.model.ProviderFailure;
import java.time.ZonedDateTime;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Classifies an Anthropic error answer, {@code {"type":"error","error":{"type":...,"message":...}}},
 * by its status, type and message (see {@link FailureClassifier}). A body that is not JSON (a
 * proxy's 413 page) is classified by its status alone.
 */
final class AnthropicErrors {
  private AnthropicErrors() {}

  static ProviderFailure failure(
      int status, Optional<String> retryAfter, JsonNode body, Supplier<ZonedDateTime> now) {
    JsonNode error = body.path("error");
    return FailureClassifier.fromError(status, retryAfter.orElse(null), error.path("type").asText(""),
        error.path("message").asText(""), now);
  }
}
