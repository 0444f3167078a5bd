package detour.providers.gemini;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import detour.persistence.breaker.FailureKind;
import detour.providers.model.CallResult;
import detour.providers.model.ChatResponse;
import detour.providers.model.ProviderFailure;
import detour.providers.model.Usage;
import java.time.Clock;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * Reads a Gemini {@code GenerateContentResponse} as an OpenAI {@code chat.completion}; also the
 * rules the stream translator shares with it: ids, finish reasons, usage, blocked prompts.
 *
 * <p>Each candidate becomes a choice: its text parts, thoughts left out, are the message's
 * content; its {@code functionCall} parts are the {@code tool_calls}, with ids made up per answer
 * (Gemini gives none) and any thought signature kept in {@code extra_content.google}, where
 * Google's own OpenAI-compatible endpoint puts it and where {@link GeminiMessages} reads it back.
 * Other parts (code execution, inline images) are left out.
 */
final class GeminiAnswers {
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Gemini's finish reasons that mean its filters stopped the answer. */
  private static final Set<String> FILTERED = Set.of(
      "SAFETY", "RECITATION", "BLOCKLIST", "PROHIBITED_CONTENT", "SPII", "IMAGE_SAFETY");

  private GeminiAnswers() {}

  static CallResult answer(int status, JsonNode body, String upstreamModel, Clock clock) {
    if (!(body instanceof ObjectNode response)
        || !(response.path("candidates").isArray() || response.has("promptFeedback"))) {
      return new CallResult.Failed(ProviderFailure.notAnAnswer(status, "Gemini generateContent"));
    }
    Optional<ProviderFailure> blocked = blockedPrompt(response, status);
    if (blocked.isPresent()) return new CallResult.Failed(blocked.get());
    if (response.path("candidates").isEmpty()) {
      return new CallResult.Failed(ProviderFailure.of(FailureKind.SERVER_ERROR, status,
          "Gemini answered " + status + " without a candidate"));
    }
    Ids ids = Ids.of(response);
    ObjectNode completion = NODES.objectNode()
        .put("id", ids.completionId())
        .put("object", "chat.completion")
        .put("created", clock.instant().getEpochSecond())
        .put("model", modelOf(response, upstreamModel));
    ArrayNode choices = completion.putArray("choices");
    int callNumber = 0;
    for (JsonNode candidate : response.path("candidates")) {
      ObjectNode choice = choices.addObject();
      choice.put("index", candidate.path("index").asInt(choices.size() - 1));
      ObjectNode message = choice.putObject("message").put("role", "assistant");
      StringBuilder text = new StringBuilder();
      ArrayNode calls = NODES.arrayNode();
      for (JsonNode part : candidate.path("content").path("parts")) {
        if (isAnswerText(part)) {
          text.append(part.get("text").asText());
        } else if (part.has("functionCall")) {
          calls.add(toolCall(part, ids.callId(callNumber++)));
        }
      }
      if (text.length() > 0 || calls.isEmpty()) {
        message.put("content", text.toString());
      } else {
        message.putNull("content");
      }
      if (!calls.isEmpty()) message.set("tool_calls", calls);
      choice.put("finish_reason", finishReason(candidate.path("finishReason").asText(""), !calls.isEmpty()));
    }
    JsonNode metadata = response.path("usageMetadata");
    Usage usage = usage(metadata);
    if (metadata.isObject()) reasoningTokensInto(metadata, usage.writeOpenAi(completion.putObject("usage")));
    return new CallResult.Answered(new ChatResponse(completion, usage));
  }

  /** A prompt Gemini refused to answer: the caller's content, so no other provider is tried for it. */
  static Optional<ProviderFailure> blockedPrompt(JsonNode response, int status) {
    String reason = response.path("promptFeedback").path("blockReason").asText("");
    if (reason.isEmpty() || response.path("candidates").size() > 0) return Optional.empty();
    return Optional.of(new ProviderFailure(FailureKind.CONTENT_POLICY, status,
        "Gemini blocked the prompt (" + reason + ")", reason, Optional.empty()));
  }

  /** Visible answer text: a text part that is not one of the model's thoughts. */
  static boolean isAnswerText(JsonNode part) {
    return part.path("text").isTextual() && !part.path("thought").asBoolean(false);
  }

  /** One {@code functionCall} part as an OpenAI tool call, its args as a JSON string. */
  static ObjectNode toolCall(JsonNode part, String id) {
    ObjectNode call = NODES.objectNode().put("id", id).put("type", "function");
    JsonNode functionCall = part.path("functionCall");
    call.putObject("function")
        .put("name", functionCall.path("name").asText(""))
        .put("arguments", argumentsOf(functionCall));
    signatureInto(part, call);
    return call;
  }

  static String argumentsOf(JsonNode functionCall) {
    JsonNode args = functionCall.path("args");
    if (!args.isObject()) return "{}";
    try {
      return JSON.writeValueAsString(args);
    } catch (JsonProcessingException impossible) {
      throw new IllegalStateException("a parsed JSON tree could not be written", impossible);
    }
  }

  /** Keeps a part's thought signature on the tool call, for the next request to send back. */
  static void signatureInto(JsonNode part, ObjectNode call) {
    String signature = part.path("thoughtSignature").asText("");
    if (!signature.isEmpty()) {
      call.putObject("extra_content").putObject("google").put("thought_signature", signature);
    }
  }

  /**
   * OpenAI's finish reason for Gemini's: STOP is {@code tool_calls} when the answer calls a
   * function; MAX_TOKENS is {@code length}; the filters' reasons are {@code content_filter}; any
   * other ({@code MALFORMED_FUNCTION_CALL}, {@code OTHER}, {@code LANGUAGE}...) is {@code stop}.
   */
  static String finishReason(String gemini, boolean calledFunctions) {
    if (gemini.equals("MAX_TOKENS")) return "length";
    if (FILTERED.contains(gemini)) return "content_filter";
    return calledFunctions ? "tool_calls" : "stop";
  }

  /**
   * The tokens of {@code usageMetadata}: prompt tokens as counted (cached ones included, as in
   * OpenAI's), completion tokens with the thinking tokens, which are billed as output.
   */
  static Usage usage(JsonNode metadata) {
    int prompt = metadata.path("promptTokenCount").asInt(0);
    int completion = metadata.path("candidatesTokenCount").asInt(0) + metadata.path("thoughtsTokenCount").asInt(0);
    int total = metadata.path("totalTokenCount").asInt(prompt + completion);
    return new Usage(prompt, completion, total, metadata.path("cachedContentTokenCount").asInt(0));
  }

  /** Adds the thinking tokens to an OpenAI {@code usage} as {@code reasoning_tokens}, when reported. */
  static void reasoningTokensInto(JsonNode metadata, ObjectNode usage) {
    if (metadata.has("thoughtsTokenCount")) {
      usage.putObject("completion_tokens_details").put("reasoning_tokens", metadata.get("thoughtsTokenCount").asInt());
    }
  }

  static String modelOf(JsonNode response, String upstreamModel) {
    return response.path("modelVersion").asText(upstreamModel);
  }

  /**
   * The ids of one answer: the completion's, and its tool calls', all from Gemini's {@code
   * responseId} when it sent one (so that the same answer always gets the same ids), from a random
   * token otherwise. Tool call ids carry it too, so that calls of different answers in one
   * conversation do not share ids.
   */
  record Ids(String token) {
    static Ids of(JsonNode response) {
      String responseId = response.path("responseId").asText("");
      return new Ids(responseId.isEmpty() ? UUID.randomUUID().toString().replace("-", "") : responseId);
    }

    String completionId() {
      return "chatcmpl-gemini-" + token;
    }

    String callId(int n) {
      return "call_" + token + "_" + n;
    }
  }
}
