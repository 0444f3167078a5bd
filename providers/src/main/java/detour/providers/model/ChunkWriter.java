package detour.providers.model;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Writes OpenAI {@code chat.completion.chunk} objects for one streamed answer, so that every
 * protocol's translator produces the same shapes. One per stream.
 */
public final class ChunkWriter {
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private final String id;
  private final long created;
  private final String model;

  /**
   * @param id the completion's id, shared by all its chunks
   * @param created its creation time, in seconds since the epoch
   * @param model the upstream model that writes it
   */
  public ChunkWriter(String id, long created, String model) {
    this.id = id;
    this.created = created;
    this.model = model;
  }

  /** The first chunk: the assistant's role and empty content. */
  public ObjectNode role() {
    ObjectNode chunk = chunk();
    delta(chunk).put("role", "assistant").put("content", "");
    return chunk;
  }

  public ObjectNode content(String text) {
    ObjectNode chunk = chunk();
    delta(chunk).put("content", text);
    return chunk;
  }

  /** Starts the tool call at {@code index}: its id and function name, arguments still empty. */
  public ObjectNode toolCallStart(int index, String callId, String name) {
    ObjectNode chunk = chunk();
    ObjectNode call = toolCall(chunk, index).put("id", callId).put("type", "function");
    call.putObject("function").put("name", name).put("arguments", "");
    return chunk;
  }

  /** Appends a fragment of the JSON arguments of the tool call at {@code index}. */
  public ObjectNode toolCallArguments(int index, String fragment) {
    ObjectNode chunk = chunk();
    toolCall(chunk, index).putObject("function").put("arguments", fragment);
    return chunk;
  }

  /** The chunk that ends the choice, with OpenAI's finish reason. */
  public ObjectNode finish(String finishReason) {
    ObjectNode chunk = chunk();
    ((ObjectNode) chunk.get("choices").get(0)).put("finish_reason", finishReason);
    return chunk;
  }

  /** The last chunk: no choices, only the usage. */
  public ObjectNode usage(Usage usage) {
    ObjectNode chunk = header();
    chunk.putArray("choices");
    usage.writeOpenAi(chunk.putObject("usage"));
    return chunk;
  }

  private ObjectNode header() {
    return NODES.objectNode().put("id", id).put("object", "chat.completion.chunk").put("created", created)
        .put("model", model);
  }

  private ObjectNode chunk() {
    ObjectNode chunk = header();
    ObjectNode choice = chunk.putArray("choices").addObject();
    choice.put("index", 0);
    choice.putObject("delta");
    choice.putNull("finish_reason");
    return chunk;
  }

  private static ObjectNode delta(ObjectNode chunk) {
    return (ObjectNode) chunk.get("choices").get(0).get("delta");
  }

  private static ObjectNode toolCall(ObjectNode chunk, int index) {
    ArrayNode calls = delta(chunk).putArray("tool_calls");
    return calls.addObject().put("index", index);
  }
}
