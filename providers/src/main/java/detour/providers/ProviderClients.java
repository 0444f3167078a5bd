package detour.providers;

import akka.actor.typed.ActorSystem;
import com.fasterxml.jackson.databind.ObjectMapper;
import detour.providers.anthropic.AnthropicCodec;
import detour.providers.client.HttpProviderClient;
import detour.providers.client.ProtocolCodec;
import detour.providers.client.ProviderClient;
import detour.providers.client.ProviderSettings;
import detour.providers.gemini.GeminiCodec;
import detour.providers.openai.OpenAiCodec;

/** Makes the client that speaks a provider's protocol. */
public final class ProviderClients {
  private ProviderClients() {}

  public static ProviderClient create(ProviderSettings settings, ActorSystem<?> system, ObjectMapper json) {
    return new HttpProviderClient(settings, codec(settings), system, json);
  }

  static ProtocolCodec codec(ProviderSettings settings) {
    return switch (settings.protocol()) {
      case OPENAI, OPENAI_COMPATIBLE -> new OpenAiCodec();
      case ANTHROPIC -> new AnthropicCodec();
      case GEMINI -> new GeminiCodec();
    };
  }
}
