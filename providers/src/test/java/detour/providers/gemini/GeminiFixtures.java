package detour.providers.gemini;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import detour.providers.model.ChatRequest;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/** Reads the recorded Gemini bodies under {@code fixtures/gemini/} on the test class path. */
final class GeminiFixtures {
  static final ObjectMapper JSON = new ObjectMapper();

  private GeminiFixtures() {}

  static byte[] bytes(String name) {
    try (InputStream in = GeminiFixtures.class.getResourceAsStream("/fixtures/gemini/" + name)) {
      if (in == null) throw new IllegalArgumentException("no fixture " + name);
      return in.readAllBytes();
    } catch (IOException unreadable) {
      throw new UncheckedIOException(unreadable);
    }
  }

  static String text(String name) {
    return new String(bytes(name), StandardCharsets.UTF_8);
  }

  static JsonNode json(String name) {
    return parse(text(name));
  }

  static JsonNode parse(String json) {
    try {
      return JSON.readTree(json);
    } catch (IOException malformed) {
      throw new UncheckedIOException(malformed);
    }
  }

  /**
   * The tree as it reads back from its JSON text, so that trees built in code compare equal to
   * parsed ones whatever the width of their numbers ({@code put(long)} against a parsed int).
   */
  static JsonNode reparsed(JsonNode tree) {
    return parse(tree.toString());
  }

  /** An OpenAI request from a fixture, or from inline JSON when {@code nameOrJson} starts with '{'. */
  static ChatRequest request(String nameOrJson) {
    JsonNode body = nameOrJson.startsWith("{") ? parse(nameOrJson) : json(nameOrJson);
    return new ChatRequest((ObjectNode) body);
  }
}
