package detour.router.http;

import static detour.router.http.JsonChecks.BOOLEAN;
import static detour.router.http.JsonChecks.OBJECT;
import static detour.router.http.JsonChecks.STRING;
import static detour.router.http.JsonChecks.absent;
import static detour.router.http.JsonChecks.integer;
import static detour.router.http.JsonChecks.notAllowed;
import static detour.router.http.JsonChecks.number;
import static detour.router.http.JsonChecks.oneOf;
import static detour.router.http.JsonChecks.optional;
import static detour.router.http.JsonChecks.required;
import static detour.router.http.JsonChecks.wrongType;
import static java.util.Map.entry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Map;

/**
 * The optional request fields whose type and range Detour checks, with OpenAI's limits, so that a
 * wrong one is the caller's 400 here rather than a provider's refusal after a failover walk (or,
 * worse, a value a codec quietly reads as its default). A field set to null counts as not set, as
 * OpenAI takes it. Fields not in this table pass through untouched for the provider to judge.
 */
final class ChatFieldRules {
  private ChatFieldRules() {}

  /** OpenAI's most stop sequences. */
  static final int MAX_STOP = 4;
  /** OpenAI's most choices per request. */
  static final int MAX_N = 128;

  private static final Map<String, JsonChecks.Rule> RULES = Map.ofEntries(
      entry("stream", BOOLEAN),
      entry("temperature", number(0, 2)),
      entry("top_p", number(0, 1)),
      entry("n", integer(1, MAX_N)),
      entry("presence_penalty", number(-2, 2)),
      entry("frequency_penalty", number(-2, 2)),
      entry("stop", ChatFieldRules::stop),
      entry("logit_bias", ChatFieldRules::logitBias),
      entry("user", STRING),
      entry("safety_identifier", STRING),
      entry("seed", integer(Long.MIN_VALUE, Long.MAX_VALUE)),
      // Capped at what an int holds: the codecs write token limits as ints.
      entry("max_tokens", integer(1, Integer.MAX_VALUE)),
      entry("max_completion_tokens", integer(1, Integer.MAX_VALUE)),
      entry("logprobs", BOOLEAN),
      entry("top_logprobs", integer(0, 20)),
      entry("parallel_tool_calls", BOOLEAN),
      entry("tools", ToolRules::tools),
      entry("tool_choice", ToolRules::toolChoice),
      entry("functions", ToolRules::functions),
      entry("function_call", ToolRules::functionCall),
      entry("response_format", ChatFieldRules::responseFormat),
      entry("models", ChatFieldRules::models));

  /** The first checked field that is wrong, in the caller's order of fields, or null. */
  static ApiError check(ObjectNode body) {
    for (Map.Entry<String, JsonNode> field : body.properties()) {
      JsonChecks.Rule rule = RULES.get(field.getKey());
      if (rule == null || absent(field.getValue())) continue;
      ApiError problem = rule.check(field.getValue(), field.getKey());
      if (problem != null) return problem;
    }
    return null;
  }

  private static ApiError stop(JsonNode stop, String param) {
    if (stop.isTextual()) return null;
    if (!stop.isArray()) return wrongType(param, "a string or an array of strings", stop);
    if (stop.size() > MAX_STOP) return notAllowed(param, "at most " + MAX_STOP + " stop sequences, got " + stop.size());
    return JsonChecks.each(stop, param, STRING);
  }

  private static final JsonChecks.Rule BIAS = number(-100, 100);

  /** Token ids (written as strings, JSON keys being strings) to biases from -100 to 100. */
  private static ApiError logitBias(JsonNode biases, String param) {
    if (!biases.isObject()) return wrongType(param, "an object of token ids to numbers", biases);
    for (Map.Entry<String, JsonNode> bias : biases.properties()) {
      String token = bias.getKey();
      if (token.isEmpty() || token.length() > 10 || !token.chars().allMatch(c -> c >= '0' && c <= '9')) {
        return notAllowed(param, "the key '" + shorten(token) + "' is not a token id (a whole number)");
      }
      ApiError problem = BIAS.check(bias.getValue(), param + "." + token);
      if (problem != null) return problem;
    }
    return null;
  }

  private static final JsonChecks.Rule FORMAT_TYPE = oneOf(List.of("text", "json_object", "json_schema"));

  private static ApiError responseFormat(JsonNode format, String param) {
    if (!format.isObject()) return wrongType(param, "an object with a 'type'", format);
    ApiError problem = required(format, "type", FORMAT_TYPE, param);
    if (problem != null || !format.get("type").asText().equals("json_schema")) return problem;
    String at = param + ".json_schema";
    JsonNode schema = format.get("json_schema");
    if (absent(schema)) return ApiError.missingParameter(at);
    if (!schema.isObject()) return wrongType(at, "an object", schema);
    return JsonChecks.firstProblem(
        required(schema, "name", STRING, at),
        optional(schema, "description", STRING, at),
        optional(schema, "schema", OBJECT, at),
        optional(schema, "strict", BOOLEAN, at));
  }

  /** Detour's own field: the route's models to try, in order (see docs/routing.md). */
  private static ApiError models(JsonNode models, String param) {
    if (!models.isArray()) {
      return wrongType(param, "a non-empty array of model ids, in the order to try them", models);
    }
    if (models.isEmpty()) return notAllowed(param, "an empty array; name at least one model id to try");
    for (JsonNode id : models) {
      if (!id.isTextual()) return wrongType(param, "model ids (strings) in the array", id);
      if (id.asText().isBlank()) return notAllowed(param, "model ids must be non-empty strings");
    }
    return null;
  }

  private static String shorten(String text) {
    return text.length() <= 40 ? text : text.substring(0, 40) + "...";
  }
}
