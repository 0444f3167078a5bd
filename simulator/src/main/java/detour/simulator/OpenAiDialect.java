package detour.simulator;

import detour.simulator.ErrorAnswer.Refused;
import detour.simulator.SimulatedAnswers.ChatRequest;
import detour.simulator.SimulatedAnswers.InvalidChatRequest;
import java.util.OptionalInt;

/**
 * OpenAI chat completions, {@code POST /v1/chat/completions}: no credential is required; the answer
 * is a {@code chat.completion} ({@link SimulatedAnswers}) or, with {@code "stream":true}, a stream
 * of {@code chat.completion.chunk}s ({@link OpenAiStream}); errors are OpenAI's ({@link
 * OpenAiErrors}).
 */
final class OpenAiDialect implements Dialect {

  static final String PATH = "/v1/chat/completions";

  static final OpenAiDialect INSTANCE = new OpenAiDialect();

  /** The context window reported when the behaviour names none. */
  static final int DEFAULT_CONTEXT_TOKENS = 128_000;

  private OpenAiDialect() {}

  @Override
  public String name() {
    return "openai";
  }

  @Override
  public ChatRequest read(ChatCall call) throws Refused {
    try {
      return SimulatedAnswers.parse(call.body());
    } catch (InvalidChatRequest e) {
      throw new Refused(
          new ErrorAnswer(400, OpenAiErrors.invalidRequest(e.getMessage(), e.param())));
    }
  }

  @Override
  public byte[] answer(Reply reply) {
    return SimulatedAnswers.completion(reply);
  }

  @Override
  public StreamScript stream(Reply reply, ChatRequest request, StreamShape shape) {
    return OpenAiStream.script(reply, request.includeUsage(), shape.chunks());
  }

  @Override
  public ErrorAnswer error(int status, String instance) {
    return new ErrorAnswer(status, OpenAiErrors.forStatus(status, instance));
  }

  @Override
  public ErrorAnswer rateLimited(String instance, OptionalInt retryAfterSeconds) {
    return new ErrorAnswer(
        429, OpenAiErrors.rateLimited(instance, retryAfterSeconds), retryAfterSeconds);
  }

  @Override
  public ErrorAnswer contextLength(int promptTokens, OptionalInt limitTokens) {
    int limit = limitTokens.orElse(DEFAULT_CONTEXT_TOKENS);
    return new ErrorAnswer(400, OpenAiErrors.contextLength(limit + promptTokens, limit));
  }

  @Override
  public ErrorAnswer overloaded(String instance) {
    return new ErrorAnswer(503, OpenAiErrors.overloaded(instance));
  }

  @Override
  public ErrorAnswer echoed(int status, String text) {
    return ErrorAnswer.echoed(status, OpenAiErrors.render(text, text, text, text), text);
  }
}
