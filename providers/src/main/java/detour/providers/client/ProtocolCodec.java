package detour.providers.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import detour.providers.model.CallResult;
import detour.providers.model.ChatRequest;
import detour.providers.model.ProviderFailure;
import detour.providers.model.Secret;
import java.util.Map;
import java.util.Optional;

/**
 * One wire protocol, translated to and from Detour's canonical form, which is OpenAI's chat
 * completions format (requests, {@code chat.completion} answers, {@code chat.completion.chunk}
 * stream chunks). Pure translation: no I/O, so that each protocol is tested against recorded
 * fixtures alone; {@link HttpProviderClient} does the transport for every protocol.
 *
 * <p>Implementations are immutable and thread-safe.
 */
public interface ProtocolCodec {
  /**
   * What in this request the protocol cannot express, if anything (a feature it has no field for):
   * such a request is not sent to this provider, and the reason goes into the route trace.
   */
  default Optional<String> cannotExpress(ChatRequest request) {
    return Optional.empty();
  }

  /**
   * The endpoint for a call, relative to the provider's base URL, query included: {@code
   * /chat/completions}, {@code /messages}, {@code /models/gemini-2.0-flash:streamGenerateContent?alt=sse}.
   */
  String path(String upstreamModel, boolean stream);

  /**
   * Headers every call carries besides the provider's configured extra headers: authentication and
   * protocol version. They go on the wire only, never into a log; the key within them is masked
   * anywhere else by the scrubber, which its {@link Secret} registered it with.
   */
  Map<String, String> headers(Optional<Secret> apiKey);

  /** The upstream's request body for this request, naming the upstream's own model. */
  ObjectNode requestBody(ChatRequest request, String upstreamModel, boolean stream);

  /**
   * Reads a 2xx non-streamed answer as an OpenAI {@code chat.completion}. A body that is not an
   * answer of this protocol is a {@link CallResult.Failed} of kind SERVER_ERROR.
   */
  CallResult answer(int status, JsonNode body, String upstreamModel);

  /**
   * Classifies a non-2xx answer by the protocol's own error body (see {@link FailureClassifier}).
   *
   * @param retryAfter the Retry-After header's value, if any
   * @param body the parsed body; a missing node when it was not JSON
   */
  ProviderFailure failure(int status, Optional<String> retryAfter, JsonNode body);

  /** A fresh translator for one streamed answer. */
  StreamTranslator streamTranslator(String upstreamModel);
}
