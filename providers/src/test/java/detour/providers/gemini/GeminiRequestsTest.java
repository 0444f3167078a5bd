package detour.providers.gemini;

import static detour.providers.gemini.GeminiFixtures.json;
import static detour.providers.gemini.GeminiFixtures.parse;
import static detour.providers.gemini.GeminiFixtures.request;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** OpenAI requests out as Gemini GenerateContentRequests, and what is refused. */
class GeminiRequestsTest {
  private final GeminiCodec codec = new GeminiCodec();

  @Test
  void toolsConversationTranslatesToTheRecordedGeminiRequest() {
    ObjectNode body = codec.requestBody(request("request-tools.openai.json"), "gemini-2.5-flash", false);
    assertEquals(json("request-tools.gemini.json"), body, body.toPrettyString());
  }

  @Test
  void imagesAndJsonSchemaTranslateToTheRecordedGeminiRequest() {
    ObjectNode body = codec.requestBody(request("request-multimodal.openai.json"), "gemini-2.5-flash", true);
    assertEquals(json("request-multimodal.gemini.json"), body, body.toPrettyString());
  }

  @Test
  void theStreamedRequestBodyIsTheSameAsTheWholeOne() {
    var request = request("request-tools.openai.json");
    assertEquals(codec.requestBody(request, "gemini-2.5-flash", false), codec.requestBody(request, "gemini-2.5-flash", true));
  }

  @Test
  void unsignedFunctionCallsGetGooglesPlaceholderSignatureOnGemini3Only() {
    var request = request("request-tools.openai.json");
    JsonNode gemini3 = codec.requestBody(request, "gemini-3-pro-preview", false).path("contents").get(1).path("parts");
    assertEquals(GeminiMessages.SKIP_SIGNATURE, gemini3.get(0).path("thoughtSignature").asText());
    assertFalse(gemini3.get(1).has("thoughtSignature"), "only the first call of a turn carries it");
    JsonNode gemini25 = codec.requestBody(request, "gemini-2.5-pro", false).path("contents").get(1).path("parts");
    assertFalse(gemini25.get(0).has("thoughtSignature"));
    assertTrue(GeminiMessages.checksSignatures("gemini-flash-latest"), "an alias may name Gemini 3");
    assertFalse(GeminiMessages.checksSignatures("models/gemini-1.5-pro"));
  }

  @Test
  void aThoughtSignatureTheCallerKeptIsSentBackAsReceived() {
    var request = request("""
        {"model": "m", "messages": [
          {"role": "user", "content": "Weather in Paris?"},
          {"role": "assistant", "tool_calls": [
            {"id": "call_1", "type": "function", "function": {"name": "get_weather", "arguments": "{}"}},
            {"id": "call_2", "type": "function", "function": {"name": "get_weather", "arguments": ""},
             "extra_content": {"google": {"thought_signature": "c2lnbmF0dXJl"}}}]},
          {"role": "tool", "tool_call_id": "call_1", "content": "sunny"},
          {"role": "tool", "tool_call_id": "call_2", "content": "sunny"}]}""");
    JsonNode parts = codec.requestBody(request, "gemini-3-pro-preview", false).path("contents").get(1).path("parts");
    assertFalse(parts.get(0).has("thoughtSignature"), "a signed turn gets no placeholder");
    assertEquals("c2lnbmF0dXJl", parts.get(1).path("thoughtSignature").asText());
    assertEquals(parse("{}"), parts.get(1).path("functionCall").path("args"), "empty arguments are an empty object");
  }

  @Test
  void aToolResultIsNamedAfterTheLatestCallWithItsId() {
    // Two answers both used id "call_0": each result answers the call made just before it.
    var request = request("""
        {"model": "m", "messages": [
          {"role": "user", "content": "go"},
          {"role": "assistant", "tool_calls": [{"id": "call_0", "type": "function", "function": {"name": "first", "arguments": "{}"}}]},
          {"role": "tool", "tool_call_id": "call_0", "content": "1"},
          {"role": "assistant", "tool_calls": [{"id": "call_0", "type": "function", "function": {"name": "second", "arguments": "{}"}}]},
          {"role": "tool", "tool_call_id": "call_0", "content": "2"}]}""");
    JsonNode contents = codec.requestBody(request, "gemini-2.5-flash", false).path("contents");
    assertEquals("first", contents.get(2).path("parts").get(0).path("functionResponse").path("name").asText());
    assertEquals("second", contents.get(4).path("parts").get(0).path("functionResponse").path("name").asText());
  }

  @Test
  void legacyFunctionsAndFunctionMessagesTranslateLikeTools() {
    var request = request("""
        {"model": "m", "messages": [
          {"role": "user", "content": "What time is it?"},
          {"role": "assistant", "content": null, "function_call": {"name": "now", "arguments": "{\\"tz\\": \\"UTC\\"}"}},
          {"role": "function", "name": "now", "content": "12:00"}],
         "functions": [{"name": "now", "parameters": {"type": "object", "properties": {"tz": {"type": "string"}}}}],
         "function_call": {"name": "now"}}""");
    ObjectNode body = codec.requestBody(request, "gemini-2.5-flash", false);
    assertEquals(parse("""
        [{"role": "user", "parts": [{"text": "What time is it?"}]},
         {"role": "model", "parts": [{"functionCall": {"name": "now", "args": {"tz": "UTC"}}}]},
         {"role": "user", "parts": [{"functionResponse": {"name": "now", "response": {"content": "12:00"}}}]}]"""),
        body.path("contents"));
    assertEquals("now", body.path("tools").get(0).path("functionDeclarations").get(0).path("name").asText());
    assertEquals(parse("{\"functionCallingConfig\": {\"mode\": \"ANY\", \"allowedFunctionNames\": [\"now\"]}}"),
        body.path("toolConfig"));
  }

  @ParameterizedTest(name = "tool_choice {0} is {1}")
  @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
      "\"auto\"                                               | {\"mode\": \"AUTO\"}",
      "\"none\"                                               | {\"mode\": \"NONE\"}",
      "\"required\"                                           | {\"mode\": \"ANY\"}",
      "{\"type\": \"function\", \"function\": {\"name\": \"f\"}} | {\"mode\": \"ANY\", \"allowedFunctionNames\": [\"f\"]}",
      "{\"type\": \"allowed_tools\", \"allowed_tools\": {\"mode\": \"required\", \"tools\": [{\"function\": {\"name\": \"f\"}}]}}"
          + " | {\"mode\": \"ANY\", \"allowedFunctionNames\": [\"f\"]}"})
  void toolChoiceBecomesAFunctionCallingMode(String toolChoice, String expected) {
    var request = request("{\"model\": \"m\", \"messages\": [{\"role\": \"user\", \"content\": \"hi\"}],"
        + " \"tools\": [{\"type\": \"function\", \"function\": {\"name\": \"f\"}}], \"tool_choice\": " + toolChoice + "}");
    assertEquals(parse(expected), codec.requestBody(request, "gemini-2.5-flash", false)
        .path("toolConfig").path("functionCallingConfig"));
  }

  @Test
  void jsonObjectResponseFormatAsksForJsonWithoutASchema() {
    var request = request("""
        {"model": "m", "messages": [{"role": "user", "content": "a JSON object"}],
         "response_format": {"type": "json_object"}, "stop": "###", "max_tokens": 64, "presence_penalty": 0.3}""");
    assertEquals(parse("""
        {"responseMimeType": "application/json", "stopSequences": ["###"], "maxOutputTokens": 64, "presencePenalty": 0.3}"""),
        codec.requestBody(request, "gemini-2.5-flash", false).path("generationConfig"));
  }

  @Test
  void emptyTextsAreLeftOutAndSameRoleTurnsMerged() {
    var request = request("""
        {"model": "m", "messages": [
          {"role": "user", "content": "one"}, {"role": "user", "content": ""}, {"role": "user", "content": "two"},
          {"role": "assistant", "content": ""}, {"role": "assistant", "content": [{"type": "text", "text": "three"}]}]}""");
    assertEquals(parse("""
        [{"role": "user", "parts": [{"text": "one"}, {"text": "two"}]},
         {"role": "model", "parts": [{"text": "three"}]}]"""),
        codec.requestBody(request, "gemini-2.5-flash", false).path("contents"));
  }

  @Test
  void audioAndPdfPartsTravelInline() {
    var request = request("""
        {"model": "m", "messages": [{"role": "user", "content": [
          {"type": "input_audio", "input_audio": {"data": "UklGRg==", "format": "wav"}},
          {"type": "file", "file": {"filename": "report.pdf", "file_data": "data:application/pdf;base64,JVBERi0="}}]}]}""");
    assertEquals(parse("""
        [{"inlineData": {"mimeType": "audio/wav", "data": "UklGRg=="}},
         {"inlineData": {"mimeType": "application/pdf", "data": "JVBERi0="}}]"""),
        codec.requestBody(request, "gemini-2.5-flash", false).path("contents").get(0).path("parts"));
  }

  @Test
  void anExpressibleRequestHasNothingToRefuse() {
    assertEquals(Optional.empty(), codec.cannotExpress(request("request-tools.openai.json")));
    assertEquals(Optional.empty(), codec.cannotExpress(request("request-multimodal.openai.json")));
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
      "several choices     | \"n\": 2                                                   | n = 2",
      "log probabilities   | \"logprobs\": true                                         | logprobs",
      "logit bias          | \"logit_bias\": {\"50256\": -100}                          | logit_bias",
      "audio output        | \"modalities\": [\"text\", \"audio\"]                      | output modality 'audio'",
      "web search          | \"web_search_options\": {}                                 | web_search_options",
      "a custom tool       | \"tools\": [{\"type\": \"custom\", \"custom\": {\"name\": \"x\"}}] | a tool of type 'custom'",
      "auto allowed tools  | \"tool_choice\": {\"type\": \"allowed_tools\", \"allowed_tools\": {\"mode\": \"auto\"}} | mode auto",
      "a recursive schema  | \"response_format\": {\"type\": \"json_schema\", \"json_schema\": {\"name\": \"tree\", \"schema\":"
          + " {\"$ref\": \"#/$defs/node\", \"$defs\": {\"node\": {\"type\": \"object\", \"properties\": {\"children\":"
          + " {\"type\": \"array\", \"items\": {\"$ref\": \"#/$defs/node\"}}}}}}}} | recursive"})
  void requestFieldsGeminiCannotHonourAreRefused(String what, String field, String reason) {
    var request = request("{\"model\": \"m\", \"messages\": [{\"role\": \"user\", \"content\": \"hi\"}], " + field + "}");
    Optional<String> refusal = codec.cannotExpress(request);
    assertTrue(refusal.isPresent() && refusal.get().contains(reason), what + ": " + refusal);
    IllegalArgumentException thrown = assertThrows(IllegalArgumentException.class,
        () -> codec.requestBody(request, "gemini-2.5-flash", false));
    assertEquals(refusal.get(), thrown.getMessage());
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
      "a GIF image           | {\"type\": \"image_url\", \"image_url\": {\"url\": \"https://example.com/a.gif\"}}   | 'gif'",
      "an image without type | {\"type\": \"image_url\", \"image_url\": {\"url\": \"https://example.com/image\"}}  | 'none'",
      "an ftp image          | {\"type\": \"image_url\", \"image_url\": {\"url\": \"ftp://example.com/a.png\"}}   | neither a data: URL",
      "a percent data URL    | {\"type\": \"image_url\", \"image_url\": {\"url\": \"data:image/png,%89PNG\"}}     | '<type>;base64'",
      "an OpenAI file id     | {\"type\": \"file\", \"file\": {\"file_id\": \"file-abc\"}}                        | file_id",
      "flac audio            | {\"type\": \"input_audio\", \"input_audio\": {\"data\": \"AAAA\", \"format\": \"flac\"}} | wav or mp3",
      "an unknown part       | {\"type\": \"video_url\", \"video_url\": {\"url\": \"https://example.com/v.mp4\"}} | 'video_url'"})
  void contentPartsGeminiCannotTakeAreRefused(String what, String part, String reason) {
    var request = request("{\"model\": \"m\", \"messages\": [{\"role\": \"user\", \"content\": [" + part + "]}]}");
    Optional<String> refusal = codec.cannotExpress(request);
    assertTrue(refusal.isPresent() && refusal.get().contains(reason), what + ": " + refusal);
  }

  @Test
  void aToolResultForAnUnknownCallIsRefused() {
    var request = request("""
        {"model": "m", "messages": [{"role": "user", "content": "hi"},
          {"role": "tool", "tool_call_id": "call_nowhere", "content": "42"}]}""");
    assertTrue(codec.cannotExpress(request).orElseThrow().contains("call_nowhere"));
  }

  @Test
  void toolCallArgumentsThatAreNotAJsonObjectAreRefused() {
    var request = request("""
        {"model": "m", "messages": [{"role": "user", "content": "hi"},
          {"role": "assistant", "tool_calls": [{"id": "c", "type": "function", "function": {"name": "f", "arguments": "{\\"cut\\": "}}]}]}""");
    assertTrue(codec.cannotExpress(request).orElseThrow().contains("not a JSON object"));
  }

  @Test
  void aSystemMessageWithAnImageIsRefused() {
    var request = request("""
        {"model": "m", "messages": [
          {"role": "system", "content": [{"type": "image_url", "image_url": {"url": "https://example.com/a.png"}}]},
          {"role": "user", "content": "hi"}]}""");
    assertTrue(codec.cannotExpress(request).orElseThrow().contains("text only"));
  }
}
