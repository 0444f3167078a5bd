package detour.providers.anthropic;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import detour.persistence.breaker.FailureKind;
import detour.providers.client.FailureClassifier;
import detour.providers.client.StreamEventData;
import detour.providers.client.StreamTranslator;
import detour.providers.model.ChunkWriter;
import detour.providers.model.ProviderFailure;
import detour.providers.model.ProviderStreamException;
import detour.providers.sse.SseEvent;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Turns one Anthropic event stream into OpenAI chunks. Anthropic streams content blocks by their
 * index in the message; OpenAI numbers tool calls alone, so each {@code tool_use} block gets the
 * next tool call index. {@code message_start} gives the role chunk, text and tool-input deltas the
 * content and argument chunks, {@code message_delta} the finish chunk, and {@code message_stop}
 * the usage chunk, which ends the answer. Pings, thinking blocks and event types Anthropic may add
 * later are passed over.
 */
final class AnthropicStreamTranslator implements StreamTranslator {
  /** The events this translator reads; Anthropic may add others, which are passed over. */
  private static final Set<String> EVENTS = Set.of("message_start", "content_block_start",
      "content_block_delta", "content_block_stop", "message_delta", "message_stop", "error");

  private final String upstreamModel;
  private final InstantSource clock;
  private final Map<Integer, Block> blocks = new HashMap<>();
  private final ObjectNode usage = JsonNodeFactory.instance.objectNode();
  private ChunkWriter writer;
  private int toolCalls;
  private boolean calledTools;
  private boolean finished;
  private boolean stopped;
  private int chunks;

  AnthropicStreamTranslator(String upstreamModel, InstantSource clock) {
    this.upstreamModel = upstreamModel;
    this.clock = clock;
  }

  @Override
  public List<ObjectNode> onEvent(SseEvent event) {
    if (stopped) return List.of();  // nothing follows message_stop; ignore whatever does
    String name = event.event();
    if (name.equals("ping")) return List.of();
    if (!name.isEmpty() && !EVENTS.contains(name)) return List.of();  // a newer event type
    JsonNode data = parse(event.data());
    if (name.isEmpty()) {
      name = data.path("type").asText("");
      if (!EVENTS.contains(name)) return List.of();
    }
    List<ObjectNode> out = switch (name) {
      case "message_start" -> messageStart(data.path("message"));
      case "content_block_start" -> blockStart(data.path("index").asInt(), data.path("content_block"));
      case "content_block_delta" -> blockDelta(data.path("index").asInt(), data.path("delta"));
      case "content_block_stop" -> blockStop(data.path("index").asInt());
      case "message_delta" -> messageDelta(data);
      case "message_stop" -> messageStop();
      case "error" -> throw new ProviderStreamException(FailureClassifier.inStream(
          data.path("error").path("type").asText(""), data.path("error").path("message").asText("")));
      default -> List.of();
    };
    chunks += out.size();
    return out;
  }

  @Override
  public List<ObjectNode> onClose() {
    if (!stopped) {
      throw new ProviderStreamException(ProviderFailure.of(FailureKind.CONNECTION_RESET, 200,
          "the stream ended without message_stop after " + chunks + " chunks"));
    }
    return List.of();
  }

  private List<ObjectNode> messageStart(JsonNode message) {
    if (writer != null) throw broken("a second message_start");
    writer = new ChunkWriter(message.path("id").asText(""), clock.instant().getEpochSecond(),
        message.path("model").asText(upstreamModel));
    merge(message.path("usage"));
    return List.of(writer.role());
  }

  private List<ObjectNode> blockStart(int index, JsonNode block) {
    started("content_block_start");
    switch (block.path("type").asText("")) {
      case "text" -> {
        blocks.put(index, Block.text());
        String text = block.path("text").asText("");
        return text.isEmpty() ? List.of() : List.of(writer.content(text));
      }
      case "tool_use" -> {
        String input = block.path("input").isObject() ? block.get("input").toString() : "{}";
        if (block.path("name").asText("").equals(AnthropicRequests.JSON_TOOL)) {
          blocks.put(index, Block.json(input));
          return List.of();
        }
        Block tool = Block.tool(toolCalls++, input);
        calledTools = true;
        blocks.put(index, tool);
        return List.of(writer.toolCallStart(tool.toolIndex, block.path("id").asText(""),
            block.path("name").asText("")));
      }
      default -> {
        blocks.put(index, Block.ignored());  // thinking, redacted_thinking, server tools
        return List.of();
      }
    }
  }

  private List<ObjectNode> blockDelta(int index, JsonNode delta) {
    started("content_block_delta");
    // A text delta for a block that never started is still text: better shown than lost.
    Block block = blocks.getOrDefault(index, Block.text());
    switch (delta.path("type").asText("")) {
      case "text_delta" -> {
        String text = delta.path("text").asText("");
        return block.kind == Kind.TEXT && !text.isEmpty() ? List.of(writer.content(text)) : List.of();
      }
      case "input_json_delta" -> {
        String fragment = delta.path("partial_json").asText("");
        if (fragment.isEmpty()) return List.of();
        if (block.kind == Kind.TOOL) {
          block.gotInput = true;
          return List.of(writer.toolCallArguments(block.toolIndex, fragment));
        }
        if (block.kind == Kind.JSON) {
          block.gotInput = true;
          return List.of(writer.content(fragment));
        }
        return List.of();
      }
      default -> {
        return List.of();  // thinking_delta, signature_delta, citations_delta
      }
    }
  }

  /** A tool whose input came whole with its start (no deltas) gets it here, as one fragment. */
  private List<ObjectNode> blockStop(int index) {
    started("content_block_stop");
    Block block = blocks.getOrDefault(index, Block.ignored());
    if (block.gotInput) return List.of();
    if (block.kind == Kind.TOOL) return List.of(writer.toolCallArguments(block.toolIndex, block.initialInput));
    if (block.kind == Kind.JSON) return List.of(writer.content(block.initialInput));
    return List.of();
  }

  private List<ObjectNode> messageDelta(JsonNode data) {
    started("message_delta");
    merge(data.path("usage"));
    JsonNode stopReason = data.path("delta").path("stop_reason");
    if (!stopReason.isTextual() || finished) return List.of();
    finished = true;
    return List.of(writer.finish(AnthropicStopReasons.finishReason(stopReason.asText(), calledTools)));
  }

  private List<ObjectNode> messageStop() {
    started("message_stop");
    stopped = true;
    List<ObjectNode> out = new ArrayList<>(2);
    if (!finished) out.add(writer.finish(AnthropicStopReasons.finishReason(null, calledTools)));
    out.add(writer.usage(AnthropicUsage.of(usage)));
    return out;
  }

  /** Later counts replace earlier ones: Anthropic's are running totals, not increments. */
  private void merge(JsonNode counts) {
    counts.fields().forEachRemaining(field -> {
      if (field.getValue().isNumber()) usage.set(field.getKey(), field.getValue());
    });
  }

  private void started(String event) {
    if (writer == null) throw broken(event + " before message_start");
  }

  private JsonNode parse(String data) {
    return StreamEventData.parse(data, true, chunks);
  }

  private ProviderStreamException broken(String what) {
    return new ProviderStreamException(ProviderFailure.of(FailureKind.SERVER_ERROR, 200,
        "the stream sent " + what + " after " + chunks + " chunks"));
  }

  /** What a content block of the message is to the translator. */
  private enum Kind { TEXT, TOOL, JSON, IGNORED }

  /** One content block's translation state. */
  private static final class Block {
    final Kind kind;
    final int toolIndex;
    final String initialInput;
    boolean gotInput;

    private Block(Kind kind, int toolIndex, String initialInput) {
      this.kind = kind;
      this.toolIndex = toolIndex;
      this.initialInput = initialInput;
    }

    static Block text() {
      return new Block(Kind.TEXT, -1, "");
    }

    static Block tool(int toolIndex, String initialInput) {
      return new Block(Kind.TOOL, toolIndex, initialInput);
    }

    static Block json(String initialInput) {
      return new Block(Kind.JSON, -1, initialInput);
    }

    static Block ignored() {
      return new Block(Kind.IGNORED, -1, "");
    }
  }
}
