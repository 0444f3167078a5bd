package detour.router.coordinator;

import akka.actor.Cancellable;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.DispatcherSelector;
import akka.dispatch.ExecutionContexts;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Samples the node's queue delay for {@link SaturationShedding}: on the scheduler's own thread it
 * stamps the time and hands a tiny task to each dispatcher a request's work runs on, the default
 * one (HTTP streams, actors) and Akka IO's TCP workers' (reading and writing sockets); a sample is
 * the longer of the two waits. Both count: under overload the work can pile up in front of either
 * (docs/benchmarks.md, "Load shedding, before and after"). Ten ticks per interval (100 a second by
 * default): nothing measurable on the healthy path. A tick that finds the last sample still waiting
 * takes none, so the probe never measures a queue of its own samples: a scheduler that catches up
 * after a stall, or a test clock moved by minutes at once, fires many ticks together, and sampling
 * on each of them made the node shed for a backlog it had made itself. Logs when shedding starts
 * and stops.
 */
public final class QueueDelayProbe {
  private static final Logger log = LoggerFactory.getLogger(QueueDelayProbe.class);
  private static final String TCP_WORKERS = "akka.io.tcp.worker-dispatcher";

  private QueueDelayProbe() {}

  /** Starts sampling; the returned handle stops it. Does nothing when shedding is off. */
  public static Cancellable start(ActorSystem<?> system, SaturationShedding shedding) {
    if (!shedding.settings().enabled()) return Cancellable.alreadyCancelled();
    List<Executor> dispatchers = List.of(system.executionContext(), system.dispatchers()
        .lookup(DispatcherSelector.fromConfig(system.settings().config().getString(TCP_WORKERS))));
    var every = shedding.settings().sampleEvery();
    AtomicBoolean sampling = new AtomicBoolean();
    return system.scheduler().scheduleAtFixedRate(every, every, () -> {
      if (!sampling.compareAndSet(false, true)) return;
      long stamped = System.nanoTime();
      AtomicInteger pending = new AtomicInteger(dispatchers.size());
      AtomicLong longest = new AtomicLong();
      for (Executor dispatcher : dispatchers) {
        dispatcher.execute(() -> {
          longest.accumulateAndGet(System.nanoTime() - stamped, Math::max);
          if (pending.decrementAndGet() == 0) {
            long waited = longest.get();
            sampling.set(false);
            report(shedding, shedding.observe(waited), waited);
          }
        });
      }
    }, ExecutionContexts.fromExecutor(Runnable::run)); // stamps on the scheduler's thread
  }

  private static void report(SaturationShedding shedding, SaturationShedding.Change change, long delayNanos) {
    switch (change) {
      case STARTED -> log.warn("node saturated: its queue delay stayed above {} ms for {} ms ({} ms now); "
              + "refusing a growing share of new chat requests with 503 until it drains ({}% as of this line)",
          shedding.settings().queueDelayTarget().toMillis(), shedding.settings().interval().toMillis(),
          String.format(Locale.ROOT, "%.1f", delayNanos / 1e6), Math.round(shedding.share() * 100));
      case STOPPED -> log.info("node no longer saturated: its queue delay is below {} ms; no request is "
          + "refused for load ({} refused for saturation since the node started)",
          shedding.settings().queueDelayTarget().toMillis() / 2.0, shedding.refused());
      case NONE -> { }
    }
  }
}
