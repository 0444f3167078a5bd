package detour.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import detour.simulator.ErrorAnswer.Refused;
import detour.simulator.SimulatedAnswers.ChatRequest;
import java.io.IOException;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Anthropic Messages, {@code POST /v1/messages}. A request needs the {@code x-api-key} header (else
 * 401 {@code authentication_error}) and {@code anthropic-version} (else 400), and a body with
 * {@code model}, a positive {@code max_tokens} and a non-empty {@code messages} array (else 400
 * {@code invalid_request_error}). Answers are built by {@link AnthropicAnswers}, errors by {@link
 * AnthropicErrors}.
 *
 * <p>Prompt tokens: {@code 4 + tokens(text)} per message, where a message's text is its string
 * content or the text of its blocks (tool results' content included), plus the same for {@code
 * system} when present.
 */
final class AnthropicDialect implements Dialect {

  static final String PATH = "/v1/messages";

  static final AnthropicDialect INSTANCE = new AnthropicDialect();

  private AnthropicDialect() {}

  @Override
  public String name() {
    return "anthropic";
  }

  @Override
  public ChatRequest read(ChatCall call) throws Refused {
    if (call.header("x-api-key").isEmpty()) {
      throw refused(AnthropicErrors.authentication("x-api-key header is required"));
    }
    if (call.header("anthropic-version").isEmpty()) {
      throw refused(AnthropicErrors.invalidRequest("anthropic-version: header is required"));
    }
    JsonNode root;
    try {
      root = SimulatorJson.MAPPER.readTree(call.body());
    } catch (IOException e) {
      throw invalid("The request body is not valid JSON.");
    }
    if (root == null || !root.isObject()) {
      throw invalid("The request body must be a JSON object.");
    }
    JsonNode model = root.get("model");
    if (model == null || !model.isTextual()) {
      throw invalid("model: Field required");
    }
    JsonNode maxTokens = root.get("max_tokens");
    if (maxTokens == null || maxTokens.isNull()) {
      throw invalid("max_tokens: Field required");
    }
    if (!maxTokens.isIntegralNumber() || !maxTokens.canConvertToInt() || maxTokens.intValue() < 1) {
      throw invalid("max_tokens: expected a positive integer, got " + maxTokens);
    }
    JsonNode messages = root.get("messages");
    if (messages == null || !messages.isArray() || messages.isEmpty()) {
      throw invalid("messages: a non-empty array of messages is required");
    }
    JsonNode stream = root.get("stream");
    if (stream != null && !stream.isNull() && !stream.isBoolean()) {
      throw invalid("stream: Input should be a valid boolean");
    }

    int promptTokens = 0;
    for (JsonNode message : messages) {
      promptTokens += tokens(message.get("content"));
    }
    JsonNode system = root.get("system");
    if (system != null && !system.isNull()) {
      promptTokens += tokens(system);
    }
    Optional<ToolSpec> tool = firstTool(root.get("tools"));
    if (endsWithToolResult(messages.get(messages.size() - 1))) {
      tool = Optional.empty();
    }
    return new ChatRequest(
        model.asText(),
        messages.size(),
        promptTokens,
        OptionalInt.of(maxTokens.intValue()),
        stream != null && stream.asBoolean(),
        false,
        tool);
  }

  @Override
  public byte[] answer(Reply reply) {
    return SimulatedAnswers.bytes(AnthropicAnswers.message(reply));
  }

  @Override
  public StreamScript stream(Reply reply, ChatRequest request, StreamShape shape) {
    return AnthropicAnswers.script(reply, shape.chunks());
  }

  @Override
  public ErrorAnswer error(int status, String instance) {
    return AnthropicErrors.forStatus(status, instance);
  }

  @Override
  public ErrorAnswer rateLimited(String instance, OptionalInt retryAfterSeconds) {
    return AnthropicErrors.rateLimited(instance, retryAfterSeconds);
  }

  @Override
  public ErrorAnswer contextLength(int promptTokens, OptionalInt limitTokens) {
    int limit = limitTokens.orElse(AnthropicErrors.DEFAULT_CONTEXT_TOKENS);
    return AnthropicErrors.contextLength(limit + promptTokens, limit);
  }

  @Override
  public ErrorAnswer overloaded(String instance) {
    return AnthropicErrors.overloaded();
  }

  @Override
  public ErrorAnswer echoed(int status, String text) {
    return ErrorAnswer.echoed(status, SimulatedAnswers.bytes(AnthropicErrors.envelope(text, text)), text);
  }

  /** {@code 4 + tokens(text)} for a message content or a system prompt. */
  private static int tokens(JsonNode content) {
    return SimulatedAnswers.TOKENS_PER_MESSAGE + SimulatedAnswers.tokens(textLength(content));
  }

  /** The length of a string, or of the text of blocks, tool results' content included. */
  private static int textLength(JsonNode content) {
    int length = SimulatedAnswers.contentLength(content);
    if (content != null && content.isArray()) {
      for (JsonNode block : content) {
        if (block.has("content")) {
          length += SimulatedAnswers.contentLength(block.get("content"));
        }
      }
    }
    return length;
  }

  private static Optional<ToolSpec> firstTool(JsonNode tools) throws Refused {
    if (tools == null || tools.isNull()) {
      return Optional.empty();
    }
    if (!tools.isArray()) {
      throw invalid("tools: Input should be a valid list");
    }
    if (tools.isEmpty()) {
      return Optional.empty();
    }
    JsonNode name = tools.get(0).get("name");
    if (name == null || !name.isTextual()) {
      throw invalid("tools.0.name: Field required");
    }
    return Optional.of(ToolSpec.of(name.asText(), tools.get(0).get("input_schema")));
  }

  private static boolean endsWithToolResult(JsonNode message) {
    JsonNode content = message.get("content");
    if (content != null && content.isArray()) {
      for (JsonNode block : content) {
        if (block.path("type").asText("").equals("tool_result")) {
          return true;
        }
      }
    }
    return false;
  }

  private static Refused invalid(String message) {
    return refused(AnthropicErrors.invalidRequest(message));
  }

  private static Refused refused(ErrorAnswer answer) {
    return new Refused(answer);
  }
}
