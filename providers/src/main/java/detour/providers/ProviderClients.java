package detour.providers;

import akka.actor.typed.ActorSystem;
import com.fasterxml.jackson.databind.ObjectMapper;
import detour.providers.client.ProviderClient;
import detour.providers.client.ProviderSettings;
import detour.providers.openai.OpenAiClient;

/** Makes the client that speaks a provider's protocol. */
public final class ProviderClients {
  private ProviderClients() {}

  public static ProviderClient create(ProviderSettings settings, ActorSystem<?> system, ObjectMapper json) {
    return switch (settings.protocol()) {
      case OPENAI, OPENAI_COMPATIBLE -> new OpenAiClient(settings, system, json);
    };
  }
}
