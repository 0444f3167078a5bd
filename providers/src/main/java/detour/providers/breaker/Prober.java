package detour.providers.breaker;

import detour.providers.model.CallResult;
import java.util.concurrent.CompletionStage;

/**
 * Sends the breaker's own probe, a tiny request, so that a half-open circuit can be tested without
 * waiting for real traffic. Off by default: it costs tokens.
 */
@FunctionalInterface
public interface Prober {
  CompletionStage<CallResult> probe();
}
