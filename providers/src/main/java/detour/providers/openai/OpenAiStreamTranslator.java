package detour.providers.openai;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import detour.persistence.breaker.FailureKind;
import detour.providers.client.FailureClassifier;
import detour.providers.client.StreamEventData;
import detour.providers.client.StreamTranslator;
import detour.providers.model.ProviderFailure;
import detour.providers.model.ProviderStreamException;
import detour.providers.sse.SseEvent;
import java.util.List;

/**
 * An OpenAI stream is already in the canonical form: chunks pass through as they are. This checks
 * that each is a chunk, turns an in-stream {@code error} into a failure, and insists on the closing
 * {@code data: [DONE]}, without which the answer was cut short.
 */
final class OpenAiStreamTranslator implements StreamTranslator {
  private boolean done;
  private int chunks;

  @Override
  public List<ObjectNode> onEvent(SseEvent event) {
    if (event.data().equals("[DONE]")) {
      done = true;
      return List.of();
    }
    JsonNode parsed = StreamEventData.parse(event.data(), false, chunks);
    if (parsed.has("error")) {
      JsonNode error = parsed.path("error");
      throw new ProviderStreamException(FailureClassifier.inStream(
          error.path("code").asText(error.path("type").asText("")), error.path("message").asText("")));
    }
    if (!(parsed instanceof ObjectNode chunk) || !chunk.path("choices").isArray()) {
      throw new ProviderStreamException(ProviderFailure.of(FailureKind.SERVER_ERROR, 200,
          "the stream sent an event that is not a chat completion chunk after " + chunks + " chunks"));
    }
    chunks++;
    return List.of(chunk);
  }

  @Override
  public List<ObjectNode> onClose() {
    if (!done) {
      throw new ProviderStreamException(ProviderFailure.of(FailureKind.CONNECTION_RESET, 200,
          "the stream ended without [DONE] after " + chunks + " chunks"));
    }
    return List.of();
  }
}
