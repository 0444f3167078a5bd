package detour.simulator;

import detour.simulator.SimulatedAnswers.ChatRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * One simulated answer, before any protocol renders it: the text or the tool call, why it ended,
 * and its token counts. Every protocol builds its answer, streamed or not, from the same reply.
 *
 * <p>The text is {@link SimulatedAnswers#content}, repeated or cut to {@code answer_bytes}
 * characters when the shape sets that, then cut to {@code 4 * cap} characters (finish {@link
 * Finish#LENGTH}) when the request caps the output below its token count. A request that declares
 * tools, and whose last message is not a tool result, gets a call to its first tool instead (finish
 * {@link Finish#TOOL_CALL}); its completion tokens count the arguments' JSON.
 */
record Reply(
    String instance,
    long sequence,
    long createdEpochSeconds,
    String model,
    String text,
    Optional<ToolSpec> toolCall,
    Finish finish,
    int promptTokens,
    int completionTokens) {

  /** Why the answer ended, in neutral terms; each protocol spells it its own way. */
  enum Finish {
    STOP,
    LENGTH,
    TOOL_CALL
  }

  /** The reply of {@code instance} (its {@code sequence}-th answer) to {@code request}. */
  static Reply to(
      String instance,
      long sequence,
      long createdEpochSeconds,
      ChatRequest request,
      StreamShape shape) {
    if (request.tool().isPresent()) {
      ToolSpec tool = request.tool().get();
      return new Reply(
          instance,
          sequence,
          createdEpochSeconds,
          request.model(),
          "",
          Optional.of(tool),
          Finish.TOOL_CALL,
          request.promptTokens(),
          SimulatedAnswers.tokens(tool.argumentsJson().length()));
    }
    String text = sized(SimulatedAnswers.content(instance, request.messageCount()), shape);
    int completionTokens = SimulatedAnswers.tokens(text.length());
    Finish finish = Finish.STOP;
    if (request.maxTokens().isPresent() && request.maxTokens().getAsInt() < completionTokens) {
      completionTokens = request.maxTokens().getAsInt();
      text = text.substring(0, Math.min(text.length(), completionTokens * 4));
      finish = Finish.LENGTH;
    }
    return new Reply(
        instance,
        sequence,
        createdEpochSeconds,
        request.model(),
        text,
        Optional.empty(),
        finish,
        request.promptTokens(),
        completionTokens);
  }

  /** The total of prompt and completion tokens. */
  int totalTokens() {
    return promptTokens + completionTokens;
  }

  /**
   * The text in {@code chunks} nearly equal pieces; fewer when the text is shorter, at least one.
   */
  List<String> textPieces(int chunks) {
    return split(text, Math.max(1, Math.min(chunks, text.length())));
  }

  /** The tool call's arguments JSON in {@code chunks} pieces, at least two. */
  List<String> argumentPieces(int chunks) {
    String json = toolCall.orElseThrow().argumentsJson();
    return split(json, Math.max(2, Math.min(chunks, json.length())));
  }

  private static List<String> split(String text, int pieces) {
    List<String> parts = new ArrayList<>(pieces);
    int length = text.length();
    for (int i = 0; i < pieces; i++) {
      parts.add(text.substring(i * length / pieces, (i + 1) * length / pieces));
    }
    return parts;
  }

  /** The sentence cut or repeated (space-separated) to {@code answer_bytes} characters, if set. */
  private static String sized(String sentence, StreamShape shape) {
    int wanted = shape.answerBytes();
    if (wanted == 0) {
      return sentence;
    }
    StringBuilder text = new StringBuilder(wanted + sentence.length() + 1).append(sentence);
    while (text.length() < wanted) {
      text.append(' ').append(sentence);
    }
    text.setLength(wanted);
    return text.toString();
  }
}
