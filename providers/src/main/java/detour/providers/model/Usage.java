package detour.providers.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Tokens an upstream reports for one completion, in OpenAI's terms whatever the protocol.
 *
 * @param promptTokens tokens read, cached ones included
 * @param completionTokens tokens written
 * @param totalTokens their sum, as the upstream reported it
 * @param cachedTokens prompt tokens served from the provider's prompt cache, 0 when not reported
 */
public record Usage(int promptTokens, int completionTokens, int totalTokens, int cachedTokens) {
  public Usage(int promptTokens, int completionTokens, int totalTokens) {
    this(promptTokens, completionTokens, totalTokens, 0);
  }

  public static Usage none() {
    return new Usage(0, 0, 0, 0);
  }

  public static Usage of(int promptTokens, int completionTokens, int cachedTokens) {
    return new Usage(promptTokens, completionTokens, promptTokens + completionTokens, cachedTokens);
  }

  /** Reads an OpenAI {@code usage} object; a missing one reads as none. */
  public static Usage fromOpenAi(JsonNode usage) {
    int prompt = usage.path("prompt_tokens").asInt(0);
    int completion = usage.path("completion_tokens").asInt(0);
    return new Usage(prompt, completion, usage.path("total_tokens").asInt(prompt + completion),
        usage.path("prompt_tokens_details").path("cached_tokens").asInt(0));
  }

  /** Writes this as an OpenAI {@code usage} object into {@code target}. */
  public ObjectNode writeOpenAi(ObjectNode target) {
    target.put("prompt_tokens", promptTokens).put("completion_tokens", completionTokens).put("total_tokens", totalTokens);
    target.putObject("prompt_tokens_details").put("cached_tokens", cachedTokens);
    return target;
  }
}
