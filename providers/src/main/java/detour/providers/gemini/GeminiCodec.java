package detour.providers.gemini;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import detour.providers.client.ProtocolCodec;
import detour.providers.client.StreamTranslator;
import detour.providers.model.CallResult;
import detour.providers.model.ChatRequest;
import detour.providers.model.ProviderFailure;
import detour.providers.model.Secret;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.ZonedDateTime;
import java.util.Map;
import java.util.Optional;

/**
 * Google's Gemini API: {@code POST {base}/models/{model}:generateContent}, and {@code
 * :streamGenerateContent?alt=sse} for streams, the key in the {@code x-goog-api-key} header (never
 * in the URL, where access logs would keep it). Requests go out through {@link GeminiRequests},
 * answers come back through {@link GeminiAnswers} and {@link GeminiStreamTranslator}, errors are
 * read by {@link GeminiErrors}. Google serves the API at {@code
 * https://generativelanguage.googleapis.com/v1beta}, the provider's {@code base-url}.
 */
public final class GeminiCodec implements ProtocolCodec {
  private final Clock clock;

  public GeminiCodec() {
    this(Clock.systemUTC());
  }

  /** @param clock the time answers are stamped with ({@code created}) and error dates are read at */
  public GeminiCodec(Clock clock) {
    this.clock = clock;
  }

  @Override
  public Optional<String> cannotExpress(ChatRequest request) {
    try {
      GeminiRequests.translate(request.body(), false);  // signatures or not, the same verdict
      return Optional.empty();
    } catch (CannotExpress reason) {
      return Optional.of("Gemini cannot express " + reason.getMessage());
    }
  }

  /**
   * The model's resource name: {@code models/<id>}, or the name as configured when it already has
   * a collection ({@code tunedModels/<id>}).
   */
  @Override
  public String path(String upstreamModel, boolean stream) {
    String name = upstreamModel.contains("/") ? upstreamModel : "models/" + upstreamModel;
    String encoded = URLEncoder.encode(name, StandardCharsets.UTF_8).replace("%2F", "/");
    return "/" + encoded + (stream ? ":streamGenerateContent?alt=sse" : ":generateContent");
  }

  @Override
  public Map<String, String> headers(Optional<Secret> apiKey) {
    return apiKey.map(key -> Map.of("x-goog-api-key", key.reveal())).orElse(Map.<String, String>of());
  }

  /**
   * @throws IllegalArgumentException when the request holds what Gemini cannot express; {@link
   *     #cannotExpress} says so first, and such a request is not sent
   */
  @Override
  public ObjectNode requestBody(ChatRequest request, String upstreamModel, boolean stream) {
    try {
      return GeminiRequests.translate(request.body(), GeminiMessages.checksSignatures(upstreamModel));
    } catch (CannotExpress reason) {
      throw new IllegalArgumentException("Gemini cannot express " + reason.getMessage());
    }
  }

  @Override
  public CallResult answer(int status, JsonNode body, String upstreamModel) {
    return GeminiAnswers.answer(status, body, upstreamModel, clock);
  }

  @Override
  public ProviderFailure failure(int status, Optional<String> retryAfter, JsonNode body) {
    return GeminiErrors.failure(status, retryAfter, body, () -> ZonedDateTime.now(clock));
  }

  @Override
  public StreamTranslator streamTranslator(String upstreamModel) {
    return new GeminiStreamTranslator(upstreamModel, clock);
  }
}
