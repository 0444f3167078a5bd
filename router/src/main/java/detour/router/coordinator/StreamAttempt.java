package detour.router.coordinator;

import akka.NotUsed;
import akka.japi.Pair;
import akka.stream.KillSwitches;
import akka.stream.Materializer;
import akka.stream.UniqueKillSwitch;
import akka.stream.javadsl.Flow;
import akka.stream.javadsl.Keep;
import akka.stream.javadsl.Sink;
import akka.stream.javadsl.Source;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import detour.providers.client.Stages;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * The plumbing of one streamed attempt, run as soon as the upstream starts streaming. It holds the
 * chunks back until the first one with content arrives (the commit point: until then the request
 * can still move on to another candidate, since nothing has reached the caller), and gives the
 * coordinator a kill switch and the stream's end.
 *
 * @param killSwitch stops the upstream: cancels its request and fails what the caller reads
 * @param ended how the upstream stream ended: completed, failed, or cancelled by its reader
 * @param first the chunks up to and including the first with content, and the rest to come; empty
 *     chunks when the stream ended before any content
 * @param progress what the stream has carried
 */
record StreamAttempt(
    UniqueKillSwitch killSwitch,
    CompletionStage<StreamWatch.End> ended,
    CompletionStage<Pair<List<ObjectNode>, Source<ObjectNode, NotUsed>>> first,
    StreamProgress progress) {

  static StreamAttempt start(Source<ObjectNode, NotUsed> chunks, Duration interTokenTimeout, Materializer materializer) {
    StreamProgress progress = new StreamProgress();
    var run = chunks
        .viaMat(KillSwitches.single(), Keep.right())
        .viaMat(Flow.fromGraph(new StreamWatch(interTokenTimeout, progress)), Keep.both())
        .via(untilContent())
        .prefixAndTail(1)
        .toMat(Sink.head(), Keep.both())
        .run(materializer);
    CompletionStage<Pair<List<ObjectNode>, Source<ObjectNode, NotUsed>>> first = Stages.plain(run.second()).thenApply(split -> {
      List<ObjectNode> head = split.first().isEmpty() ? List.of() : split.first().get(0);
      return Pair.create(head, split.second().mapConcat(batch -> batch));
    });
    return new StreamAttempt(run.first().first(), run.first().second(), first, progress);
  }

  /**
   * Batches the leading chunks that carry nothing (the role, empty content) with the first that
   * does; after that, every chunk travels alone.
   */
  static Flow<ObjectNode, List<ObjectNode>, NotUsed> untilContent() {
    return Flow.of(ObjectNode.class).statefulMapConcat(() -> {
      List<ObjectNode> held = new ArrayList<>();
      boolean[] committed = {false};
      return chunk -> {
        if (committed[0]) return List.of(List.of(chunk));
        held.add(chunk);
        if (!hasContent(chunk)) return List.of();
        committed[0] = true;
        List<ObjectNode> batch = List.copyOf(held);
        held.clear();
        return List.of(batch);
      };
    });
  }

  /** Text, a tool call, a finish reason or usage: anything that is part of the answer. */
  static boolean hasContent(ObjectNode chunk) {
    JsonNode usage = chunk.get("usage");
    if (usage != null && usage.isObject()) return true;
    for (JsonNode choice : chunk.path("choices")) {
      if (choice.hasNonNull("finish_reason")) return true;
      JsonNode delta = choice.path("delta");
      if (delta.path("content").isTextual() && !delta.path("content").asText().isEmpty()) return true;
      if (delta.path("tool_calls").size() > 0 || delta.hasNonNull("refusal")) return true;
    }
    return false;
  }
}
