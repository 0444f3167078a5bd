package detour.simulator;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;

/**
 * Gemini answers: a GenerateContentResponse, {@code {"candidates":[{"content":{"role":"model",
 * "parts":[..]},"finishReason":..,"index":0}],"usageMetadata":{..},"modelVersion":..,
 * "responseId":..}}, whose part is {@code {"text":..}} or {@code {"functionCall":{"name":..,
 * "args":{..}}}}, and whose finish reason is {@code STOP} (tool calls included) or {@code
 * MAX_TOKENS}.
 *
 * <p>Streamed ({@code alt=sse}): one {@code data:} event per content chunk, each a partial
 * GenerateContentResponse with its text piece; the last also carries the finish reason and the
 * usage; then the stream simply ends. A function call comes whole, in one event. The in-stream
 * error is a {@code data:} event holding an {@code error} object (503 {@code UNAVAILABLE}).
 */
final class GeminiAnswers {

  private GeminiAnswers() {}

  /** The whole GenerateContentResponse of {@code reply}. */
  static ObjectNode response(Reply reply) {
    ObjectNode part = SimulatorJson.MAPPER.createObjectNode();
    if (reply.toolCall().isPresent()) {
      functionCall(part, reply);
    } else {
      part.put("text", reply.text());
    }
    return chunk(reply, part, true);
  }

  /** The stream of {@code reply} in at most {@code chunks} events. */
  static StreamScript script(Reply reply, int chunks) {
    List<ObjectNode> content = new ArrayList<>();
    if (reply.toolCall().isPresent()) {
      content.add(response(reply));
    } else {
      List<String> pieces = reply.textPieces(chunks);
      for (int i = 0; i < pieces.size(); i++) {
        ObjectNode part = SimulatorJson.MAPPER.createObjectNode().put("text", pieces.get(i));
        content.add(chunk(reply, part, i == pieces.size() - 1));
      }
    }
    return new StreamScript(
        List.of(),
        content.stream().map(SseWriter::data).toList(),
        List.of(),
        SseWriter.data(SseWriter.cut(content.get(0))),
        SseWriter.data(GeminiErrors.overloadedEnvelope()));
  }

  /** Gemini's spelling of a finish reason. */
  static String finishReason(Reply.Finish finish) {
    return finish == Reply.Finish.LENGTH ? "MAX_TOKENS" : "STOP";
  }

  private static ObjectNode chunk(Reply reply, ObjectNode part, boolean last) {
    ObjectNode root = SimulatorJson.MAPPER.createObjectNode();
    ObjectNode candidate = root.putArray("candidates").addObject();
    ObjectNode content = candidate.putObject("content");
    content.putArray("parts").add(part);
    content.put("role", "model");
    if (last) {
      candidate.put("finishReason", finishReason(reply.finish()));
    }
    candidate.put("index", 0);
    if (last) {
      ObjectNode usage = root.putObject("usageMetadata");
      usage.put("promptTokenCount", reply.promptTokens());
      usage.put("candidatesTokenCount", reply.completionTokens());
      usage.put("totalTokenCount", reply.totalTokens());
    }
    root.put("modelVersion", reply.model());
    root.put("responseId", "sim-" + reply.instance() + "-" + reply.sequence());
    return root;
  }

  private static void functionCall(ObjectNode part, Reply reply) {
    ObjectNode call = part.putObject("functionCall");
    call.put("name", reply.toolCall().orElseThrow().name());
    call.set("args", reply.toolCall().get().arguments());
  }
}
