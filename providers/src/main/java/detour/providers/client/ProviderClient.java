package detour.providers.client;

import detour.providers.model.CallResult;
import detour.providers.model.ChatRequest;
import detour.providers.model.ProviderFailure;
import detour.providers.model.StreamOpening;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

/**
 * Calls one provider, in its own protocol, with requests and answers in Detour's canonical
 * (OpenAI) form. Every outcome, a refused connection included, completes the stage with a value;
 * the stage fails only on a bug.
 */
public interface ProviderClient {
  /** The provider's name in the configuration. */
  String provider();

  /** What in this request the provider's protocol cannot express, if anything: then it is not sent. */
  default Optional<String> cannotExpress(ChatRequest request) {
    return Optional.empty();
  }

  /**
   * A failure without an answer, judged with the size of the request's body against what this
   * provider has answered ({@link FailureClassifier#withBodySize}): for an attempt the coordinator
   * gave up on itself, at its own timeout. By default the failure as it is.
   */
  default ProviderFailure judgedBySize(ProviderFailure noAnswer, ChatRequest request, String upstreamModel) {
    return noAnswer;
  }

  /** Asks for a whole answer. */
  CompletionStage<CallResult> complete(ChatRequest request, String upstreamModel);

  /** Asks for a streamed answer; completes when the upstream's response headers arrive. */
  CompletionStage<StreamOpening> stream(ChatRequest request, String upstreamModel);
}
