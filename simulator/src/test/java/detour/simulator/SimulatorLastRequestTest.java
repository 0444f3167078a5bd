package detour.simulator;

import static detour.simulator.SimClient.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import detour.simulator.testing.SimulatorExtension;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@code GET /_simulator/last-request}: what the instance received, credentials redacted. */
class SimulatorLastRequestTest {

  @RegisterExtension static final SimulatorExtension simulator = new SimulatorExtension("a");
  private static SimulatedInstance a;
  private static final SimClient client = new SimClient();

  @BeforeAll
  static void findInstance() {
    a = simulator.instance("a");
  }

  @Test
  void showsPathHeadersAndBodyWithCredentialsRedactedButPresent() {
    String body = Wire.ANTHROPIC.body(false, "");
    client.send(
        HttpRequest.newBuilder(URI.create(Wire.ANTHROPIC.url(a, false)))
            .header("Content-Type", "application/json")
            .header("x-api-key", "sk-ant-secret")
            .header("Authorization", "Bearer sk-secret")
            .header("api-key", "azure-secret")
            .header("anthropic-version", "2023-06-01")
            .POST(BodyPublishers.ofString(body))
            .build());

    String text = lastRequest();
    assertFalse(text.contains("secret"), text);
    JsonNode last = json(text);
    assertEquals("/v1/messages", last.get("path").asText());
    JsonNode headers = last.get("headers");
    assertEquals("<redacted>", headers.get("x-api-key").asText());
    assertEquals("<redacted>", headers.get("authorization").asText());
    assertEquals("<redacted>", headers.get("api-key").asText());
    assertEquals("2023-06-01", headers.get("anthropic-version").asText());
    assertEquals("application/json", headers.get("content-type").asText());
    assertEquals(json(body), last.get("body"));
    assertTrue(last.get("query").isEmpty());
  }

  @Test
  void redactsGeminisKeyHeaderAndQueryParameter() {
    String url = Wire.GEMINI.url(a, true) + "&key=AIza-secret";
    client.send(
        HttpRequest.newBuilder(URI.create(url))
            .header("x-goog-api-key", "AIza-secret")
            .POST(BodyPublishers.ofString(Wire.GEMINI.body(true, "")))
            .build());

    String text = lastRequest();
    assertFalse(text.contains("secret"), text);
    JsonNode last = json(text);
    assertEquals("/v1beta/models/gemini-test:streamGenerateContent", last.get("path").asText());
    assertEquals("sse", last.at("/query/alt").asText());
    assertEquals("<redacted>", last.at("/query/key").asText());
    assertEquals("<redacted>", last.at("/headers/x-goog-api-key").asText());
  }

  @Test
  void recordsRefusedRequestsAndShowsABodyThatIsNotJsonAsText() {
    client.chat(a, Wire.OPENAI, "this is not json");

    JsonNode last = json(lastRequest());

    assertEquals("this is not json", last.get("body").asText());
    assertEquals("<redacted>", last.at("/headers/authorization").asText());
    assertEquals(1, a.stats().invalid());
  }

  @Test
  void isNotFoundBeforeTheFirstRequestAndAfterAReset() {
    assertEquals(404, client.control(a, "GET", "/_simulator/last-request", null).statusCode());
    client.chat(a, Wire.OPENAI, null);
    assertEquals(200, client.control(a, "GET", "/_simulator/last-request", null).statusCode());
    assertTrue(a.lastRequest().isPresent());

    client.control(a, "POST", "/_simulator/reset", null);

    assertEquals(404, client.control(a, "GET", "/_simulator/last-request", null).statusCode());
    assertTrue(a.lastRequest().isEmpty());
    assertEquals(405, client.control(a, "POST", "/_simulator/last-request", "{}").statusCode());
  }

  private static String lastRequest() {
    var response = client.control(a, "GET", "/_simulator/last-request", null);
    assertEquals(200, response.statusCode(), response.body());
    return response.body();
  }
}
