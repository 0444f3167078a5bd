package detour.providers.client;

import detour.providers.model.CallResult;
import detour.providers.model.ChatRequest;
import java.util.concurrent.CompletionStage;

/**
 * Calls one provider. Every outcome, a refused connection included, completes the stage with a
 * {@link CallResult}; the stage fails only on a bug.
 */
public interface ProviderClient {
  /** The provider's name in the configuration. */
  String provider();

  CompletionStage<CallResult> complete(ChatRequest request, String upstreamModel);
}
