package detour.router.coordinator;

import akka.japi.Pair;
import akka.stream.Attributes;
import akka.stream.FlowShape;
import akka.stream.Inlet;
import akka.stream.Outlet;
import akka.stream.stage.AbstractInHandler;
import akka.stream.stage.AbstractOutHandler;
import akka.stream.stage.GraphStageLogic;
import akka.stream.stage.AbstractGraphStageWithMaterializedValue;
import akka.stream.stage.TimerGraphStageLogic;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeoutException;

/**
 * Watches one upstream stream on its way to the caller: notes each chunk in a {@link
 * StreamProgress}, fails the stream when the upstream goes silent for longer than allowed, and
 * tells how the stream ended: completed by the upstream, failed, or cancelled by its reader.
 *
 * <p>The silence check runs on the scheduler alone (a tick every quarter of the allowed silence,
 * failing after four ticks without a chunk), not on the wall clock as Akka's {@code idleTimeout}
 * does: it costs one field write per chunk, and tests can drive it with manual time. A stall is
 * caught between the allowed silence and a quarter more.
 */
final class StreamWatch extends AbstractGraphStageWithMaterializedValue<FlowShape<ObjectNode, ObjectNode>, CompletionStage<StreamWatch.End>> {

  /** How a watched stream ended. */
  sealed interface End {}

  /** The upstream finished its stream. */
  enum Completed implements End { INSTANCE }

  /** The reader cancelled: the caller went away, or Detour gave up on the stream. */
  enum Cancelled implements End { INSTANCE }

  /** The upstream failed, or went silent too long ({@link TimeoutException}). */
  record Failed(Throwable cause) implements End {}

  private static final int TICKS = 4;
  private static final Object TICK = "silence-check";

  private final Inlet<ObjectNode> in = Inlet.create("StreamWatch.in");
  private final Outlet<ObjectNode> out = Outlet.create("StreamWatch.out");
  private final FlowShape<ObjectNode, ObjectNode> shape = FlowShape.of(in, out);
  private final Duration allowedSilence;
  private final StreamProgress progress;

  StreamWatch(Duration allowedSilence, StreamProgress progress) {
    this.allowedSilence = allowedSilence;
    this.progress = progress;
  }

  @Override
  public FlowShape<ObjectNode, ObjectNode> shape() {
    return shape;
  }

  @Override
  public Pair<GraphStageLogic, CompletionStage<End>> createLogicAndMaterializedValuePair(Attributes attributes) {
    CompletableFuture<End> ended = new CompletableFuture<>();
    Duration tick = allowedSilence.dividedBy(TICKS);
    GraphStageLogic logic = new TimerGraphStageLogic(shape) {
      private int silentTicks;

      {
        setHandler(in, new AbstractInHandler() {
          @Override
          public void onPush() {
            silentTicks = 0;
            push(out, progress.see(grab(in)));
          }

          @Override
          public void onUpstreamFinish() {
            ended.complete(Completed.INSTANCE);
            completeStage();
          }

          @Override
          public void onUpstreamFailure(Throwable cause) {
            ended.complete(new Failed(cause));
            failStage(cause);
          }
        });
        setHandler(out, new AbstractOutHandler() {
          @Override
          public void onPull() {
            pull(in);
          }

          @Override
          public void onDownstreamFinish(Throwable cause) {
            ended.complete(Cancelled.INSTANCE);
            cancelStage(cause);
          }
        });
      }

      @Override
      public void preStart() {
        scheduleWithFixedDelay(TICK, tick, tick);
      }

      @Override
      public void onTimer(Object key) {
        if (++silentTicks < TICKS) return;
        TimeoutException silence = new TimeoutException(
            "the upstream sent nothing for " + allowedSilence.toMillis() + "ms");
        ended.complete(new Failed(silence));
        failStage(silence);
      }

      @Override
      public void postStop() {
        ended.complete(Cancelled.INSTANCE);  // torn down without a word: the materializer shut down
      }
    };
    return Pair.create(logic, ended);
  }
}
