package detour.providers.openai;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import detour.providers.client.FailureClassifier;
import detour.providers.client.ProtocolCodec;
import detour.providers.client.StreamTranslator;
import detour.providers.model.CallResult;
import detour.providers.model.ChatRequest;
import detour.providers.model.ChatResponse;
import detour.providers.model.ProviderFailure;
import detour.providers.model.Secret;
import detour.providers.model.Usage;
import java.time.ZonedDateTime;
import java.util.Map;
import java.util.Optional;

/**
 * OpenAI's chat completions, which is also Detour's canonical form: requests go out as the caller
 * wrote them, with only the model renamed, and answers come back as they are. Serves {@code
 * openai} and {@code openai-compatible} providers alike.
 */
public final class OpenAiCodec implements ProtocolCodec {
  @Override
  public String path(String upstreamModel, boolean stream) {
    return "/chat/completions";
  }

  @Override
  public Map<String, String> headers(Optional<Secret> apiKey) {
    return apiKey.map(key -> Map.of("Authorization", "Bearer " + key.reveal())).orElse(Map.<String, String>of());
  }

  @Override
  public ObjectNode requestBody(ChatRequest request, String upstreamModel, boolean stream) {
    ObjectNode body = request.bodyFor(upstreamModel);
    if (stream) {
      body.put("stream", true);
      // Asked for always, so that every stream's tokens are accounted for; the router passes the
      // usage chunk on only to callers who asked for it.
      body.putObject("stream_options").put("include_usage", true);
    } else {
      body.remove("stream");
      body.remove("stream_options");  // OpenAI refuses stream_options without stream
    }
    return body;
  }

  @Override
  public CallResult answer(int status, JsonNode body, String upstreamModel) {
    if (!(body instanceof ObjectNode answer) || !answer.path("choices").isArray()) {
      return new CallResult.Failed(ProviderFailure.notAnAnswer(status, "chat completion"));
    }
    return new CallResult.Answered(new ChatResponse(answer, Usage.fromOpenAi(answer.path("usage"))));
  }

  @Override
  public ProviderFailure failure(int status, Optional<String> retryAfter, JsonNode body) {
    return FailureClassifier.fromStatus(status, retryAfter.orElse(null), body, ZonedDateTime::now);
  }

  @Override
  public StreamTranslator streamTranslator(String upstreamModel) {
    return new OpenAiStreamTranslator();
  }
}
