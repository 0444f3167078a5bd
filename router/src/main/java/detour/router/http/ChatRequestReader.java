package detour.router.http;

import static detour.router.http.JsonChecks.absent;
import static detour.router.http.JsonChecks.wrongType;

import akka.util.ByteString;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import detour.providers.model.ChatRequest;
import java.io.IOException;

/**
 * Checks a chat-completions body before anything is forwarded: bad input gets a precise 400 in
 * OpenAI's format, with a code (see {@link ApiError}), and reaches no provider. The body must be
 * one JSON object in strict UTF-8 ({@link StrictUtf8}), nested no deeper than Jackson allows
 * (1000 levels by default), with nothing after it; then the required fields,
 * each message ({@link MessageRules}) and the standard optional fields ({@link ChatFieldRules}) are
 * checked for type and range. What a provider accepts beyond that (tool schemas, a model's own
 * limits) is for the provider to say.
 */
final class ChatRequestReader {
  /** A body is either a request or the reason it is not one. */
  sealed interface Read {}

  /** A checked request, and the caller's choices read from it. */
  record Valid(ChatRequest request, CallerChoices choices) implements Read {}

  record Invalid(ApiError error) implements Read {}

  private final ObjectMapper json;
  private final int maxDepth;

  ChatRequestReader(ObjectMapper json) {
    this.json = json;
    this.maxDepth = json.getFactory().streamReadConstraints().getMaxNestingDepth();
  }

  Read read(ByteString bytes) {
    // The array itself when the body came in one piece (the usual case), else one copy.
    byte[] body = bytes.toArrayUnsafe();
    StrictUtf8.Flaw flaw = StrictUtf8.firstFlaw(body, 0, body.length);
    if (flaw != null) {
      return new Invalid(ApiError.invalidJson("The request body is not valid UTF-8: " + flaw.reason()
          + " at byte " + flaw.offset() + "."));
    }
    JsonNode root;
    try {
      root = parseOne(body);
    } catch (StreamConstraintsException tooDeep) {
      return new Invalid(ApiError.invalidJson("The request body is refused: " + constraint(tooDeep)));
    } catch (JsonProcessingException malformed) {
      return new Invalid(ApiError.invalidJson("The request body is not valid JSON" + where(malformed.getLocation())
          + ": " + malformed.getOriginalMessage()));
    } catch (IOException unreadable) {
      return new Invalid(ApiError.invalidJson("The request body could not be read: " + unreadable.getMessage()));
    }
    if (root == null || root.isMissingNode()) {
      return new Invalid(ApiError.invalidJson("The request body is empty: send a JSON object."));
    }
    if (!(root instanceof ObjectNode request)) {
      return new Invalid(ApiError.invalidType(
          "The request body must be a JSON object; got " + JsonChecks.kind(root) + ".", null));
    }
    ApiError problem = check(request);
    return problem == null ? new Valid(new ChatRequest(request), CallerChoices.of(request)) : new Invalid(problem);
  }

  /** One JSON document and nothing after it but white space: a second document, or garbage, is refused. */
  private JsonNode parseOne(byte[] body) throws IOException {
    try (JsonParser parser = json.createParser(body)) {
      JsonNode root = json.readTree(parser);
      if (root != null && parser.nextToken() != null) {
        throw new JsonParseException(parser, "more after the JSON object; send exactly one object",
            parser.currentTokenLocation());
      }
      return root;
    }
  }

  private static ApiError check(ObjectNode request) {
    JsonNode model = request.get("model");
    if (absent(model)) return ApiError.missingParameter("model");
    if (!model.isTextual()) return wrongType("model", "a string naming a route or a model", model);
    if (model.asText().isBlank()) {
      return ApiError.invalidValue("'model' must be a non-empty string naming a route or a model.", "model");
    }
    JsonNode messages = request.get("messages");
    if (absent(messages)) return ApiError.missingParameter("messages");
    if (!messages.isArray()) return wrongType("messages", "a non-empty array of messages", messages);
    if (messages.isEmpty()) return ApiError.invalidValue("'messages' must be a non-empty array of messages.", "messages");
    ApiError problem = JsonChecks.each(messages, "messages", MessageRules::message);
    if (problem != null) return problem;
    problem = ChatFieldRules.check(request);
    return problem != null ? problem : streamOptions(request);
  }

  /** Refused without {@code stream}, as OpenAI does. */
  private static ApiError streamOptions(ObjectNode request) {
    JsonNode options = request.get("stream_options");
    if (absent(options)) return null;
    if (!request.path("stream").asBoolean(false)) {
      return ApiError.invalidValue("'stream_options' is only allowed when 'stream' is true.", "stream_options");
    }
    if (!options.isObject()) return wrongType("stream_options", "an object", options);
    return JsonChecks.optional(options, "include_usage", JsonChecks.BOOLEAN, "stream_options");
  }

  private static String where(JsonLocation location) {
    return location == null || location.getLineNr() < 0 ? ""
        : " (line " + location.getLineNr() + ", column " + location.getColumnNr() + ")";
  }

  /** Jackson's limits, in the caller's words rather than Jackson's (which name its classes). */
  private String constraint(StreamConstraintsException exceeded) {
    String message = exceeded.getOriginalMessage();
    if (message.startsWith("Document nesting depth")) {
      return "arrays and objects are nested more than " + maxDepth + " deep" + where(exceeded.getLocation()) + ".";
    }
    return message.replaceAll(", from `[^`]*`", "") + where(exceeded.getLocation()) + ".";
  }
}
