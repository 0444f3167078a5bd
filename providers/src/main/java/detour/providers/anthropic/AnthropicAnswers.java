package detour.providers.anthropic;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import detour.providers.model.CallResult;
import detour.providers.model.ChatResponse;
import detour.providers.model.ProviderFailure;
import detour.providers.model.Usage;

/**
 * Reads a whole Anthropic {@code Message} as an OpenAI {@code chat.completion}: text blocks are
 * the content, {@code tool_use} blocks the tool calls, and Detour's own JSON tool (see {@link
 * AnthropicRequests#JSON_TOOL}) the content again. Thinking and server-tool blocks have no place in
 * a chat completion and are dropped.
 */
final class AnthropicAnswers {
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private AnthropicAnswers() {}

  /**
   * @param created the completion's creation time, in seconds since the epoch (Anthropic gives none)
   */
  static CallResult completion(int status, JsonNode body, String upstreamModel, long created) {
    if (!body.isObject() || !body.path("content").isArray()
        || !body.path("type").asText("message").equals("message")) {
      return new CallResult.Failed(ProviderFailure.notAnAnswer(status, "Anthropic message"));
    }
    StringBuilder text = new StringBuilder();
    boolean hasText = false;
    ArrayNode calls = NODES.arrayNode();
    for (JsonNode block : body.path("content")) {
      switch (block.path("type").asText("")) {
        case "text" -> {
          text.append(block.path("text").asText(""));
          hasText = true;
        }
        case "tool_use" -> {
          String input = block.path("input").isMissingNode() ? "{}" : block.path("input").toString();
          if (block.path("name").asText("").equals(AnthropicRequests.JSON_TOOL)) {
            text.append(input);
            hasText = true;
          } else {
            ObjectNode call = calls.addObject().put("id", block.path("id").asText("")).put("type", "function");
            call.putObject("function").put("name", block.path("name").asText("")).put("arguments", input);
          }
        }
        default -> { }  // thinking, redacted_thinking, server tools: nothing an OpenAI caller reads
      }
    }
    ObjectNode completion = NODES.objectNode()
        .put("id", body.path("id").asText(""))
        .put("object", "chat.completion")
        .put("created", created)
        .put("model", body.path("model").asText(upstreamModel));
    ObjectNode choice = completion.putArray("choices").addObject().put("index", 0);
    ObjectNode message = choice.putObject("message").put("role", "assistant");
    if (hasText || calls.isEmpty()) {
      message.put("content", text.toString());
    } else {
      message.putNull("content");
    }
    if (!calls.isEmpty()) message.set("tool_calls", calls);
    choice.putNull("logprobs");
    String stopReason = body.path("stop_reason").isTextual() ? body.path("stop_reason").asText() : null;
    choice.put("finish_reason", AnthropicStopReasons.finishReason(stopReason, !calls.isEmpty()));
    Usage usage = AnthropicUsage.of(body.path("usage"));
    usage.writeOpenAi(completion.putObject("usage"));
    return new CallResult.Answered(new ChatResponse(completion, usage));
  }
}
