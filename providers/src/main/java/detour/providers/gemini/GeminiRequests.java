package detour.providers.gemini;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Turns an OpenAI chat-completions request into a Gemini {@code GenerateContentRequest}: the
 * messages (see {@link GeminiMessages}), {@code generationConfig} from the sampling fields, {@code
 * tools} and {@code toolConfig} from the tools and {@code tool_choice}, and JSON mode from {@code
 * response_format}. The model and {@code stream} go into the URL, not the body.
 *
 * <p>What Gemini cannot do is refused with {@link CannotExpress} rather than dropped, when dropping
 * it would change the answer: {@code n > 1}, {@code logprobs}, {@code logit_bias}, audio output,
 * web search, tools other than functions. Hints that change no answer's shape are dropped ({@code
 * user}, {@code metadata}, {@code store}, {@code service_tier}, {@code parallel_tool_calls},
 * {@code reasoning_effort}, {@code prediction}, {@code stream_options}).
 */
final class GeminiRequests {
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private GeminiRequests() {}

  /**
   * @param request the caller's OpenAI body
   * @param fillSignatures whether unsigned function calls get a placeholder thought signature (see
   *     {@link GeminiMessages#checksSignatures})
   * @throws CannotExpress when the request asks for what Gemini cannot do
   */
  static ObjectNode translate(JsonNode request, boolean fillSignatures) {
    refuseWhatGeminiLacks(request);
    GeminiMessages.Translated messages = GeminiMessages.translate(request.path("messages"), fillSignatures);
    ObjectNode body = NODES.objectNode();
    body.set("contents", messages.contents());
    if (messages.systemInstruction() != null) body.set("systemInstruction", messages.systemInstruction());
    ArrayNode declarations = declarations(request);
    if (!declarations.isEmpty()) body.putArray("tools").addObject().set("functionDeclarations", declarations);
    ObjectNode toolConfig = toolConfig(request);
    if (toolConfig != null) body.set("toolConfig", toolConfig);
    ObjectNode generationConfig = generationConfig(request);
    if (!generationConfig.isEmpty()) body.set("generationConfig", generationConfig);
    return body;
  }

  private static void refuseWhatGeminiLacks(JsonNode request) {
    if (request.path("n").asInt(1) > 1) {
      throw new CannotExpress("n = " + request.path("n").asInt() + " (several choices); Detour asks Gemini for one");
    }
    if (request.path("logprobs").asBoolean(false) || request.path("top_logprobs").asInt(0) > 0) {
      throw new CannotExpress("logprobs, which Detour does not translate from Gemini yet");
    }
    if (request.path("logit_bias").size() > 0) throw new CannotExpress("logit_bias, which Gemini has no field for");
    if (request.has("audio") && !request.get("audio").isNull()) {
      throw new CannotExpress("audio output, which Detour does not translate from Gemini");
    }
    for (JsonNode modality : request.path("modalities")) {
      if (!modality.asText().equals("text")) {
        throw new CannotExpress(
            "output modality '" + modality.asText() + "', which Detour does not translate from Gemini");
      }
    }
    if (request.has("web_search_options") && !request.get("web_search_options").isNull()) {
      throw new CannotExpress("web_search_options, which Detour does not translate to Gemini's search tool");
    }
  }

  private static ObjectNode generationConfig(JsonNode request) {
    ObjectNode config = NODES.objectNode();
    copyNumber(request, "temperature", config, "temperature");
    copyNumber(request, "top_p", config, "topP");
    JsonNode maxTokens = request.has("max_completion_tokens") && !request.get("max_completion_tokens").isNull()
        ? request.get("max_completion_tokens") : request.path("max_tokens");
    if (maxTokens.isNumber()) config.put("maxOutputTokens", maxTokens.asInt());
    JsonNode stop = request.path("stop");
    if (stop.isTextual()) {
      config.putArray("stopSequences").add(stop.asText());
    } else if (stop.isArray() && !stop.isEmpty()) {
      ArrayNode sequences = config.putArray("stopSequences");
      for (JsonNode s : stop) sequences.add(s.asText());
    }
    if (request.path("seed").isIntegralNumber()) config.set("seed", request.get("seed"));
    // Sent only when set to something: some Gemini models refuse the penalties outright, and
    // OpenAI clients often send their defaults, 0.
    if (request.path("presence_penalty").asDouble(0) != 0) {
      copyNumber(request, "presence_penalty", config, "presencePenalty");
    }
    if (request.path("frequency_penalty").asDouble(0) != 0) {
      copyNumber(request, "frequency_penalty", config, "frequencyPenalty");
    }
    responseFormat(request.path("response_format"), config);
    return config;
  }

  private static void responseFormat(JsonNode format, ObjectNode config) {
    switch (format.path("type").asText("text")) {
      case "text" -> { }
      case "json_object" -> config.put("responseMimeType", "application/json");
      case "json_schema" -> {
        config.put("responseMimeType", "application/json");
        JsonNode schema = format.path("json_schema").path("schema");
        if (!schema.isMissingNode() && !schema.isNull()) {
          config.set("responseSchema", GeminiSchemas.toGemini(schema,
              "response_format '" + format.path("json_schema").path("name").asText("") + "'"));
        }
      }
      default -> throw new CannotExpress("response_format of type '" + format.path("type").asText() + "'");
    }
  }

  /** {@code tools} of type function, and the legacy {@code functions}, as function declarations. */
  private static ArrayNode declarations(JsonNode request) {
    ArrayNode declarations = NODES.arrayNode();
    for (JsonNode tool : request.path("tools")) {
      String type = tool.path("type").asText("function");
      if (!type.equals("function")) throw new CannotExpress("a tool of type '" + type + "'");
      declarations.add(declaration(tool.path("function")));
    }
    for (JsonNode function : request.path("functions")) declarations.add(declaration(function));
    return declarations;
  }

  private static ObjectNode declaration(JsonNode function) {
    String name = function.path("name").asText("");
    ObjectNode declaration = NODES.objectNode().put("name", name);
    if (function.path("description").isTextual()) declaration.put("description", function.get("description").asText());
    JsonNode parameters = function.path("parameters");
    // Gemini refuses an object schema without properties: a function without parameters has none.
    if (parameters.isObject() && parameters.path("properties").size() > 0) {
      declaration.set("parameters", GeminiSchemas.toGemini(parameters, "tool '" + name + "'"));
    }
    return declaration;
  }

  /** {@code tool_choice} (or the legacy {@code function_call}) as {@code functionCallingConfig}. */
  private static ObjectNode toolConfig(JsonNode request) {
    JsonNode choice = request.has("tool_choice") ? request.get("tool_choice") : request.path("function_call");
    if (choice.isMissingNode() || choice.isNull()) return null;
    ObjectNode config = NODES.objectNode();
    ObjectNode calling = config.putObject("functionCallingConfig");
    if (choice.isTextual()) {
      switch (choice.asText()) {
        case "auto" -> calling.put("mode", "AUTO");
        case "none" -> calling.put("mode", "NONE");
        case "required" -> calling.put("mode", "ANY");
        default -> throw new CannotExpress("tool_choice '" + choice.asText() + "'");
      }
      return config;
    }
    String type = choice.path("type").asText("function");
    if (type.equals("function")) {
      JsonNode named = choice.has("function") ? choice.get("function") : choice;  // legacy: {"name": ...}
      String name = named.path("name").asText("");
      calling.put("mode", "ANY");
      calling.putArray("allowedFunctionNames").add(name);
      return config;
    }
    if (type.equals("allowed_tools") && choice.path("allowed_tools").path("mode").asText("").equals("required")) {
      calling.put("mode", "ANY");
      ArrayNode names = calling.putArray("allowedFunctionNames");
      for (JsonNode tool : choice.path("allowed_tools").path("tools")) {
        names.add(tool.path("function").path("name").asText(""));
      }
      return config;
    }
    throw new CannotExpress("tool_choice of type '" + type + "'"
        + (type.equals("allowed_tools") ? " in mode auto" : ""));
  }

  private static void copyNumber(JsonNode from, String field, ObjectNode to, String as) {
    JsonNode value = from.path(field);
    if (value.isNumber()) to.set(as, value);
  }
}
