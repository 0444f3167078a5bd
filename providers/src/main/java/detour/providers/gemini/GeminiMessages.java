package detour.providers.gemini;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Turns OpenAI's {@code messages} into Gemini's {@code systemInstruction} and {@code contents}.
 *
 * <p>System and developer messages, wherever they stand, become the parts of {@code
 * systemInstruction}, in order. User turns keep role {@code user}; assistant turns become role
 * {@code model}, their {@code tool_calls} becoming {@code functionCall} parts. A {@code tool} (or
 * legacy {@code function}) message becomes a {@code functionResponse} part of a {@code user} turn,
 * named after the tool call it answers. Consecutive turns of the same role are merged into one,
 * since Gemini wants the roles to alternate.
 *
 * <p>Gemini 3 refuses a history whose function calls lack the thought signature it attached to
 * them. A signature the caller kept ({@code tool_calls[].extra_content.google.thought_signature},
 * as {@link GeminiAnswers} writes it) is sent back; an assistant turn that has none (written by
 * another provider, which is what a failover router produces) gets Google's documented
 * placeholder on its first call, except for Gemini 1.x and 2.x models, which do not check.
 */
final class GeminiMessages {
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Google's documented value for a function call whose history carries no signature of its own. */
  static final String SKIP_SIGNATURE = "skip_thought_signature_validator";

  /** Models that do not validate thought signatures: Gemini 1.x and 2.x. */
  private static final Pattern NO_SIGNATURE_CHECK = Pattern.compile("(^|/)gemini-[12]([.-]|$)");

  /** The translated messages: the system instruction (null when none) and the contents. */
  record Translated(ObjectNode systemInstruction, ArrayNode contents) {}

  private final boolean fillSignatures;
  private final ArrayNode system = NODES.arrayNode();
  private final ArrayNode contents = NODES.arrayNode();
  /** The function name of every tool call seen so far, by id; a later call with the same id wins. */
  private final Map<String, String> callNames = new HashMap<>();

  private GeminiMessages(boolean fillSignatures) {
    this.fillSignatures = fillSignatures;
  }

  /** Whether the model refuses function calls without thought signatures: any but Gemini 1.x and 2.x. */
  static boolean checksSignatures(String upstreamModel) {
    return !NO_SIGNATURE_CHECK.matcher(upstreamModel).find();
  }

  /**
   * @param fillSignatures whether to give unsigned function calls Google's placeholder signature
   * @throws CannotExpress when a message holds what Gemini cannot take
   */
  static Translated translate(JsonNode messages, boolean fillSignatures) {
    GeminiMessages translation = new GeminiMessages(fillSignatures);
    for (int i = 0; i < messages.size(); i++) translation.message(messages.get(i), i);
    ObjectNode systemInstruction = null;
    if (!translation.system.isEmpty()) {
      systemInstruction = NODES.objectNode();
      systemInstruction.set("parts", translation.system);
    }
    return new Translated(systemInstruction, translation.contents);
  }

  private void message(JsonNode message, int index) {
    String role = message.path("role").asText("");
    switch (role) {
      case "system", "developer" -> systemParts(message.path("content"), index);
      case "user" -> append("user", contentParts(message.path("content"), index));
      case "assistant" -> append("model", assistantParts(message, index));
      case "tool" -> append("user", functionResponse(
          nameOfCall(message.path("tool_call_id").asText(""), index), message.path("content"), index));
      case "function" -> append("user", functionResponse(
          message.path("name").asText(""), message.path("content"), index));
      default -> throw new CannotExpress("messages[" + index + "] has role '" + role + "'");
    }
  }

  private void systemParts(JsonNode content, int index) {
    if (content.isTextual()) {
      addText(system, content.asText());
      return;
    }
    for (JsonNode part : content) {
      if (!part.path("type").asText("").equals("text")) {
        throw new CannotExpress("messages[" + index + "] is a system message with a '"
            + part.path("type").asText("") + "' part; Gemini's system instruction takes text only");
      }
      addText(system, part.path("text").asText(""));
    }
  }

  /** A user message's content: a string, or text, image, audio and file parts. */
  private static ArrayNode contentParts(JsonNode content, int index) {
    ArrayNode parts = NODES.arrayNode();
    if (content.isTextual()) {
      addText(parts, content.asText());
      return parts;
    }
    for (JsonNode part : content) {
      String type = part.path("type").asText("");
      switch (type) {
        case "text" -> addText(parts, part.path("text").asText(""));
        case "refusal" -> addText(parts, part.path("refusal").asText(""));
        case "image_url" -> parts.add(GeminiMedia.image(part.path("image_url")));
        case "input_audio" -> parts.add(GeminiMedia.audio(part.path("input_audio")));
        case "file" -> parts.add(GeminiMedia.file(part.path("file")));
        default -> throw new CannotExpress("messages[" + index + "] has a content part of type '" + type + "'");
      }
    }
    return parts;
  }

  private ArrayNode assistantParts(JsonNode message, int index) {
    ArrayNode parts = contentParts(message.path("content"), index);
    JsonNode calls = message.path("tool_calls");
    boolean signed = false;
    for (JsonNode call : calls) signed |= !signatureOf(call).isEmpty();
    for (int i = 0; i < calls.size(); i++) {
      JsonNode call = calls.get(i);
      if (!call.path("type").asText("function").equals("function")) {
        throw new CannotExpress("messages[" + index + "] has a tool call of type '" + call.path("type").asText() + "'");
      }
      String name = call.path("function").path("name").asText("");
      callNames.put(call.path("id").asText(""), name);
      String signature = signatureOf(call);
      if (signature.isEmpty() && !signed && i == 0 && fillSignatures) signature = SKIP_SIGNATURE;
      parts.add(functionCall(name, call.path("function").path("arguments"), signature, index));
    }
    JsonNode legacy = message.path("function_call");
    if (legacy.isObject()) {
      String signature = calls.isEmpty() && fillSignatures ? SKIP_SIGNATURE : "";
      parts.add(functionCall(legacy.path("name").asText(""), legacy.path("arguments"), signature, index));
    }
    return parts;
  }

  private static ObjectNode functionCall(String name, JsonNode arguments, String signature, int index) {
    ObjectNode part = NODES.objectNode();
    ObjectNode call = part.putObject("functionCall");
    call.put("name", name);
    call.set("args", arguments(arguments, name, index));
    if (!signature.isEmpty()) part.put("thoughtSignature", signature);
    return part;
  }

  /** A tool call's arguments, a JSON string in OpenAI's form, as the object Gemini wants. */
  private static JsonNode arguments(JsonNode arguments, String name, int index) {
    if (arguments.isObject()) return arguments;
    String text = arguments.asText("");
    if (text.isBlank()) return NODES.objectNode();
    try {
      JsonNode parsed = JSON.readTree(text);
      if (parsed != null && parsed.isObject()) return parsed;
    } catch (JsonProcessingException notJson) {
      // refused below
    }
    throw new CannotExpress("messages[" + index + "] has a call of '" + name
        + "' whose arguments are not a JSON object");
  }

  private static String signatureOf(JsonNode call) {
    return call.path("extra_content").path("google").path("thought_signature").asText("");
  }

  private String nameOfCall(String callId, int index) {
    String name = callNames.get(callId);
    if (name == null) {
      throw new CannotExpress("messages[" + index + "] answers tool call '" + callId
          + "', which no earlier assistant message made; Gemini needs the function's name");
    }
    return name;
  }

  /** A tool result: a JSON object as it is, anything else wrapped as {@code {"content": ...}}. */
  private static ArrayNode functionResponse(String name, JsonNode content, int index) {
    if (name.isEmpty()) throw new CannotExpress("messages[" + index + "] is a function result without a name");
    String text = textOf(content);
    JsonNode response = null;
    String trimmed = text.trim();
    if (trimmed.startsWith("{")) {
      try {
        JsonNode parsed = JSON.readTree(trimmed);
        if (parsed != null && parsed.isObject()) response = parsed;
      } catch (JsonProcessingException notJson) {
        // wrapped below
      }
    }
    if (response == null) response = NODES.objectNode().put("content", text);
    ArrayNode parts = NODES.arrayNode();
    ObjectNode result = parts.addObject().putObject("functionResponse");
    result.put("name", name);
    result.set("response", response);
    return parts;
  }

  /** A tool message's content: a string, or the texts of its parts joined. */
  private static String textOf(JsonNode content) {
    if (!content.isArray()) return content.asText("");
    StringBuilder text = new StringBuilder();
    for (JsonNode part : content) text.append(part.path("text").asText(""));
    return text.toString();
  }

  /** Adds a turn, merged into the previous one when it has the same role; a turn without parts is dropped. */
  private void append(String role, ArrayNode parts) {
    if (parts.isEmpty()) return;
    JsonNode last = contents.isEmpty() ? null : contents.get(contents.size() - 1);
    if (last != null && last.path("role").asText().equals(role)) {
      ((ArrayNode) last.get("parts")).addAll(parts);
      return;
    }
    ObjectNode turn = contents.addObject().put("role", role);
    turn.set("parts", parts);
  }

  /** Gemini refuses an empty text part: empty texts are left out. */
  private static void addText(ArrayNode parts, String text) {
    if (!text.isEmpty()) parts.addObject().put("text", text);
  }
}
