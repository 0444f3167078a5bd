package detour.providers.anthropic;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Optional;

/**
 * What in an OpenAI request the Messages API cannot express at all: several choices, log
 * probabilities, token biases, audio, OpenAI's own tools and file store. Such a request is not
 * sent to an Anthropic provider; the router tries the next candidate and traces this reason.
 * Fields that only tune an answer Anthropic would still give (penalties, seed) are dropped by
 * {@link AnthropicRequests} instead, and documented in docs/providers.md.
 */
final class AnthropicLimits {
  private AnthropicLimits() {}

  static Optional<String> cannotExpress(JsonNode request) {
    if (request.path("n").asInt(1) > 1) return Optional.of("n > 1: Anthropic writes one choice per request");
    if (request.path("logprobs").asBoolean(false) || request.path("top_logprobs").asInt(0) > 0) {
      return Optional.of("logprobs: Anthropic does not return token log probabilities");
    }
    if (request.path("logit_bias").isObject() && !request.path("logit_bias").isEmpty()) {
      return Optional.of("logit_bias: Anthropic has no token biases");
    }
    if (request.hasNonNull("audio") || contains(request.path("modalities"), "audio")) {
      return Optional.of("audio output: Anthropic writes text only");
    }
    if (request.hasNonNull("web_search_options")) {
      return Optional.of("web_search_options: OpenAI's built-in web search");
    }
    if (request.hasNonNull("functions") || request.hasNonNull("function_call")) {
      return Optional.of("the deprecated functions/function_call fields (tools are translated)");
    }
    return tools(request).or(() -> responseFormat(request)).or(() -> messages(request.path("messages")));
  }

  private static Optional<String> tools(JsonNode request) {
    for (JsonNode tool : request.path("tools")) {
      String type = tool.path("type").asText("function");
      if (!type.equals("function")) return Optional.of("a tool of type '" + type + "': Anthropic takes functions only");
    }
    JsonNode choice = request.path("tool_choice");
    if (choice.isObject() && !choice.path("type").asText("").equals("function")) {
      return Optional.of("a tool_choice of type '" + choice.path("type").asText("") + "'");
    }
    return Optional.empty();
  }

  private static Optional<String> responseFormat(JsonNode request) {
    JsonNode format = request.path("response_format");
    String type = format.path("type").asText("text");
    switch (type) {
      case "text", "json_object":
        return Optional.empty();
      case "json_schema": {
        if (request.path("tools").isArray() && !request.path("tools").isEmpty()) {
          return Optional.of("response_format json_schema together with tools: the schema is sent as a forced tool");
        }
        JsonNode schema = format.path("json_schema").path("schema");
        if (schema.isMissingNode()) return Optional.empty();  // any object will do
        boolean object = schema.isObject() && schema.path("type").asText("object").equals("object");
        return object ? Optional.empty()
            : Optional.of("a json_schema whose root is not an object: Anthropic's tool input must be one");
      }
      default:
        return Optional.of("response_format of type '" + type + "'");
    }
  }

  private static Optional<String> messages(JsonNode messages) {
    for (JsonNode message : messages) {
      String role = message.path("role").asText("");
      switch (role) {
        case "user": {
          Optional<String> content = AnthropicContent.unsupported(message.path("content"));
          if (content.isPresent()) return content.map(why -> "a user message: " + why);
          break;
        }
        case "system", "developer", "tool": {
          for (JsonNode part : message.path("content")) {
            String type = part.path("type").asText("");
            if (!type.equals("text")) {
              return Optional.of("a " + role + " message with a '" + type + "' part: only text is carried there");
            }
          }
          break;
        }
        case "assistant": {
          Optional<String> why = assistant(message);
          if (why.isPresent()) return why;
          break;
        }
        default:
          return Optional.of("a message of role '" + role + "'");
      }
    }
    return Optional.empty();
  }

  private static Optional<String> assistant(JsonNode message) {
    if (message.hasNonNull("audio")) return Optional.of("an assistant message referring to earlier audio");
    Optional<String> content = AnthropicContent.unsupported(message.path("content"));
    if (content.isPresent()) return content.map(why -> "an assistant message: " + why);
    for (JsonNode call : message.path("tool_calls")) {
      String type = call.path("type").asText("function");
      if (!type.equals("function")) return Optional.of("an assistant tool call of type '" + type + "'");
      if (AnthropicRequests.arguments(call.path("function").path("arguments")).isEmpty()) {
        return Optional.of("an assistant tool call whose arguments are not a JSON object: Anthropic needs one");
      }
    }
    return Optional.empty();
  }

  private static boolean contains(JsonNode array, String value) {
    for (JsonNode item : array) {
      if (item.asText("").equals(value)) return true;
    }
    return false;
  }
}
