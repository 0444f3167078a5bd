package detour.simulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import detour.simulator.SimulatedAnswers.ChatRequest;
import detour.simulator.SimulatedAnswers.InvalidChatRequest;
import java.nio.charset.StandardCharsets;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

/** The deterministic answer and its token arithmetic. */
class SimulatedAnswersTest {

  @Test
  void countsPromptTokensFromStringAndPartContent() throws Exception {
    ChatRequest request =
        parse(
            """
{"model":"m","messages":[
  {"role":"user","content":"12345678"},
  {"role":"user","content":[{"type":"text","text":"1234"},{"type":"image_url","image_url":{}}]},
  {"role":"assistant","content":null,"tool_calls":[]}]}
""");

    // (4 + 2) + (4 + 1) + (4 + 0)
    assertEquals(15, request.promptTokens());
    assertEquals(3, request.messageCount());
    assertEquals("m", request.model());
  }

  @Test
  void maxCompletionTokensWinsOverMaxTokens() throws Exception {
    ChatRequest request =
        parse("{\"max_tokens\":9,\"max_completion_tokens\":2,\"messages\":[{\"content\":\"x\"}]}");
    assertEquals(OptionalInt.of(2), request.maxTokens());
    assertEquals(SimulatedAnswers.DEFAULT_MODEL, request.model());

    JsonNode answer =
        new ObjectMapper().readTree(SimulatedAnswers.completion("z", 7, 1_700_000_000L, request));
    assertEquals("chatcmpl-sim-z-7", answer.get("id").asText());
    assertEquals(1_700_000_000L, answer.get("created").asLong());
    assertEquals("Simulate", answer.get("choices").get(0).get("message").get("content").asText());
    assertEquals(2, answer.get("usage").get("completion_tokens").asInt());
    assertEquals(7, answer.get("usage").get("total_tokens").asInt());
  }

  @Test
  void contentNamesTheInstanceAndTheMessageCount() {
    assertEquals(
        "Simulated answer from sim instance 'a' to 1 message.", SimulatedAnswers.content("a", 1));
    assertEquals(0, SimulatedAnswers.tokens(0));
    assertEquals(1, SimulatedAnswers.tokens(4));
    assertEquals(2, SimulatedAnswers.tokens(5));
  }

  @Test
  void refusesRequestsWithoutMessagesOrWithBadCaps() {
    assertThrows(InvalidChatRequest.class, () -> parse("{\"messages\":{}}"));
    assertThrows(InvalidChatRequest.class, () -> parse("[1]"));
    assertThrows(
        InvalidChatRequest.class,
        () -> parse("{\"max_tokens\":0,\"messages\":[{\"content\":\"x\"}]}"));
    assertThrows(
        InvalidChatRequest.class,
        () -> parse("{\"max_tokens\":\"5\",\"messages\":[{\"content\":\"x\"}]}"));
  }

  private static ChatRequest parse(String json) throws InvalidChatRequest {
    return SimulatedAnswers.parse(json.getBytes(StandardCharsets.UTF_8));
  }
}
