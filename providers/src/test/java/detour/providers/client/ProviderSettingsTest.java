package detour.providers.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import org.junit.jupiter.api.Test;

/** A provider block as read from configuration: URLs, query parameters, the stream timeouts. */
class ProviderSettingsTest {
  private static final Config REFERENCE = ConfigFactory.defaultReference();

  private static ProviderSettings read(String block) {
    return ProviderSettings.from("p", ConfigFactory.parseString(block),
        REFERENCE.getConfig("detour.provider-defaults"), REFERENCE.getConfig("detour.breaker"));
  }

  @Test
  void azureStyleQueryParametersAreAddedToEveryEndpointEncoded() {
    var azure = read("base-url = \"https://res.openai.azure.com/openai/deployments/gpt4o/\", "
        + "query { api-version = \"2024-10-21\", note = \"a b&c\" }");

    assertEquals("https://res.openai.azure.com/openai/deployments/gpt4o/chat/completions?api-version=2024-10-21"
        + "&note=a+b%26c", azure.endpoint("/chat/completions"));
  }

  @Test
  void aPathThatHasItsOwnQueryKeepsItAndGainsTheConfiguredOnes() {
    var gemini = read("base-url = \"https://generativelanguage.googleapis.com/v1beta\", query { x = 1 }");

    assertEquals("https://generativelanguage.googleapis.com/v1beta/models/g:streamGenerateContent?alt=sse&x=1",
        gemini.endpoint("/models/g:streamGenerateContent?alt=sse"));
  }

  @Test
  void withoutQueryTheEndpointIsTheBaseUrlAndThePath() {
    assertEquals("http://127.0.0.1:9/v1/messages", read("base-url = \"http://127.0.0.1:9/v1\"").endpoint("/messages"));
  }

  @Test
  void streamTimeoutsHaveDefaultsAndMustBePositive() {
    var defaults = read("base-url = \"http://127.0.0.1:9/v1\"");
    assertEquals(20, defaults.firstTokenTimeout().toSeconds());
    assertEquals(30, defaults.interTokenTimeout().toSeconds());

    var refused = assertThrows(ConfigException.BadValue.class,
        () -> read("base-url = \"http://127.0.0.1:9/v1\", first-token-timeout = 0s"));
    assertTrue(refused.getMessage().contains("first-token-timeout must be positive"), refused.getMessage());
  }
}
