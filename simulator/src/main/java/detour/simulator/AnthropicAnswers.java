package detour.simulator;

import akka.util.ByteString;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;

/**
 * Anthropic Messages answers. Non-streamed: a Message object ({@code id} {@code msg_sim_..}, {@code
 * type:"message"}, {@code role:"assistant"}, {@code model}, one {@code text} or {@code tool_use}
 * content block, {@code stop_reason} {@code end_turn} / {@code max_tokens} / {@code tool_use},
 * {@code stop_sequence:null}, and {@code usage} with input, output, cache-read and cache-creation
 * tokens).
 *
 * <p>Streamed: named events {@code message_start} (the message with empty content), {@code
 * content_block_start}, {@code ping}, the content events ({@code content_block_delta} with {@code
 * text_delta}s, or {@code input_json_delta}s whose {@code partial_json} fragments make up the tool
 * input), {@code content_block_stop}, {@code message_delta} (stop reason and output tokens) and
 * {@code message_stop}. The in-stream error is {@code event: error} with {@code overloaded_error}.
 */
final class AnthropicAnswers {

  private AnthropicAnswers() {}

  /** The Message object of {@code reply}. */
  static ObjectNode message(Reply reply) {
    ObjectNode message = messageFrame(reply);
    ObjectNode block = message.putArray("content").addObject();
    if (reply.toolCall().isPresent()) {
      toolUse(block, reply);
      block.set("input", reply.toolCall().get().arguments());
    } else {
      block.put("type", "text");
      block.put("text", reply.text());
    }
    message.put("stop_reason", stopReason(reply.finish()));
    message.putNull("stop_sequence");
    message.set("usage", usage(reply, reply.completionTokens()));
    return message;
  }

  /** The event stream of {@code reply} in at most {@code chunks} content events. */
  static StreamScript script(Reply reply, int chunks) {
    ObjectNode start = type("message_start");
    ObjectNode startMessage = messageFrame(reply);
    startMessage.putArray("content");
    startMessage.putNull("stop_reason");
    startMessage.putNull("stop_sequence");
    startMessage.set("usage", usage(reply, 1));
    start.set("message", startMessage);

    ObjectNode blockStart = type("content_block_start").put("index", 0);
    ObjectNode block = blockStart.putObject("content_block");
    List<ObjectNode> deltas = new ArrayList<>();
    if (reply.toolCall().isPresent()) {
      toolUse(block, reply);
      block.putObject("input");
      for (String fragment : reply.argumentPieces(chunks)) {
        deltas.add(delta("input_json_delta", "partial_json", fragment));
      }
    } else {
      block.put("type", "text");
      block.put("text", "");
      for (String piece : reply.textPieces(chunks)) {
        deltas.add(delta("text_delta", "text", piece));
      }
    }

    ObjectNode messageDelta = type("message_delta");
    messageDelta
        .putObject("delta")
        .put("stop_reason", stopReason(reply.finish()))
        .putNull("stop_sequence");
    messageDelta.putObject("usage").put("output_tokens", reply.completionTokens());

    return new StreamScript(
        List.of(event(start), event(blockStart), event(type("ping"))),
        deltas.stream().map(AnthropicAnswers::event).toList(),
        List.of(
            event(type("content_block_stop").put("index", 0)),
            event(messageDelta),
            event(type("message_stop"))),
        SseWriter.event("content_block_delta", SseWriter.cut(deltas.get(0))),
        SseWriter.event("error", AnthropicErrors.envelope("overloaded_error", "Overloaded")));
  }

  /** Anthropic's spelling of a finish reason. */
  static String stopReason(Reply.Finish finish) {
    return switch (finish) {
      case STOP -> "end_turn";
      case LENGTH -> "max_tokens";
      case TOOL_CALL -> "tool_use";
    };
  }

  private static ObjectNode messageFrame(Reply reply) {
    ObjectNode message = SimulatorJson.MAPPER.createObjectNode();
    message.put("id", "msg_sim_" + reply.instance() + "_" + reply.sequence());
    message.put("type", "message");
    message.put("role", "assistant");
    message.put("model", reply.model());
    return message;
  }

  private static void toolUse(ObjectNode block, Reply reply) {
    block.put("type", "tool_use");
    block.put("id", "toolu_sim_" + reply.instance() + "_" + reply.sequence());
    block.put("name", reply.toolCall().orElseThrow().name());
  }

  private static ObjectNode usage(Reply reply, int outputTokens) {
    ObjectNode usage = SimulatorJson.MAPPER.createObjectNode();
    usage.put("input_tokens", reply.promptTokens());
    usage.put("output_tokens", outputTokens);
    usage.put("cache_creation_input_tokens", 0);
    usage.put("cache_read_input_tokens", 0);
    return usage;
  }

  private static ObjectNode delta(String deltaType, String field, String value) {
    ObjectNode event = type("content_block_delta").put("index", 0);
    event.putObject("delta").put("type", deltaType).put(field, value);
    return event;
  }

  private static ObjectNode type(String type) {
    return SimulatorJson.MAPPER.createObjectNode().put("type", type);
  }

  /** The event named after its data's {@code type}. */
  private static ByteString event(ObjectNode data) {
    return SseWriter.event(data.get("type").asText(), data);
  }
}
