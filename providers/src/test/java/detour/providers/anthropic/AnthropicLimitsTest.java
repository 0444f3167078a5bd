package detour.providers.anthropic;

import static detour.providers.anthropic.AnthropicFixtures.JSON;
import static detour.providers.anthropic.AnthropicFixtures.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import detour.providers.model.ChatRequest;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** What an Anthropic provider is never sent, and what it is. */
class AnthropicLimitsTest {
  private static final String HI = "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]";
  private static final String TOOLS = "\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"f\"}}]";
  private final AnthropicCodec codec = new AnthropicCodec(AnthropicFixtures.CLOCK);

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "{\"n\":2," + HI + "}|n > 1",
      "{\"logprobs\":true," + HI + "}|logprobs",
      "{\"top_logprobs\":3," + HI + "}|logprobs",
      "{\"logit_bias\":{\"50256\":-100}," + HI + "}|logit_bias",
      "{\"modalities\":[\"text\",\"audio\"]," + HI + "}|audio",
      "{\"audio\":{\"voice\":\"alloy\",\"format\":\"wav\"}," + HI + "}|audio",
      "{\"web_search_options\":{}," + HI + "}|web_search_options",
      "{\"functions\":[{\"name\":\"f\"}]," + HI + "}|functions",
      "{\"tools\":[{\"type\":\"custom\",\"custom\":{\"name\":\"x\"}}]," + HI + "}|type 'custom'",
      "{\"tool_choice\":{\"type\":\"allowed_tools\"}," + TOOLS + "," + HI + "}|allowed_tools",
      "{\"response_format\":{\"type\":\"json_schema\",\"json_schema\":"
          + "{\"name\":\"s\",\"schema\":{\"type\":\"object\"}}}," + TOOLS + "," + HI + "}|together with tools",
      "{\"response_format\":{\"type\":\"json_schema\",\"json_schema\":"
          + "{\"name\":\"s\",\"schema\":{\"type\":\"array\"}}}," + HI + "}|root is not an object",
      "{\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"input_audio\",\"input_audio\":{\"data\":\"AAA\","
          + "\"format\":\"wav\"}}]}]}|no audio input",
      "{\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"image_url\",\"image_url\":"
          + "{\"url\":\"data:image/tiff;base64,AAA\"}}]}]}|image/tiff",
      "{\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"image_url\",\"image_url\":"
          + "{\"url\":\"ftp://example.com/a.png\"}}]}]}|neither an http(s) URL",
      "{\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"file\","
          + "\"file\":{\"file_id\":\"file-abc\"}}]}]}|file_id",
      "{\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"file\",\"file\":"
          + "{\"file_data\":\"data:text/csv;base64,YSxi\"}}]}]}|PDF only",
      "{\"messages\":[{\"role\":\"function\",\"name\":\"f\",\"content\":\"1\"}]}|role 'function'",
      "{\"messages\":[{\"role\":\"system\",\"content\":[{\"type\":\"image_url\",\"image_url\":"
          + "{\"url\":\"https://example.com/a.png\"}}]}," + "{\"role\":\"user\",\"content\":\"hi\"}]}|only text",
      "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"},{\"role\":\"assistant\",\"tool_calls\":[{\"id\":\"t\","
          + "\"type\":\"function\",\"function\":{\"name\":\"f\",\"arguments\":\"{not json\"}}]}]}|not a JSON object",
      "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"},"
          + "{\"role\":\"assistant\",\"audio\":{\"id\":\"a1\"}}]}|audio"})
  void refusesWhatTheMessagesApiCannotExpress(String request, String reasonMentions) throws Exception {
    Optional<String> reason = codec.cannotExpress(new ChatRequest((ObjectNode) JSON.readTree(request)));
    assertTrue(reason.isPresent(), "should be refused: " + request);
    assertTrue(reason.get().contains(reasonMentions), reason.get());
  }

  @ParameterizedTest
  @ValueSource(strings = {"request-tools.openai.json", "request-media.openai.json", "request-json-schema.openai.json"})
  void acceptsEverythingItTranslates(String fixture) {
    assertEquals(Optional.empty(), codec.cannotExpress(new ChatRequest(json(fixture))));
  }

  @Test
  void acceptsOneChoiceAndFieldsItOnlyDrops() throws Exception {
    String request = "{\"n\":1,\"logprobs\":false,\"logit_bias\":{},\"seed\":3,\"presence_penalty\":0.4,"
        + "\"response_format\":{\"type\":\"text\"},\"modalities\":[\"text\"]," + HI + "}";
    assertEquals(Optional.empty(), codec.cannotExpress(new ChatRequest((ObjectNode) JSON.readTree(request))));
  }
}
