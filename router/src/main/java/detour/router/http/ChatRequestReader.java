package detour.router.http;

import akka.util.ByteString;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import detour.providers.model.ChatRequest;
import java.io.IOException;
import java.util.Set;

/**
 * Checks a chat-completions body before anything is forwarded: bad input gets a precise 400 in
 * OpenAI's format and reaches no provider. Only the shape is checked here; what a provider accepts
 * beyond it (parameter ranges, tool schemas) is for the provider to say.
 */
final class ChatRequestReader {
  private static final Set<String> ROLES = Set.of("system", "developer", "user", "assistant", "tool", "function");

  /** A body is either a request or the reason it is not one. */
  sealed interface Read {}

  record Valid(ChatRequest request) implements Read {}

  record Invalid(ApiError error) implements Read {}

  private final ObjectMapper json;

  ChatRequestReader(ObjectMapper json) {
    this.json = json;
  }

  Read read(ByteString bytes) {
    JsonNode root;
    try {
      root = json.readTree(bytes.toArrayUnsafe());
    } catch (JsonProcessingException malformed) {
      var where = malformed.getLocation();
      return invalid("The request body is not valid JSON"
          + (where == null ? "" : " (line " + where.getLineNr() + ", column " + where.getColumnNr() + ")")
          + ": " + malformed.getOriginalMessage(), null);
    } catch (IOException unreadable) {
      return invalid("The request body could not be read: " + unreadable.getMessage(), null);
    }
    if (root == null || root.isMissingNode()) return invalid("The request body is empty: send a JSON object.", null);
    if (!(root instanceof ObjectNode body)) return invalid("The request body must be a JSON object.", null);

    JsonNode model = body.get("model");
    if (model == null || model.isNull()) return invalid("Missing required parameter: 'model'.", "model");
    if (!model.isTextual() || model.asText().isBlank()) {
      return invalid("'model' must be a non-empty string naming a route or a model.", "model");
    }
    JsonNode messages = body.get("messages");
    if (messages == null || messages.isNull()) return invalid("Missing required parameter: 'messages'.", "messages");
    if (!messages.isArray() || messages.isEmpty()) {
      return invalid("'messages' must be a non-empty array of messages.", "messages");
    }
    for (int i = 0; i < messages.size(); i++) {
      Read problem = checkMessage(messages.get(i), "messages[" + i + "]");
      if (problem != null) return problem;
    }
    JsonNode stream = body.get("stream");
    if (stream != null && !stream.isNull() && !stream.isBoolean()) {
      return invalid("'stream' must be true or false.", "stream");
    }
    JsonNode models = body.get("models");
    if (models != null && !models.isNull()) {
      if (!models.isArray() || models.isEmpty()) {
        return invalid("'models' must be a non-empty array of model ids, in the order to try them.", "models");
      }
      for (JsonNode id : models) {
        if (!id.isTextual() || id.asText().isBlank()) {
          return invalid("'models' must hold model ids (non-empty strings).", "models");
        }
      }
    }
    JsonNode streamOptions = body.get("stream_options");
    if (streamOptions != null && !streamOptions.isNull()) {
      if (stream == null || !stream.asBoolean(false)) {
        return invalid("'stream_options' is only allowed when 'stream' is true.", "stream_options");
      }
      if (!streamOptions.isObject()) return invalid("'stream_options' must be an object.", "stream_options");
      JsonNode includeUsage = streamOptions.get("include_usage");
      if (includeUsage != null && !includeUsage.isNull() && !includeUsage.isBoolean()) {
        return invalid("'stream_options.include_usage' must be true or false.", "stream_options.include_usage");
      }
    }
    return new Valid(new ChatRequest(body));
  }

  private Read checkMessage(JsonNode message, String at) {
    if (!message.isObject()) return invalid("'" + at + "' must be an object with a 'role'.", at);
    JsonNode role = message.get("role");
    if (role == null || !role.isTextual()) return invalid("Missing required parameter: '" + at + ".role'.", at + ".role");
    if (!ROLES.contains(role.asText())) {
      return invalid("'" + at + ".role' must be one of " + String.join(", ", new java.util.TreeSet<>(ROLES))
          + "; got '" + role.asText() + "'.", at + ".role");
    }
    JsonNode content = message.get("content");
    boolean assistant = role.asText().equals("assistant");
    if (content == null || content.isNull()) {
      // An assistant turn may carry only tool calls.
      if (assistant && message.has("tool_calls")) return null;
      return invalid("Missing required parameter: '" + at + ".content'.", at + ".content");
    }
    if (!content.isTextual() && !content.isArray()) {
      return invalid("'" + at + ".content' must be a string or an array of content parts.", at + ".content");
    }
    return null;
  }

  private static Read invalid(String message, String param) {
    return new Invalid(ApiError.invalidRequest(message, param));
  }
}
