package detour.router.coordinator;

import akka.actor.Cancellable;
import akka.actor.typed.ActorSystem;
import akka.dispatch.ExecutionContexts;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Samples the default dispatcher's queue delay for {@link SaturationShedding}: on the scheduler's
 * own thread it stamps the time and hands the dispatcher a task that measures how long it waited.
 * Ten tiny tasks per interval (100 a second by default): nothing measurable on the healthy path.
 * Logs when shedding starts and stops.
 */
public final class QueueDelayProbe {
  private static final Logger log = LoggerFactory.getLogger(QueueDelayProbe.class);

  private QueueDelayProbe() {}

  /** Starts sampling; the returned handle stops it. Does nothing when shedding is off. */
  public static Cancellable start(ActorSystem<?> system, SaturationShedding shedding) {
    if (!shedding.settings().enabled()) return Cancellable.alreadyCancelled();
    Executor dispatcher = system.executionContext();
    var every = shedding.settings().sampleEvery();
    return system.scheduler().scheduleAtFixedRate(every, every, () -> {
      long stamped = System.nanoTime();
      dispatcher.execute(() -> {
        long waited = System.nanoTime() - stamped;
        report(shedding, shedding.observe(waited), waited);
      });
    }, ExecutionContexts.fromExecutor(Runnable::run)); // stamps on the scheduler's thread
  }

  private static void report(SaturationShedding shedding, SaturationShedding.Change change, long delayNanos) {
    switch (change) {
      case STARTED -> log.warn("node saturated: the dispatcher's queue delay stayed above {} ms for {} ms ({} ms now); "
              + "refusing {}% of new chat requests with 503 until it drains",
          shedding.settings().queueDelayTarget().toMillis(), shedding.settings().interval().toMillis(),
          String.format(java.util.Locale.ROOT, "%.1f", delayNanos / 1e6), Math.round(shedding.share() * 100));
      case STOPPED -> log.info("node no longer saturated: the dispatcher's queue delay is below {} ms; no request is "
          + "refused for load ({} refused for saturation since the node started)",
          shedding.settings().queueDelayTarget().toMillis() / 2.0, shedding.refused());
      case NONE -> { }
    }
  }
}
