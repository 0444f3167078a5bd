package detour.simulator;

import akka.NotUsed;
import akka.stream.javadsl.Source;
import akka.util.ByteString;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;

/**
 * Turns a body into the timed sequence of {@link Step}s a behaviour calls for, and plays steps as
 * an Akka Streams source. Pauses are stream timers ({@code initialDelay}), never a sleeping thread;
 * a stall for ever is {@link Source#never()}; a cut emits the connection's {@link
 * SimConnection#CUT} marker, on which the connection's output ends right there (see {@link
 * SimConnection}), and then nothing.
 *
 * <p>A stream's pacing: its opening events at once, {@code first_token_ms} before the first content
 * event, {@code chunk_interval_ms} between content events, its closing events at once.
 */
final class StreamPlayer {

  private StreamPlayer() {}

  /** One step of a played body. */
  sealed interface Step {}

  /** Send these bytes. */
  record Emit(ByteString bytes) implements Step {}

  /** Send nothing for {@code ms}. */
  record Pause(long ms) implements Step {}

  /** Send nothing, ever. */
  record Stall() implements Step {}

  /** Cut the connection here, leaving the response unfinished. */
  record Cut() implements Step {}

  /** The steps of a stream under {@code behaviour}, paced by its shape. */
  static List<Step> stream(StreamScript script, Behaviour behaviour) {
    StreamShape shape = behaviour.shape();
    List<Step> steps = new ArrayList<>();
    if (behaviour instanceof Behaviour.StallFirstToken s) {
      steps.add(stall(s.ms()));
    }
    emit(steps, script.opening());
    List<ByteString> content = script.content();
    for (int i = 0; i < content.size(); i++) {
      if (behaviour instanceof Behaviour.StreamDrop d && i == d.afterChunks()) {
        steps.add(new Cut());
        return steps;
      }
      if (behaviour instanceof Behaviour.StreamError e && i == e.afterChunks()) {
        steps.add(new Emit(script.error()));
        return steps;
      }
      if (behaviour instanceof Behaviour.StallBetween s && i == s.afterChunks()) {
        steps.add(stall(s.ms()));
      }
      steps.add(new Pause(i == 0 ? shape.firstTokenMs() : shape.chunkIntervalMs()));
      steps.add(new Emit(content.get(i)));
      if (behaviour instanceof Behaviour.Malformed && i == 0) {
        steps.add(new Emit(script.malformed()));
      }
    }
    if (behaviour instanceof Behaviour.StreamDrop) {
      steps.add(new Cut());
      return steps;
    }
    if (behaviour instanceof Behaviour.StreamError) {
      steps.add(new Emit(script.error()));
      return steps;
    }
    if (behaviour instanceof Behaviour.StallBetween s && s.afterChunks() >= content.size()) {
      steps.add(stall(s.ms()));
    }
    emit(steps, script.closing());
    return steps;
  }

  /**
   * The steps of a non-streamed body under a mid-body fault: its first half, then the cut ({@code
   * stream-drop}) or the stall ({@code stall-between}), then the rest.
   */
  static List<Step> body(byte[] body, Behaviour behaviour) {
    int half = body.length / 2;
    List<Step> steps = new ArrayList<>();
    steps.add(new Emit(ByteString.fromArray(body, 0, half)));
    if (behaviour instanceof Behaviour.StreamDrop) {
      steps.add(new Cut());
      return steps;
    }
    if (behaviour instanceof Behaviour.StallBetween s) {
      steps.add(stall(s.ms()));
    }
    steps.add(new Emit(ByteString.fromArray(body, half, body.length - half)));
    return steps;
  }

  /**
   * The steps as a source. {@code onComplete} runs when the last step has been handed on (the
   * answer is complete) or a cut is reached, {@code onCut} just before the cut marker is emitted;
   * {@code onEnd} runs whenever the source terminates, cancelled by the client included.
   */
  static Source<ByteString, NotUsed> play(
      List<Step> steps, Runnable onComplete, Runnable onCut, Runnable onEnd) {
    // The answer is complete once its last bytes are handed on: the very object of the last
    // Emit, recognised by identity before it travels on to the socket (so a client that reads
    // it and hangs up at once never counts as cancelled). A trailing pause completes at the end.
    Step last = steps.isEmpty() ? null : steps.get(steps.size() - 1);
    ByteString lastBytes = last instanceof Emit e ? e.bytes() : null;
    return Source.from(steps)
        .flatMapConcat(step -> source(step, onComplete, onCut))
        .map(
            bytes -> {
              if (bytes == lastBytes) {
                onComplete.run();
              }
              return bytes;
            })
        .concatLazy(
            Source.lazySource(
                () -> {
                  onComplete.run();
                  return Source.<ByteString>empty();
                }))
        .watchTermination(
            (notUsed, done) -> {
              AkkaStages.plain(done).whenComplete((d, failure) -> onEnd.run());
              return notUsed;
            });
  }

  private static Source<ByteString, ?> source(Step step, Runnable onComplete, Runnable onCut) {
    if (step instanceof Emit e) {
      return Source.single(e.bytes());
    }
    if (step instanceof Pause p) {
      return p.ms() == 0
          ? Source.empty()
          : Source.single(ByteString.emptyByteString())
              .initialDelay(Duration.ofMillis(p.ms()))
              .filter(bytes -> !bytes.isEmpty());
    }
    if (step instanceof Stall) {
      return Source.never();
    }
    return Source.lazySource(
        () -> {
          onComplete.run();
          onCut.run();
          return Source.single(SimConnection.CUT).concat(Source.never());
        });
  }

  private static void emit(List<Step> steps, List<ByteString> events) {
    events.forEach(event -> steps.add(new Emit(event)));
  }

  private static Step stall(OptionalLong ms) {
    return ms.isPresent() ? new Pause(ms.getAsLong()) : new Stall();
  }
}
