package detour.providers.simulator;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.OptionalInt;

/**
 * Reads an OpenAI chat-completions request and builds the simulator's deterministic {@code
 * chat.completion} answer with realistic usage counts.
 *
 * <p>The answer never echoes the prompt; it says which instance answered and to how many messages,
 * e.g. {@code Simulated answer from sim instance 'a' to 2 messages.}
 *
 * <p>Token counts follow a fixed, documented approximation of OpenAI's tokenizer:
 *
 * <ul>
 *   <li>{@code tokens(text) = ceil(chars(text) / 4)} (UTF-16 chars; 0 for empty text);
 *   <li>{@code prompt_tokens = sum over messages of (4 + tokens(content))}, where a message's
 *       content is its {@code content} string, or the concatenated {@code text} of its content
 *       parts, or empty;
 *   <li>{@code completion_tokens = tokens(answer)}, capped by {@code max_completion_tokens} (or
 *       else {@code max_tokens}) when the request sets one: the answer is then cut to {@code 4 *
 *       cap} characters and {@code finish_reason} is {@code "length"} instead of {@code "stop"};
 *   <li>{@code total_tokens = prompt_tokens + completion_tokens}.
 * </ul>
 */
public final class SimulatedAnswers {

  /** Tokens charged per message on top of its content, as OpenAI's chat format roughly does. */
  public static final int TOKENS_PER_MESSAGE = 4;

  /** The model named in answers to requests that name none. */
  public static final String DEFAULT_MODEL = "sim-model";

  private SimulatedAnswers() {}

  /** What the simulator needs from a valid chat request. */
  public record ChatRequest(
      String model, int messageCount, int promptTokens, OptionalInt maxTokens) {}

  /** A chat request the simulator refuses with 400; {@code param} names the field, or is null. */
  public static final class InvalidChatRequest extends Exception {
    private final String param;

    InvalidChatRequest(String message, String param) {
      super(message, null, false, false);
      this.param = param;
    }

    /** The offending request field, or null. */
    public String param() {
      return param;
    }
  }

  /**
   * Validates a request body minimally: JSON object, non-empty {@code messages} array, and positive
   * integer token caps when present.
   */
  public static ChatRequest parse(byte[] body) throws InvalidChatRequest {
    JsonNode root;
    try {
      root = SimulatorJson.MAPPER.readTree(body);
    } catch (IOException e) {
      throw new InvalidChatRequest(
          "We could not parse the JSON body of your request. (HINT: This likely means you aren't"
              + " using your HTTP library correctly.)",
          null);
    }
    if (root == null || !root.isObject()) {
      throw new InvalidChatRequest("The request body must be a JSON object.", null);
    }
    JsonNode messages = root.get("messages");
    if (messages == null || !messages.isArray() || messages.isEmpty()) {
      throw new InvalidChatRequest("'messages' must be a non-empty array of messages.", "messages");
    }
    int promptTokens = 0;
    for (JsonNode message : messages) {
      promptTokens += TOKENS_PER_MESSAGE + tokens(contentLength(message.get("content")));
    }
    OptionalInt cap = cap(root, "max_completion_tokens");
    if (cap.isEmpty()) {
      cap = cap(root, "max_tokens");
    }
    JsonNode model = root.get("model");
    return new ChatRequest(
        model != null && model.isTextual() ? model.asText() : DEFAULT_MODEL,
        messages.size(),
        promptTokens,
        cap);
  }

  /** The answer's text for {@code instance} replying to {@code messageCount} messages. */
  public static String content(String instance, int messageCount) {
    return "Simulated answer from sim instance '"
        + instance
        + "' to "
        + messageCount
        + (messageCount == 1 ? " message." : " messages.");
  }

  /** {@code ceil(chars / 4)}: the simulator's token count for text of that many characters. */
  public static int tokens(int chars) {
    return (chars + 3) / 4;
  }

  /**
   * The full {@code chat.completion} JSON.
   *
   * @param instance the answering instance's name
   * @param sequence the instance's answer number, used in the id {@code
   *     chatcmpl-sim-<instance>-<n>}
   * @param createdEpochSeconds the {@code created} field
   */
  public static byte[] completion(
      String instance, long sequence, long createdEpochSeconds, ChatRequest request) {
    String content = content(instance, request.messageCount());
    int completionTokens = tokens(content.length());
    String finishReason = "stop";
    if (request.maxTokens().isPresent() && request.maxTokens().getAsInt() < completionTokens) {
      completionTokens = request.maxTokens().getAsInt();
      content = content.substring(0, completionTokens * 4);
      finishReason = "length";
    }

    ObjectNode root = SimulatorJson.MAPPER.createObjectNode();
    root.put("id", "chatcmpl-sim-" + instance + "-" + sequence);
    root.put("object", "chat.completion");
    root.put("created", createdEpochSeconds);
    root.put("model", request.model());
    ArrayNode choices = root.putArray("choices");
    ObjectNode choice = choices.addObject();
    choice.put("index", 0);
    ObjectNode message = choice.putObject("message");
    message.put("role", "assistant");
    message.put("content", content);
    choice.putNull("logprobs");
    choice.put("finish_reason", finishReason);
    ObjectNode usage = root.putObject("usage");
    usage.put("prompt_tokens", request.promptTokens());
    usage.put("completion_tokens", completionTokens);
    usage.put("total_tokens", request.promptTokens() + completionTokens);
    try {
      return SimulatorJson.MAPPER.writeValueAsBytes(root);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static int contentLength(JsonNode content) {
    if (content == null) {
      return 0;
    }
    if (content.isTextual()) {
      return content.asText().length();
    }
    int length = 0;
    if (content.isArray()) {
      for (JsonNode part : content) {
        JsonNode text = part.get("text");
        if (text != null && text.isTextual()) {
          length += text.asText().length();
        }
      }
    }
    return length;
  }

  private static OptionalInt cap(JsonNode root, String field) throws InvalidChatRequest {
    JsonNode value = root.get(field);
    if (value == null || value.isNull()) {
      return OptionalInt.empty();
    }
    if (!value.isIntegralNumber() || !value.canConvertToInt() || value.intValue() < 1) {
      throw new InvalidChatRequest(
          "Invalid '" + field + "': expected a positive integer, got " + value + ".", field);
    }
    return OptionalInt.of(value.intValue());
  }
}
