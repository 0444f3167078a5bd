package detour.providers.anthropic;

import com.fasterxml.jackson.databind.JsonNode;
import detour.providers.model.Usage;

/**
 * Reads Anthropic's {@code usage} in OpenAI's terms. Anthropic counts the prompt in three parts,
 * tokens read from its prompt cache and tokens written to it apart from the rest; OpenAI's
 * {@code prompt_tokens} is all of them, with the cache reads also given as {@code cached_tokens}.
 */
final class AnthropicUsage {
  private AnthropicUsage() {}

  static Usage of(JsonNode usage) {
    int cacheRead = usage.path("cache_read_input_tokens").asInt(0);
    int prompt = usage.path("input_tokens").asInt(0) + cacheRead + usage.path("cache_creation_input_tokens").asInt(0);
    return Usage.of(prompt, usage.path("output_tokens").asInt(0), cacheRead);
  }
}
