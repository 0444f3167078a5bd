package detour.simulator;

import akka.util.ByteString;
import java.util.List;

/**
 * The events of one streamed answer, in three parts, before pacing and faults are applied: the
 * {@code opening} events sent with the headers (OpenAI's role chunk, Anthropic's {@code
 * message_start}..{@code ping}), the {@code content} events that {@code chunks}, {@code
 * after_chunks} and the stalls count, and the {@code closing} events that end the stream properly
 * (finish chunk, usage, {@code [DONE]}; {@code message_stop}; nothing for Gemini, whose last
 * content event carries the finish reason).
 *
 * <p>{@code malformed} is the protocol's broken event for {@code malformed} mode and {@code error}
 * its in-stream error event for {@code stream-error} mode.
 */
record StreamScript(
    List<ByteString> opening,
    List<ByteString> content,
    List<ByteString> closing,
    ByteString malformed,
    ByteString error) {

  StreamScript {
    opening = List.copyOf(opening);
    content = List.copyOf(content);
    closing = List.copyOf(closing);
  }
}
