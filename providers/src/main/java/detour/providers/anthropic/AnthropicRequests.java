package detour.providers.anthropic;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Writes an OpenAI chat-completions request as an Anthropic Messages request. Only what {@link
 * AnthropicLimits} lets through reaches it; fields Anthropic has no use for are left out (see
 * docs/providers.md).
 */
final class AnthropicRequests {
  /**
   * The {@code max_tokens} sent when the caller set none: Anthropic requires one, and 4096 is what
   * every Claude model can write, the oldest included.
   */
  static final int DEFAULT_MAX_TOKENS = 4096;
  /** Anthropic's temperature runs from 0 to 1, OpenAI's to 2: higher values are sent as 1. */
  static final double MAX_TEMPERATURE = 1.0;
  /**
   * The tool a {@code json_schema} response format becomes: Anthropic is made to call it, and the
   * call's input is handed back to the caller as the message's content.
   */
  static final String JSON_TOOL = "detour_json_response";
  /** The instruction a {@code json_object} response format adds to the system prompt. */
  static final String JSON_OBJECT_INSTRUCTION =
      "Answer with a single valid JSON object and nothing else: no prose, no code fences.";
  /**
   * The user turn put first when a conversation would start with the assistant (or has no turn at
   * all): Anthropic requires the first turn to be the user's.
   */
  static final String OPENING_USER_TURN = "(conversation start)";

  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  private static final ObjectMapper JSON = new ObjectMapper();

  private AnthropicRequests() {}

  static ObjectNode body(ObjectNode openAi, String upstreamModel, boolean stream) {
    ObjectNode body = NODES.objectNode();
    body.put("model", upstreamModel);
    body.put("max_tokens", maxTokens(openAi));
    system(openAi).ifPresent(system -> body.put("system", system));
    body.set("messages", messages(openAi.path("messages")));
    sampling(openAi, body);
    ArrayNode stops = stopSequences(openAi.path("stop"));
    if (!stops.isEmpty()) body.set("stop_sequences", stops);
    if (stream) body.put("stream", true);
    tools(openAi, body);
    String user = openAi.path("user").asText(openAi.path("safety_identifier").asText(""));
    if (!user.isEmpty()) body.putObject("metadata").put("user_id", user);
    return body;
  }

  private static int maxTokens(ObjectNode openAi) {
    JsonNode limit = openAi.hasNonNull("max_completion_tokens") ? openAi.get("max_completion_tokens")
        : openAi.path("max_tokens");
    return limit.canConvertToInt() && limit.isNumber() ? limit.asInt() : DEFAULT_MAX_TOKENS;
  }

  /** Every system and developer message, in order, joined by blank lines. */
  private static Optional<String> system(ObjectNode openAi) {
    List<String> parts = new ArrayList<>();
    for (JsonNode message : openAi.path("messages")) {
      String role = message.path("role").asText("");
      if (role.equals("system") || role.equals("developer")) {
        String text = AnthropicContent.text(message.path("content"));
        if (!text.isEmpty()) parts.add(text);
      }
    }
    if (openAi.path("response_format").path("type").asText("").equals("json_object")) {
      parts.add(JSON_OBJECT_INSTRUCTION);
    }
    return parts.isEmpty() ? Optional.empty() : Optional.of(String.join("\n\n", parts));
  }

  /**
   * The conversation as alternating turns: consecutive messages of one role are merged into one
   * turn, and tool results become a user turn of {@code tool_result} blocks.
   */
  private static ArrayNode messages(JsonNode messages) {
    List<Turn> turns = new ArrayList<>();
    for (JsonNode message : messages) {
      switch (message.path("role").asText("")) {
        case "user" -> add(turns, "user", AnthropicContent.blocks(message.path("content")));
        case "assistant" -> add(turns, "assistant", assistant(message));
        case "tool" -> add(turns, "user", NODES.arrayNode().add(toolResult(message)));
        default -> { }  // system and developer go to the top-level system prompt
      }
    }
    if (turns.isEmpty() || turns.get(0).role().equals("assistant")) {
      ArrayNode opening = NODES.arrayNode();
      opening.addObject().put("type", "text").put("text", OPENING_USER_TURN);
      turns.add(0, new Turn("user", opening));
    }
    ArrayNode out = NODES.arrayNode();
    for (Turn turn : turns) {
      ObjectNode message = out.addObject().put("role", turn.role());
      JsonNode only = turn.blocks().size() == 1 ? turn.blocks().get(0) : null;
      if (only != null && only.size() == 2 && only.path("type").asText().equals("text")) {
        message.put("content", only.path("text").asText());
      } else {
        message.set("content", turn.blocks());
      }
    }
    return out;
  }

  private static void add(List<Turn> turns, String role, ArrayNode blocks) {
    if (blocks.isEmpty()) return;
    Turn last = turns.isEmpty() ? null : turns.get(turns.size() - 1);
    if (last != null && last.role().equals(role)) {
      last.blocks().addAll(blocks);
    } else {
      turns.add(new Turn(role, blocks));
    }
  }

  private static ArrayNode assistant(JsonNode message) {
    ArrayNode blocks = AnthropicContent.blocks(message.path("content"));
    for (JsonNode call : message.path("tool_calls")) {
      ObjectNode use = blocks.addObject().put("type", "tool_use").put("id", call.path("id").asText(""))
          .put("name", call.path("function").path("name").asText(""));
      use.set("input", arguments(call.path("function").path("arguments")).orElseGet(NODES::objectNode));
    }
    return blocks;
  }

  private static ObjectNode toolResult(JsonNode message) {
    ObjectNode result = NODES.objectNode().put("type", "tool_result")
        .put("tool_use_id", message.path("tool_call_id").asText(""));
    String text = AnthropicContent.text(message.path("content"));
    if (!text.isEmpty()) result.put("content", text);
    return result;
  }

  /**
   * A tool call's arguments, which OpenAI carries as a JSON string and Anthropic as an object;
   * empty arguments are an empty object. Empty when they are not a JSON object.
   */
  static Optional<ObjectNode> arguments(JsonNode arguments) {
    if (arguments.isObject()) return Optional.of((ObjectNode) arguments);
    String text = arguments.asText("");
    if (text.isBlank()) return Optional.of(NODES.objectNode());
    try {
      JsonNode parsed = JSON.readTree(text);
      return parsed instanceof ObjectNode object ? Optional.of(object) : Optional.empty();
    } catch (IOException notJson) {
      return Optional.empty();
    }
  }

  /**
   * Temperature, clamped to Anthropic's 0-1, and top_p. Recent Claude models refuse both at once,
   * so when the caller sets both only the temperature is sent.
   */
  private static void sampling(ObjectNode openAi, ObjectNode body) {
    JsonNode temperature = openAi.path("temperature");
    if (temperature.isNumber()) {
      body.put("temperature", Math.min(temperature.asDouble(), MAX_TEMPERATURE));
    } else if (openAi.path("top_p").isNumber()) {
      body.put("top_p", openAi.path("top_p").asDouble());
    }
  }

  private static ArrayNode stopSequences(JsonNode stop) {
    ArrayNode stops = NODES.arrayNode();
    if (stop.isTextual() && !stop.asText().isEmpty()) stops.add(stop.asText());
    if (stop.isArray()) {
      for (JsonNode one : stop) {
        if (one.isTextual() && !one.asText().isEmpty()) stops.add(one.asText());
      }
    }
    return stops;
  }

  /** Tools and the tool choice; a {@code json_schema} response format is a forced tool of its own. */
  private static void tools(ObjectNode openAi, ObjectNode body) {
    JsonNode format = openAi.path("response_format");
    if (format.path("type").asText("").equals("json_schema")) {
      JsonNode schema = format.path("json_schema");
      ObjectNode tool = body.putArray("tools").addObject().put("name", JSON_TOOL)
          .put("description", jsonToolDescription(schema));
      tool.set("input_schema", schema.path("schema").isObject() ? schema.get("schema") : objectSchema());
      body.putObject("tool_choice").put("type", "tool").put("name", JSON_TOOL);
      return;
    }
    JsonNode tools = openAi.path("tools");
    if (!tools.isArray() || tools.isEmpty()) return;
    ArrayNode out = body.putArray("tools");
    for (JsonNode tool : tools) {
      JsonNode function = tool.path("function");
      ObjectNode one = out.addObject().put("name", function.path("name").asText(""));
      if (function.hasNonNull("description")) one.put("description", function.path("description").asText());
      one.set("input_schema", function.path("parameters").isObject() ? function.get("parameters") : objectSchema());
    }
    toolChoice(openAi.path("tool_choice"), openAi.path("parallel_tool_calls"))
        .ifPresent(choice -> body.set("tool_choice", choice));
  }

  private static Optional<ObjectNode> toolChoice(JsonNode choice, JsonNode parallel) {
    ObjectNode out = NODES.objectNode();
    if (choice.isObject()) {
      out.put("type", "tool").put("name", choice.path("function").path("name").asText(""));
    } else {
      switch (choice.asText("")) {
        case "none" -> out.put("type", "none");
        case "required" -> out.put("type", "any");
        case "auto" -> out.put("type", "auto");
        default -> {
          if (!parallel.isBoolean() || parallel.asBoolean()) return Optional.empty();
          out.put("type", "auto");
        }
      }
    }
    if (parallel.isBoolean() && !parallel.asBoolean() && !out.path("type").asText().equals("none")) {
      out.put("disable_parallel_tool_use", true);
    }
    return Optional.of(out);
  }

  private static String jsonToolDescription(JsonNode schema) {
    String description = "Give your answer by calling this tool, its input being the answer"
        + (schema.hasNonNull("name") ? " (" + schema.path("name").asText() + ")" : "") + ".";
    return schema.hasNonNull("description") ? description + " " + schema.path("description").asText() : description;
  }

  private static ObjectNode objectSchema() {
    ObjectNode schema = NODES.objectNode().put("type", "object");
    schema.putObject("properties");
    return schema;
  }

  /** One turn being assembled: its role and its blocks so far. */
  private record Turn(String role, ArrayNode blocks) {}
}
