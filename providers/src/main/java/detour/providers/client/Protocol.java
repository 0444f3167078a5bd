package detour.providers.client;

import java.util.Arrays;
import java.util.stream.Collectors;

/** The wire protocols a provider may speak, by their configuration names. */
public enum Protocol {
  /** OpenAI's chat completions. */
  OPENAI("openai"),
  /** The same protocol at any base URL (vLLM, Ollama, Groq, Mistral, OpenRouter, the simulator). */
  OPENAI_COMPATIBLE("openai-compatible"),
  /** Anthropic's Messages API. */
  ANTHROPIC("anthropic"),
  /** Google's Gemini API (generateContent, streamGenerateContent). */
  GEMINI("gemini");

  private final String configName;

  Protocol(String configName) {
    this.configName = configName;
  }

  public String configName() {
    return configName;
  }

  public static Protocol fromConfig(String name) {
    for (Protocol p : values()) {
      if (p.configName.equals(name)) return p;
    }
    throw new IllegalArgumentException("unknown protocol '" + name + "'; known: "
        + Arrays.stream(values()).map(Protocol::configName).collect(Collectors.joining(", ")));
  }
}
