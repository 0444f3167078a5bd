package detour.simulator;

import detour.simulator.ErrorAnswer.Refused;
import detour.simulator.SimulatedAnswers.ChatRequest;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * One wire protocol a simulated instance speaks, chosen by the request's path: how it reads a chat
 * request, and how it writes answers, streams and errors. The behaviour in force decides what to
 * answer; the dialect decides how that looks on the wire.
 */
sealed interface Dialect permits OpenAiDialect, AnthropicDialect, GeminiDialect {

  /** The dialect serving {@code path}, if it is a chat path. */
  static Optional<Dialect> forPath(String path) {
    if (path.equals(OpenAiDialect.PATH)) {
      return Optional.of(OpenAiDialect.INSTANCE);
    }
    if (path.equals(AnthropicDialect.PATH)) {
      return Optional.of(AnthropicDialect.INSTANCE);
    }
    if (GeminiDialect.serves(path)) {
      return Optional.of(GeminiDialect.INSTANCE);
    }
    return Optional.empty();
  }

  /** The protocol's name in the stats: {@code openai}, {@code anthropic} or {@code gemini}. */
  String name();

  /**
   * Reads and validates a chat request.
   *
   * @throws Refused with the protocol's own error answer when the request is malformed or lacks its
   *     credentials
   */
  ChatRequest read(ChatCall call) throws Refused;

  /** The non-streamed answer's JSON. */
  byte[] answer(Reply reply);

  /** The streamed answer's events, {@code shape.chunks()} content events where the text allows. */
  StreamScript stream(Reply reply, ChatRequest request, StreamShape shape);

  /** The answer of {@code error} mode and of fail-next / fail-fraction failures. */
  ErrorAnswer error(int status, String instance);

  /** The answer of {@code rate-limit} mode. */
  ErrorAnswer rateLimited(String instance, OptionalInt retryAfterSeconds);

  /**
   * The protocol's "prompt too long" answer: the prompt is reported as {@code limit + promptTokens}
   * tokens against a window of {@code limit} ({@code limitTokens}, or the protocol's usual window
   * when empty), so it is always over.
   */
  ErrorAnswer contextLength(int promptTokens, OptionalInt limitTokens);

  /** The protocol's "overloaded" answer. */
  ErrorAnswer overloaded(String instance);

  /** The answer of {@code echo-error} mode: {@code text} in every field of the protocol's error body. */
  ErrorAnswer echoed(int status, String text);
}
