package detour.simulator;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Reads an OpenAI chat-completions request and builds the simulator's deterministic {@code
 * chat.completion} answer with realistic usage counts; also the text and token arithmetic that
 * every protocol shares (see {@link Reply}).
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
 *   <li>{@code total_tokens = prompt_tokens + completion_tokens}; {@code
 *       prompt_tokens_details.cached_tokens} is always 0.
 * </ul>
 *
 * <p>A request that declares {@code tools} gets a call to the first one ({@code finish_reason}
 * {@code "tool_calls"}), unless its last message is a tool result (role {@code tool}).
 */
public final class SimulatedAnswers {

  /** Tokens charged per message on top of its content, as OpenAI's chat format roughly does. */
  public static final int TOKENS_PER_MESSAGE = 4;

  /** The model named in answers to requests that name none. */
  public static final String DEFAULT_MODEL = "sim-model";

  private SimulatedAnswers() {}

  /**
   * What the simulator needs from a valid chat request, whatever its protocol.
   *
   * @param stream whether the answer is to be streamed
   * @param includeUsage whether an OpenAI stream ends with a usage chunk
   * @param tool the tool to call, when the request declares tools and its last message is not a
   *     tool result
   */
  public record ChatRequest(
      String model,
      int messageCount,
      int promptTokens,
      OptionalInt maxTokens,
      boolean stream,
      boolean includeUsage,
      Optional<ToolSpec> tool) {

    /** A non-streamed request without tools. */
    public ChatRequest(String model, int messageCount, int promptTokens, OptionalInt maxTokens) {
      this(model, messageCount, promptTokens, maxTokens, false, false, Optional.empty());
    }
  }

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
   * Validates a request body minimally: JSON object, non-empty {@code messages} array, positive
   * integer token caps, boolean {@code stream} and well-formed {@code tools} when present.
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
    boolean stream = flag(root, "stream");
    JsonNode streamOptions = root.get("stream_options");
    boolean includeUsage =
        stream
            && streamOptions != null
            && streamOptions.path("include_usage").isBoolean()
            && streamOptions.get("include_usage").asBoolean();
    Optional<ToolSpec> tool = firstTool(root.get("tools"));
    String lastRole = messages.get(messages.size() - 1).path("role").asText("");
    if (lastRole.equals("tool") || lastRole.equals("function")) {
      tool = Optional.empty();
    }
    return new ChatRequest(
        model != null && model.isTextual() ? model.asText() : DEFAULT_MODEL,
        messages.size(),
        promptTokens,
        cap,
        stream,
        includeUsage,
        tool);
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
    return completion(
        Reply.to(instance, sequence, createdEpochSeconds, request, StreamShape.DEFAULT));
  }

  /** The {@code chat.completion} JSON of {@code reply}: its text, or its tool call. */
  static byte[] completion(Reply reply) {
    ObjectNode root = SimulatorJson.MAPPER.createObjectNode();
    root.put("id", completionId(reply));
    root.put("object", "chat.completion");
    root.put("created", reply.createdEpochSeconds());
    root.put("model", reply.model());
    ArrayNode choices = root.putArray("choices");
    ObjectNode choice = choices.addObject();
    choice.put("index", 0);
    ObjectNode message = choice.putObject("message");
    message.put("role", "assistant");
    if (reply.toolCall().isPresent()) {
      ToolSpec tool = reply.toolCall().get();
      message.putNull("content");
      ObjectNode call = message.putArray("tool_calls").addObject();
      call.put("id", toolCallId(reply));
      call.put("type", "function");
      call.putObject("function").put("name", tool.name()).put("arguments", tool.argumentsJson());
    } else {
      message.put("content", reply.text());
    }
    choice.putNull("logprobs");
    choice.put("finish_reason", finishReason(reply.finish()));
    root.set("usage", usage(reply));
    return bytes(root);
  }

  /** The OpenAI {@code usage} object of a reply. */
  static ObjectNode usage(Reply reply) {
    ObjectNode usage = SimulatorJson.MAPPER.createObjectNode();
    usage.put("prompt_tokens", reply.promptTokens());
    usage.put("completion_tokens", reply.completionTokens());
    usage.put("total_tokens", reply.totalTokens());
    usage.putObject("prompt_tokens_details").put("cached_tokens", 0);
    return usage;
  }

  /** {@code chatcmpl-sim-<instance>-<n>}. */
  static String completionId(Reply reply) {
    return "chatcmpl-sim-" + reply.instance() + "-" + reply.sequence();
  }

  /** {@code call_sim_<instance>_<n>}. */
  static String toolCallId(Reply reply) {
    return "call_sim_" + reply.instance() + "_" + reply.sequence();
  }

  /** OpenAI's spelling of a finish reason. */
  static String finishReason(Reply.Finish finish) {
    return switch (finish) {
      case STOP -> "stop";
      case LENGTH -> "length";
      case TOOL_CALL -> "tool_calls";
    };
  }

  /** JSON as bytes; the simulator's trees always serialise. */
  static byte[] bytes(JsonNode json) {
    try {
      return SimulatorJson.MAPPER.writeValueAsBytes(json);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static boolean flag(JsonNode root, String field) throws InvalidChatRequest {
    JsonNode value = root.get(field);
    if (value == null || value.isNull()) {
      return false;
    }
    if (!value.isBoolean()) {
      throw new InvalidChatRequest(
          "Invalid type for '" + field + "': expected a boolean, got " + value + ".", field);
    }
    return value.asBoolean();
  }

  /** The first declared function tool; refuses a {@code tools} that is not an array of them. */
  private static Optional<ToolSpec> firstTool(JsonNode tools) throws InvalidChatRequest {
    if (tools == null || tools.isNull()) {
      return Optional.empty();
    }
    if (!tools.isArray()) {
      throw new InvalidChatRequest("Invalid 'tools': expected an array of tools.", "tools");
    }
    if (tools.isEmpty()) {
      return Optional.empty();
    }
    JsonNode function = tools.get(0).path("function");
    if (!function.path("name").isTextual()) {
      throw new InvalidChatRequest(
          "Missing required parameter: 'tools[0].function.name'.", "tools[0].function.name");
    }
    return Optional.of(ToolSpec.of(function.get("name").asText(), function.get("parameters")));
  }

  /** The length of a message's content: its string, or its parts' {@code text}s. */
  static int contentLength(JsonNode content) {
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
