package detour.router.http;

import static detour.router.http.JsonChecks.BOOLEAN;
import static detour.router.http.JsonChecks.NON_EMPTY_STRING;
import static detour.router.http.JsonChecks.OBJECT;
import static detour.router.http.JsonChecks.STRING;
import static detour.router.http.JsonChecks.absent;
import static detour.router.http.JsonChecks.firstProblem;
import static detour.router.http.JsonChecks.notOneOf;
import static detour.router.http.JsonChecks.oneOf;
import static detour.router.http.JsonChecks.optional;
import static detour.router.http.JsonChecks.wrongType;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * The shape of tools: the request's {@code tools} and {@code tool_choice}, their deprecated
 * forerunners {@code functions} and {@code function_call}, and an assistant message's
 * {@code tool_calls}. Only the shape OpenAI requires is checked (a function tool's name, its
 * parameters an object); a name's pattern and the schema's contents are each provider's to judge,
 * since they differ (Gemini allows dots in names, OpenAI does not).
 */
final class ToolRules {
  private ToolRules() {}

  /** Both types OpenAI's chat completions accept; the codecs for other protocols translate {@code function}. */
  private static final List<String> TOOL_TYPES = List.of("function", "custom");
  private static final List<String> CHOICE_WORDS = List.of("none", "auto", "required");
  private static final List<String> CHOICE_TYPES = List.of("function", "custom", "allowed_tools");
  private static final List<String> FUNCTION_CALL_WORDS = List.of("none", "auto");

  static ApiError tools(JsonNode tools, String param) {
    if (!tools.isArray()) return wrongType(param, "an array of tools", tools);
    for (int i = 0; i < tools.size(); i++) {
      ApiError problem = tool(tools.get(i), param + "[" + i + "]");
      if (problem != null) return problem;
    }
    return null;
  }

  private static ApiError tool(JsonNode tool, String at) {
    if (!tool.isObject()) return wrongType(at, "an object", tool);
    JsonNode type = tool.get("type");
    if (absent(type)) return ApiError.missingParameter(at + ".type");
    ApiError problem = oneOf(TOOL_TYPES).check(type, at + ".type");
    if (problem != null) return problem;
    if (type.asText().equals("custom")) return named(tool.get("custom"), at + ".custom");
    problem = named(tool.get("function"), at + ".function");
    if (problem != null) return problem;
    JsonNode function = tool.get("function");
    return firstProblem(
        optional(function, "description", STRING, at + ".function"),
        optional(function, "parameters", OBJECT, at + ".function"),
        optional(function, "strict", BOOLEAN, at + ".function"));
  }

  static ApiError toolChoice(JsonNode choice, String param) {
    if (choice.isTextual()) return oneOf(CHOICE_WORDS).check(choice, param);
    if (!choice.isObject()) return wrongType(param, "a string or an object", choice);
    JsonNode type = choice.get("type");
    if (absent(type)) return ApiError.missingParameter(param + ".type");
    ApiError problem = oneOf(CHOICE_TYPES).check(type, param + ".type");
    if (problem != null) return problem;
    String kind = type.asText();
    if (!kind.equals("allowed_tools")) return named(choice.get(kind), param + "." + kind);
    JsonNode allowed = choice.get("allowed_tools");
    String at = param + ".allowed_tools";
    if (absent(allowed)) return ApiError.missingParameter(at);
    if (!allowed.isObject()) return wrongType(at, "an object", allowed);
    JsonNode mode = allowed.get("mode");
    if (absent(mode)) return ApiError.missingParameter(at + ".mode");
    problem = oneOf(List.of("auto", "required")).check(mode, at + ".mode");
    if (problem != null) return problem;
    JsonNode listed = allowed.get("tools");
    if (absent(listed)) return ApiError.missingParameter(at + ".tools");
    if (!listed.isArray()) return wrongType(at + ".tools", "an array", listed);
    for (int i = 0; i < listed.size(); i++) {
      if (!listed.get(i).isObject()) return wrongType(at + ".tools[" + i + "]", "an object", listed.get(i));
    }
    return null;
  }

  /** The deprecated {@code functions}: function definitions without the tool wrapper. */
  static ApiError functions(JsonNode functions, String param) {
    if (!functions.isArray()) return wrongType(param, "an array of functions", functions);
    for (int i = 0; i < functions.size(); i++) {
      JsonNode function = functions.get(i);
      String at = param + "[" + i + "]";
      ApiError problem = firstProblem(requiredName(function, at), optional(function, "parameters", OBJECT, at));
      if (problem != null) return problem;
    }
    return null;
  }

  /** The deprecated {@code function_call}: "none", "auto" or {"name": ...}. */
  static ApiError functionCall(JsonNode call, String param) {
    if (call.isTextual()) return oneOf(FUNCTION_CALL_WORDS).check(call, param);
    if (!call.isObject()) return wrongType(param, "a string or an object", call);
    return requiredName(call, param);
  }

  /** An assistant message's {@code tool_calls}, as the caller sends back what it was answered. */
  static ApiError toolCalls(JsonNode calls, String param) {
    if (!calls.isArray()) return wrongType(param, "an array of tool calls", calls);
    for (int i = 0; i < calls.size(); i++) {
      JsonNode call = calls.get(i);
      String at = param + "[" + i + "]";
      if (!call.isObject()) return wrongType(at, "an object", call);
      ApiError problem = firstProblem(optional(call, "id", STRING, at), optional(call, "type", STRING, at));
      if (problem != null) return problem;
      String type = call.path("type").asText("function");
      if (type.equals("custom")) {
        problem = firstProblem(named(call.get("custom"), at + ".custom"),
            optional(call.get("custom"), "input", STRING, at + ".custom"));
      } else if (type.equals("function")) {
        problem = firstProblem(named(call.get("function"), at + ".function"),
            optional(call.get("function"), "arguments", STRING, at + ".function"));
      } else {
        problem = notOneOf(at + ".type", type, TOOL_TYPES);
      }
      if (problem != null) return problem;
    }
    return null;
  }

  /** A required object at {@code at} with a required, non-empty string {@code name}. */
  private static ApiError named(JsonNode holder, String at) {
    if (absent(holder)) return ApiError.missingParameter(at);
    if (!holder.isObject()) return wrongType(at, "an object", holder);
    return requiredName(holder, at);
  }

  private static ApiError requiredName(JsonNode holder, String at) {
    if (!holder.isObject()) return wrongType(at, "an object", holder);
    JsonNode name = holder.get("name");
    if (absent(name)) return ApiError.missingParameter(at + ".name");
    return NON_EMPTY_STRING.check(name, at + ".name");
  }
}
