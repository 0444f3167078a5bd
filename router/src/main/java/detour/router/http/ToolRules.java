package detour.router.http;

import static detour.router.http.JsonChecks.BOOLEAN;
import static detour.router.http.JsonChecks.NON_EMPTY_STRING;
import static detour.router.http.JsonChecks.OBJECT;
import static detour.router.http.JsonChecks.STRING;
import static detour.router.http.JsonChecks.absent;
import static detour.router.http.JsonChecks.each;
import static detour.router.http.JsonChecks.firstProblem;
import static detour.router.http.JsonChecks.notOneOf;
import static detour.router.http.JsonChecks.oneOf;
import static detour.router.http.JsonChecks.optional;
import static detour.router.http.JsonChecks.required;
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
  private static final JsonChecks.Rule TOOL_TYPE = oneOf(TOOL_TYPES);
  private static final JsonChecks.Rule CHOICE_WORD = oneOf(List.of("none", "auto", "required"));
  private static final JsonChecks.Rule CHOICE_TYPE = oneOf(List.of("function", "custom", "allowed_tools"));
  private static final JsonChecks.Rule ALLOWED_TOOLS_MODE = oneOf(List.of("auto", "required"));
  private static final JsonChecks.Rule FUNCTION_CALL_WORD = oneOf(List.of("none", "auto"));
  private static final JsonChecks.Rule OBJECTS =
      (list, at) -> list.isArray() ? each(list, at, OBJECT) : wrongType(at, "an array of objects", list);

  static ApiError tools(JsonNode tools, String param) {
    return tools.isArray() ? each(tools, param, ToolRules::tool) : wrongType(param, "an array of tools", tools);
  }

  private static ApiError tool(JsonNode tool, String at) {
    if (!tool.isObject()) return wrongType(at, "an object", tool);
    ApiError problem = required(tool, "type", TOOL_TYPE, at);
    if (problem != null) return problem;
    if (tool.get("type").asText().equals("custom")) return named(tool.get("custom"), at + ".custom");
    problem = named(tool.get("function"), at + ".function");
    if (problem != null) return problem;
    JsonNode function = tool.get("function");
    return firstProblem(
        optional(function, "description", STRING, at + ".function"),
        optional(function, "parameters", OBJECT, at + ".function"),
        optional(function, "strict", BOOLEAN, at + ".function"));
  }

  static ApiError toolChoice(JsonNode choice, String param) {
    if (choice.isTextual()) return CHOICE_WORD.check(choice, param);
    if (!choice.isObject()) return wrongType(param, "a string or an object", choice);
    ApiError problem = required(choice, "type", CHOICE_TYPE, param);
    if (problem != null) return problem;
    String kind = choice.get("type").asText();
    if (!kind.equals("allowed_tools")) return named(choice.get(kind), param + "." + kind);
    JsonNode allowed = choice.get("allowed_tools");
    String at = param + ".allowed_tools";
    if (absent(allowed)) return ApiError.missingParameter(at);
    if (!allowed.isObject()) return wrongType(at, "an object", allowed);
    return firstProblem(required(allowed, "mode", ALLOWED_TOOLS_MODE, at), required(allowed, "tools", OBJECTS, at));
  }

  /** The deprecated {@code functions}: function definitions without the tool wrapper. */
  static ApiError functions(JsonNode functions, String param) {
    if (!functions.isArray()) return wrongType(param, "an array of functions", functions);
    return each(functions, param,
        (function, at) -> firstProblem(requiredName(function, at), optional(function, "parameters", OBJECT, at)));
  }

  /** The deprecated {@code function_call}: "none", "auto" or {"name": ...}. */
  static ApiError functionCall(JsonNode call, String param) {
    if (call.isTextual()) return FUNCTION_CALL_WORD.check(call, param);
    if (!call.isObject()) return wrongType(param, "a string or an object", call);
    return requiredName(call, param);
  }

  /** An assistant message's {@code tool_calls}, as the caller sends back what it was answered. */
  static ApiError toolCalls(JsonNode calls, String param) {
    return calls.isArray() ? each(calls, param, ToolRules::toolCall) : wrongType(param, "an array of tool calls", calls);
  }

  private static ApiError toolCall(JsonNode call, String at) {
    if (!call.isObject()) return wrongType(at, "an object", call);
    ApiError problem = firstProblem(optional(call, "id", STRING, at), optional(call, "type", STRING, at));
    if (problem != null) return problem;
    String type = call.path("type").asText("function");
    if (type.equals("custom")) {
      return firstProblem(named(call.get("custom"), at + ".custom"),
          optional(call.get("custom"), "input", STRING, at + ".custom"));
    }
    if (type.equals("function")) {
      return firstProblem(named(call.get("function"), at + ".function"),
          optional(call.get("function"), "arguments", STRING, at + ".function"));
    }
    return notOneOf(at + ".type", type, TOOL_TYPES);
  }

  /** A required object at {@code at} with a required, non-empty string {@code name}. */
  private static ApiError named(JsonNode holder, String at) {
    return absent(holder) ? ApiError.missingParameter(at) : requiredName(holder, at);
  }

  /** An object with a required, non-empty string {@code name}. */
  private static ApiError requiredName(JsonNode holder, String at) {
    return holder.isObject() ? required(holder, "name", NON_EMPTY_STRING, at) : wrongType(at, "an object", holder);
  }
}
