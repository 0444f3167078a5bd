package detour.providers.client;

import com.fasterxml.jackson.databind.node.ObjectNode;
import detour.providers.model.ProviderStreamException;
import detour.providers.sse.SseEvent;
import java.util.List;

/**
 * Turns one upstream stream's events into OpenAI {@code chat.completion.chunk} objects. Stateful,
 * one per stream, called from one thread at a time.
 *
 * <p>It must end the stream with a usage chunk ({@code "choices": []} and {@code usage}) whenever
 * the upstream reported usage, so that the router can account for every stream's tokens.
 */
public interface StreamTranslator {
  /**
   * The chunks one upstream event becomes; often none (pings, block stops).
   *
   * @throws ProviderStreamException when the event is an error, or is not what the protocol sends
   *     (malformed JSON included)
   */
  List<ObjectNode> onEvent(SseEvent event);

  /**
   * The upstream closed its stream; returns any chunks still held.
   *
   * @throws ProviderStreamException when it closed before the protocol's own end ({@code [DONE]},
   *     {@code message_stop}, a final {@code finishReason}): the answer is cut short
   */
  List<ObjectNode> onClose();
}
