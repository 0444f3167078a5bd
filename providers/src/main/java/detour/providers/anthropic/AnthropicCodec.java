package detour.providers.anthropic;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import detour.providers.client.ProtocolCodec;
import detour.providers.client.StreamTranslator;
import detour.providers.model.CallResult;
import detour.providers.model.ChatRequest;
import detour.providers.model.ProviderFailure;
import detour.providers.model.Secret;
import java.time.InstantSource;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Anthropic's Messages API: {@code POST <base-url>/messages}, authenticated by {@code x-api-key},
 * with the API version in {@code anthropic-version}. Requests, answers, streams and errors are
 * translated by the classes of this package, each doing one of them.
 */
public final class AnthropicCodec implements ProtocolCodec {
  /** Where Anthropic's API lives: the base URL to configure for an {@code anthropic} provider. */
  public static final String DEFAULT_BASE_URL = "https://api.anthropic.com/v1";
  /** The API version every call names; the request and answer shapes here are this version's. */
  public static final String API_VERSION = "2023-06-01";

  private final InstantSource clock;

  public AnthropicCodec() {
    this(InstantSource.system());
  }

  /** @param clock gives the {@code created} time of answers, which Anthropic does not send */
  AnthropicCodec(InstantSource clock) {
    this.clock = clock;
  }

  @Override
  public Optional<String> cannotExpress(ChatRequest request) {
    return AnthropicLimits.cannotExpress(request.body());
  }

  @Override
  public String path(String upstreamModel, boolean stream) {
    return "/messages";
  }

  @Override
  public Map<String, String> headers(Optional<Secret> apiKey) {
    Map<String, String> headers = new LinkedHashMap<>();
    apiKey.ifPresent(key -> headers.put("x-api-key", key.reveal()));
    headers.put("anthropic-version", API_VERSION);
    return Map.copyOf(headers);
  }

  @Override
  public ObjectNode requestBody(ChatRequest request, String upstreamModel, boolean stream) {
    return AnthropicRequests.body(request.body(), upstreamModel, stream);
  }

  @Override
  public CallResult answer(int status, JsonNode body, String upstreamModel) {
    return AnthropicAnswers.completion(status, body, upstreamModel, clock.instant().getEpochSecond());
  }

  @Override
  public ProviderFailure failure(int status, Optional<String> retryAfter, JsonNode body) {
    return AnthropicErrors.failure(status, retryAfter, body,
        () -> ZonedDateTime.ofInstant(clock.instant(), ZoneOffset.UTC));
  }

  @Override
  public StreamTranslator streamTranslator(String upstreamModel) {
    return new AnthropicStreamTranslator(upstreamModel, clock);
  }
}
