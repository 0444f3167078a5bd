package detour.router.coordinator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import detour.providers.model.Usage;

/**
 * What one stream has carried so far, written by its stream stage and read by its coordinator once
 * the stream has ended (hence volatile): chunks, the usage reported, whether a finish reason came.
 */
final class StreamProgress {
  private volatile int chunks;
  private volatile Usage usage = Usage.none();
  private volatile boolean finishReasonSeen;

  /** Notes one chunk on its way through; returns it unchanged. */
  ObjectNode see(ObjectNode chunk) {
    chunks++;
    JsonNode reported = chunk.get("usage");
    if (reported != null && reported.isObject()) usage = Usage.fromOpenAi(reported);
    for (JsonNode choice : chunk.path("choices")) {
      if (choice.hasNonNull("finish_reason")) finishReasonSeen = true;
    }
    return chunk;
  }

  int chunks() {
    return chunks;
  }

  Usage usage() {
    return usage;
  }

  boolean finishReasonSeen() {
    return finishReasonSeen;
  }
}
