package detour.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import detour.simulator.ErrorAnswer.Refused;
import detour.simulator.SimulatedAnswers.ChatRequest;
import java.io.IOException;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Gemini, {@code POST /v1beta/models/{model}:generateContent} and {@code
 * :streamGenerateContent?alt=sse} (the model comes from the path). A request needs an API key in
 * the {@code x-goog-api-key} header or the {@code key} query parameter (else 403 {@code
 * PERMISSION_DENIED}) and a body with a non-empty {@code contents} array (else 400 {@code
 * INVALID_ARGUMENT}); {@code generationConfig.maxOutputTokens} caps the answer. A stream without
 * {@code alt=sse} (Gemini's JSON-array framing) is refused with 400: the simulator only speaks SSE.
 * Answers are built by {@link GeminiAnswers}, errors by {@link GeminiErrors}.
 *
 * <p>Prompt tokens: {@code 4 + tokens(text)} per content, its text being its parts' {@code text}s,
 * plus the same for {@code systemInstruction} when present.
 */
final class GeminiDialect implements Dialect {

  static final String PREFIX = "/v1beta/models/";

  static final String GENERATE = "generateContent";

  static final String STREAM = "streamGenerateContent";

  static final GeminiDialect INSTANCE = new GeminiDialect();

  private GeminiDialect() {}

  /** Whether {@code path} is {@code /v1beta/models/<model>:(stream)generateContent}. */
  static boolean serves(String path) {
    if (!path.startsWith(PREFIX)) {
      return false;
    }
    String rest = path.substring(PREFIX.length());
    int colon = rest.lastIndexOf(':');
    if (colon <= 0 || rest.substring(0, colon).contains("/")) {
      return false;
    }
    String method = rest.substring(colon + 1);
    return method.equals(GENERATE) || method.equals(STREAM);
  }

  @Override
  public String name() {
    return "gemini";
  }

  @Override
  public ChatRequest read(ChatCall call) throws Refused {
    String rest = call.path().substring(PREFIX.length());
    int colon = rest.lastIndexOf(':');
    String model = rest.substring(0, colon);
    boolean stream = rest.substring(colon + 1).equals(STREAM);
    if (call.header("x-goog-api-key").isEmpty() && call.parameter("key").isEmpty()) {
      throw new Refused(
          GeminiErrors.permissionDenied(
              "The request has no API key: pass one in the x-goog-api-key header or the key"
                  + " query parameter."));
    }
    if (stream && !call.parameter("alt").orElse("").equals("sse")) {
      throw invalid("The simulator answers streamGenerateContent only with alt=sse.");
    }
    JsonNode root;
    try {
      root = SimulatorJson.MAPPER.readTree(call.body());
    } catch (IOException e) {
      throw invalid("Invalid JSON payload received.");
    }
    if (root == null || !root.isObject()) {
      throw invalid("Invalid JSON payload received: the body must be a JSON object.");
    }
    JsonNode contents = root.get("contents");
    if (contents == null || !contents.isArray() || contents.isEmpty()) {
      throw invalid("* GenerateContentRequest.contents: contents is not specified");
    }
    OptionalInt cap = OptionalInt.empty();
    JsonNode maxOutput = root.path("generationConfig").get("maxOutputTokens");
    if (maxOutput != null && !maxOutput.isNull()) {
      if (!maxOutput.isIntegralNumber()
          || !maxOutput.canConvertToInt()
          || maxOutput.intValue() < 1) {
        throw invalid(
            "* GenerateContentRequest.generation_config.max_output_tokens: expected a positive"
                + " integer, got "
                + maxOutput);
      }
      cap = OptionalInt.of(maxOutput.intValue());
    }

    int promptTokens = 0;
    for (JsonNode content : contents) {
      promptTokens += tokens(content);
    }
    JsonNode system = root.get("systemInstruction");
    if (system != null && !system.isNull()) {
      promptTokens += tokens(system);
    }
    Optional<ToolSpec> tool = firstFunction(root.get("tools"));
    if (endsWithFunctionResponse(contents.get(contents.size() - 1))) {
      tool = Optional.empty();
    }
    return new ChatRequest(model, contents.size(), promptTokens, cap, stream, false, tool);
  }

  @Override
  public byte[] answer(Reply reply) {
    return SimulatedAnswers.bytes(GeminiAnswers.response(reply));
  }

  @Override
  public StreamScript stream(Reply reply, ChatRequest request, StreamShape shape) {
    return GeminiAnswers.script(reply, shape.chunks());
  }

  @Override
  public ErrorAnswer error(int status, String instance) {
    return GeminiErrors.forStatus(status, instance);
  }

  @Override
  public ErrorAnswer rateLimited(String instance, OptionalInt retryAfterSeconds) {
    return GeminiErrors.rateLimited(instance, retryAfterSeconds);
  }

  @Override
  public ErrorAnswer contextLength(int promptTokens, OptionalInt limitTokens) {
    int limit = limitTokens.orElse(GeminiErrors.DEFAULT_CONTEXT_TOKENS);
    return GeminiErrors.contextLength(limit + promptTokens, limit);
  }

  @Override
  public ErrorAnswer overloaded(String instance) {
    return GeminiErrors.overloaded();
  }

  @Override
  public ErrorAnswer echoed(int status, String text) {
    return ErrorAnswer.echoed(status, SimulatedAnswers.bytes(GeminiErrors.echoed(status, text)), text);
  }

  /** {@code 4 + tokens(text of the parts)} for a content or the system instruction. */
  private static int tokens(JsonNode content) {
    return SimulatedAnswers.TOKENS_PER_MESSAGE
        + SimulatedAnswers.tokens(SimulatedAnswers.contentLength(content.get("parts")));
  }

  /** The first function declared by any tool; refuses one without a name. */
  private static Optional<ToolSpec> firstFunction(JsonNode tools) throws Refused {
    if (tools == null || tools.isNull()) {
      return Optional.empty();
    }
    if (!tools.isArray()) {
      throw invalid("* GenerateContentRequest.tools: expected a list of tools");
    }
    for (JsonNode tool : tools) {
      JsonNode declarations = tool.get("functionDeclarations");
      if (declarations != null && declarations.isArray() && !declarations.isEmpty()) {
        JsonNode function = declarations.get(0);
        JsonNode name = function.get("name");
        if (name == null || !name.isTextual() || name.asText().isEmpty()) {
          throw invalid(
              "* GenerateContentRequest.tools[0].function_declarations[0].name: Name is"
                  + " required.");
        }
        JsonNode schema =
            function.has("parameters")
                ? function.get("parameters")
                : function.get("parametersJsonSchema");
        return Optional.of(ToolSpec.of(name.asText(), schema));
      }
    }
    return Optional.empty();
  }

  private static boolean endsWithFunctionResponse(JsonNode content) {
    JsonNode parts = content.get("parts");
    if (parts != null && parts.isArray()) {
      for (JsonNode part : parts) {
        if (part.has("functionResponse")) {
          return true;
        }
      }
    }
    return false;
  }

  private static Refused invalid(String message) {
    return new Refused(GeminiErrors.invalidArgument(message));
  }
}
