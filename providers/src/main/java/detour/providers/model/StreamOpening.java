package detour.providers.model;

import akka.NotUsed;
import akka.stream.javadsl.Source;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * How asking an upstream for a stream went, once its response headers arrived: the stream, or a
 * classified failure. Like {@link CallResult}, never an exception.
 */
public sealed interface StreamOpening {
  /**
   * The upstream accepted the request and is streaming.
   *
   * @param chunks the answer as OpenAI {@code chat.completion.chunk} objects, in order, whatever the
   *     upstream's protocol; it ends with a chunk carrying {@code usage} (and empty {@code choices})
   *     when the upstream reported usage. It fails with a {@link ProviderStreamException} when the
   *     upstream breaks off (an error event, malformed data, a dropped connection, an end before the
   *     protocol's own end). Materialise it once; cancelling it cancels the upstream request.
   */
  record Opened(Source<ObjectNode, NotUsed> chunks) implements StreamOpening {}

  record Failed(ProviderFailure failure) implements StreamOpening {}
}
