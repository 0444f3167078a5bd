package detour.simulator;

import akka.util.ByteString;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * An OpenAI chat-completions stream: {@code data:} events of {@code chat.completion.chunk}s. The
 * first chunk's delta has {@code role:"assistant"} and {@code content:""} (for a tool call: {@code
 * content:null} and the call's index 0, id, type and {@code function.name}, with empty arguments);
 * the content chunks carry the text pieces (or the arguments in two or more fragments); a last
 * chunk has an empty delta and the {@code finish_reason}; with {@code stream_options.include_usage}
 * every chunk has {@code "usage":null} and a final chunk with {@code "choices":[]} carries the
 * usage; then {@code data: [DONE]}.
 */
final class OpenAiStream {

  private OpenAiStream() {}

  /** The stream of {@code reply} in at most {@code chunks} content chunks. */
  static StreamScript script(Reply reply, boolean includeUsage, int chunks) {
    List<ObjectNode> content = new ArrayList<>();
    ObjectNode opening = SimulatorJson.MAPPER.createObjectNode().put("role", "assistant");
    if (reply.toolCall().isPresent()) {
      opening.putNull("content");
      ObjectNode call = toolCallDelta(opening);
      call.put("id", SimulatedAnswers.toolCallId(reply));
      call.put("type", "function");
      call.putObject("function").put("name", reply.toolCall().get().name()).put("arguments", "");
      for (String fragment : reply.argumentPieces(chunks)) {
        ObjectNode delta = SimulatorJson.MAPPER.createObjectNode();
        toolCallDelta(delta).putObject("function").put("arguments", fragment);
        content.add(chunk(reply, delta, null, includeUsage));
      }
    } else {
      opening.put("content", "");
      for (String piece : reply.textPieces(chunks)) {
        ObjectNode delta = SimulatorJson.MAPPER.createObjectNode().put("content", piece);
        content.add(chunk(reply, delta, null, includeUsage));
      }
    }

    List<ByteString> closing = new ArrayList<>();
    closing.add(
        SseWriter.data(
            chunk(
                reply,
                SimulatorJson.MAPPER.createObjectNode(),
                SimulatedAnswers.finishReason(reply.finish()),
                includeUsage)));
    if (includeUsage) {
      ObjectNode usage = frame(reply);
      usage.putArray("choices");
      usage.set("usage", SimulatedAnswers.usage(reply));
      closing.add(SseWriter.data(usage));
    }
    closing.add(SseWriter.data("[DONE]"));

    return new StreamScript(
        List.of(SseWriter.data(chunk(reply, opening, null, includeUsage))),
        content.stream().map(SseWriter::data).toList(),
        closing,
        SseWriter.data(SseWriter.cut(content.get(0))),
        SseWriter.data(
            new String(OpenAiErrors.overloaded(reply.instance()), StandardCharsets.UTF_8)));
  }

  private static ObjectNode toolCallDelta(ObjectNode delta) {
    ObjectNode call = delta.putArray("tool_calls").addObject();
    call.put("index", 0);
    return call;
  }

  private static ObjectNode chunk(
      Reply reply, ObjectNode delta, String finishReason, boolean includeUsage) {
    ObjectNode chunk = frame(reply);
    ObjectNode choice = chunk.putArray("choices").addObject();
    choice.put("index", 0);
    choice.set("delta", delta);
    choice.putNull("logprobs");
    choice.put("finish_reason", finishReason);
    if (includeUsage) {
      chunk.putNull("usage");
    }
    return chunk;
  }

  private static ObjectNode frame(Reply reply) {
    ObjectNode chunk = SimulatorJson.MAPPER.createObjectNode();
    chunk.put("id", SimulatedAnswers.completionId(reply));
    chunk.put("object", "chat.completion.chunk");
    chunk.put("created", reply.createdEpochSeconds());
    chunk.put("model", reply.model());
    return chunk;
  }
}
