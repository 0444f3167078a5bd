package detour.router.http;

import static detour.router.http.JsonChecks.OBJECT;
import static detour.router.http.JsonChecks.STRING;
import static detour.router.http.JsonChecks.absent;
import static detour.router.http.JsonChecks.each;
import static detour.router.http.JsonChecks.firstProblem;
import static detour.router.http.JsonChecks.oneOf;
import static detour.router.http.JsonChecks.optional;
import static detour.router.http.JsonChecks.required;
import static detour.router.http.JsonChecks.wrongType;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * The shape of one message of {@code messages}: its role, its content (a string, or content parts
 * each with a string {@code type}), and the fields each role needs. What a part holds beyond its
 * type and its text is each codec's to translate or refuse (see docs/providers.md).
 */
final class MessageRules {
  private MessageRules() {}

  private static final JsonChecks.Rule ROLE =
      oneOf(List.of("system", "developer", "user", "assistant", "tool", "function"));

  /** The error in {@code messages[i]}, named by {@code at}, or null. */
  static ApiError message(JsonNode message, String at) {
    if (!message.isObject()) return wrongType(at, "an object with a 'role'", message);
    ApiError problem = required(message, "role", ROLE, at);
    if (problem != null) return problem;
    String who = message.get("role").asText();
    problem = firstProblem(
        optional(message, "name", STRING, at),
        optional(message, "tool_calls", ToolRules::toolCalls, at),
        optional(message, "function_call", OBJECT, at),
        who.equals("tool") ? required(message, "tool_call_id", STRING, at) : null,
        who.equals("function") ? required(message, "name", STRING, at) : null);
    if (problem != null) return problem;
    return content(message, who, at);
  }

  private static ApiError content(JsonNode message, String role, String at) {
    JsonNode content = message.get("content");
    if (absent(content)) {
      // An assistant turn may carry only tool calls (or a deprecated function call).
      boolean onlyCalls = !absent(message.get("tool_calls")) || !absent(message.get("function_call"));
      return role.equals("assistant") && onlyCalls ? null : ApiError.missingParameter(at + ".content");
    }
    if (content.isTextual()) return null;
    return content.isArray() ? each(content, at + ".content", MessageRules::part)
        : wrongType(at + ".content", "a string or an array of content parts", content);
  }

  private static ApiError part(JsonNode part, String at) {
    if (!part.isObject()) return wrongType(at, "an object with a 'type'", part);
    ApiError problem = required(part, "type", STRING, at);
    if (problem != null) return problem;
    String kind = part.get("type").asText();
    // The part's own field is named after its type: {"type": "text", "text": ...}, {"type": "image_url", ...}.
    if (kind.equals("text") || kind.equals("refusal")) return required(part, kind, STRING, at);
    if (kind.equals("image_url")) {
      JsonNode image = part.get("image_url");
      if (absent(image)) return ApiError.missingParameter(at + ".image_url");
      if (!image.isObject()) return wrongType(at + ".image_url", "an object with a 'url'", image);
      return required(image, "url", STRING, at + ".image_url");
    }
    return null;
  }
}
