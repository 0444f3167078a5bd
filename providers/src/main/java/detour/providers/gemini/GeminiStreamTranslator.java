package detour.providers.gemini;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import detour.persistence.breaker.FailureKind;
import detour.providers.client.FailureClassifier;
import detour.providers.client.StreamEventData;
import detour.providers.client.StreamTranslator;
import detour.providers.model.ChunkWriter;
import detour.providers.model.ProviderFailure;
import detour.providers.model.ProviderStreamException;
import detour.providers.sse.SseEvent;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Turns {@code streamGenerateContent?alt=sse} into OpenAI chunks. Each event's data is a whole
 * {@code GenerateContentResponse} holding the next piece of the first candidate: the first event
 * opens with the role chunk, text parts become content chunks, a {@code functionCall} part (Gemini
 * sends each whole) becomes a tool call's start and all its arguments at once, and the event with
 * a {@code finishReason} gives the finish chunk. Gemini sends no {@code [DONE]}: a stream is
 * complete once a finish reason arrived, cut short otherwise. Usage comes on many events; the last
 * one seen becomes the usage chunk that ends the stream.
 */
final class GeminiStreamTranslator implements StreamTranslator {
  private final String upstreamModel;
  private final Clock clock;
  private ChunkWriter writer;
  private GeminiAnswers.Ids ids;
  private JsonNode usage;
  private boolean finished;
  private boolean calledFunctions;
  private int toolCalls;
  private int events;

  GeminiStreamTranslator(String upstreamModel, Clock clock) {
    this.upstreamModel = upstreamModel;
    this.clock = clock;
  }

  @Override
  public List<ObjectNode> onEvent(SseEvent event) {
    JsonNode response = parse(event.data());
    JsonNode error = response.path("error");
    if (!error.isMissingNode()) {
      throw new ProviderStreamException(FailureClassifier.inStream(
          error.path("status").asText(""), error.path("message").asText("")));
    }
    if (!response.isObject()) {
      throw new ProviderStreamException(ProviderFailure.of(FailureKind.SERVER_ERROR, 200,
          "the stream sent an event that is not a Gemini response after " + events + " chunks"));
    }
    events++;
    if (response.path("usageMetadata").isObject()) usage = response.get("usageMetadata");
    Optional<ProviderFailure> blocked = GeminiAnswers.blockedPrompt(response, 200);
    if (blocked.isPresent()) throw new ProviderStreamException(blocked.get());
    JsonNode candidate = response.path("candidates").path(0);
    if (candidate.isMissingNode() || finished) return List.of();  // usage only, or after the end

    List<ObjectNode> chunks = new ArrayList<>();
    if (writer == null) {
      ids = GeminiAnswers.Ids.of(response);
      writer = new ChunkWriter(ids.completionId(), clock.instant().getEpochSecond(),
          GeminiAnswers.modelOf(response, upstreamModel));
      chunks.add(writer.role());
    }
    for (JsonNode part : candidate.path("content").path("parts")) {
      if (GeminiAnswers.isAnswerText(part)) {
        String text = part.get("text").asText();
        if (!text.isEmpty()) chunks.add(writer.content(text));
      } else if (part.has("functionCall")) {
        chunks.addAll(toolCall(part));
      }
    }
    String finishReason = candidate.path("finishReason").asText("");
    if (!finishReason.isEmpty() && !finishReason.equals("FINISH_REASON_UNSPECIFIED")) {
      chunks.add(writer.finish(GeminiAnswers.finishReason(finishReason, calledFunctions)));
      finished = true;
    }
    return chunks;
  }

  @Override
  public List<ObjectNode> onClose() {
    if (!finished) {
      throw new ProviderStreamException(ProviderFailure.of(FailureKind.CONNECTION_RESET, 200,
          "the stream ended without a finishReason after " + events + " chunks"));
    }
    if (usage == null) return List.of();
    ObjectNode chunk = writer.usage(GeminiAnswers.usage(usage));
    GeminiAnswers.reasoningTokensInto(usage, (ObjectNode) chunk.get("usage"));
    return List.of(chunk);
  }

  /** A whole function call: its start, then all its arguments in one fragment. */
  private List<ObjectNode> toolCall(JsonNode part) {
    calledFunctions = true;
    int index = toolCalls++;
    ObjectNode call = GeminiAnswers.toolCall(part, ids.callId(index));
    String name = call.path("function").path("name").asText();
    ObjectNode start = writer.toolCallStart(index, call.get("id").asText(), name);
    if (call.has("extra_content")) {
      ArrayNode deltaCalls = (ArrayNode) start.get("choices").get(0).get("delta").get("tool_calls");
      ((ObjectNode) deltaCalls.get(0)).set("extra_content", call.get("extra_content"));
    }
    return List.of(start, writer.toolCallArguments(index, call.path("function").path("arguments").asText()));
  }

  private JsonNode parse(String data) {
    return StreamEventData.parse(data, false, events);
  }
}
