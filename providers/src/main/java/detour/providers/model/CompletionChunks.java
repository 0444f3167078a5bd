package detour.providers.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;

/**
 * Replays a whole {@code chat.completion} as the chunks a stream of it would have sent: for an
 * upstream that answers whole although asked to stream.
 */
public final class CompletionChunks {
  private CompletionChunks() {}

  public static List<ObjectNode> of(ObjectNode completion) {
    ChunkWriter writer = new ChunkWriter(completion.path("id").asText("chatcmpl-detour"),
        completion.path("created").asLong(0), completion.path("model").asText(""));
    JsonNode message = completion.path("choices").path(0).path("message");
    List<ObjectNode> chunks = new ArrayList<>();
    chunks.add(writer.role());
    if (message.path("content").isTextual() && !message.path("content").asText().isEmpty()) {
      chunks.add(writer.content(message.path("content").asText()));
    }
    JsonNode calls = message.path("tool_calls");
    for (int i = 0; i < calls.size(); i++) {
      JsonNode call = calls.get(i);
      chunks.add(writer.toolCallStart(i, call.path("id").asText(), call.path("function").path("name").asText()));
      chunks.add(writer.toolCallArguments(i, call.path("function").path("arguments").asText("")));
    }
    chunks.add(writer.finish(completion.path("choices").path(0).path("finish_reason").asText("stop")));
    if (completion.has("usage")) chunks.add(writer.usage(Usage.fromOpenAi(completion.path("usage"))));
    return chunks;
  }
}
