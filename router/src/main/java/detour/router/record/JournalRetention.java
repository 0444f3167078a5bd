package detour.router.record;

import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.StashBuffer;
import akka.pattern.Patterns;
import akka.persistence.DeleteMessagesFailure;
import akka.persistence.DeleteSnapshotsFailure;
import akka.persistence.JournalProtocol;
import akka.persistence.Persistence;
import akka.persistence.SnapshotProtocol;
import akka.persistence.SnapshotSelectionCriteria;
import akka.persistence.query.EventEnvelope;
import akka.stream.javadsl.Sink;
import com.typesafe.config.ConfigFactory;
import detour.persistence.audit.JournalReader;
import detour.persistence.breaker.BreakerEvent;
import detour.persistence.routing.RoutingEvent;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Deletes journal detail older than {@code detour.journal.retention}, every
 * {@code retention-check-interval}, for the journal streams it is given: a node's own routing
 * record, and the breakers (which a cluster shares, so one node sweeps them: see the Guardian):
 *
 * <ul>
 *   <li>its routing record: every interval that ended before the cut-off;
 *   <li>each of its breakers: every incident that closed before the cut-off, whole. The cut is made
 *       at the last {@code Recovered} or {@code Reset} before the cut-off, where the circuit is
 *       closed with nothing counted, exactly the state a breaker starts from; the snapshots up to
 *       the cut are deleted first, then the events. A breaker therefore recovers from a snapshot
 *       taken after the cut, or from nothing, replaying only what follows the cut, and reaches the
 *       same phase as before. An incident still open, or closed after the cut-off, is kept whole,
 *       and so is the breaker's latest state.
 * </ul>
 *
 * <p>akka-persistence-jdbc 5.2.1 offers no time-based retention ({@code RetentionCriteria} counts
 * events, {@code EventSourcedCleanup} arrived in a later version): this sends the journal and the
 * snapshot store the same deletion requests Akka's own snapshot retention sends
 * ({@code DeleteMessagesTo}, {@code DeleteSnapshots}), so the plugin deletes as it always does: the
 * rows go, except the highest one of a stream, which stays marked deleted so that sequence numbers
 * go on. Safe while the breakers run: they only ever write after the cut.
 */
public final class JournalRetention {
  private JournalRetention() {}

  public sealed interface Command {}

  /** Deletes what is past the retention now; answers with what it deleted ({@code replyTo} may be null). */
  public record Sweep(ActorRef<Swept> replyTo) implements Command {}

  /**
   * What one sweep deleted.
   *
   * @param cutoff rows older than this were eligible
   * @param deletedUpTo per persistence id, the sequence number deleted up to (ids with nothing to
   *     delete are left out)
   * @param failure why the sweep stopped early, if it did; the next sweep tries again
   */
  public record Swept(Instant cutoff, Map<String, Long> deletedUpTo, String failure) {}

  private record Done(Swept swept, ActorRef<Swept> replyTo) implements Command {}

  private enum Tick implements Command { INSTANCE }

  static final Duration PATIENCE = Duration.ofSeconds(60);

  /**
   * @param breakerIds the persistence ids of the breakers it sweeps
   * @param routingRecordId the persistence id of the routing record it sweeps, if any
   * @param reportTo told every sweep's result, if given (tests)
   */
  public static Behavior<Command> create(List<String> breakerIds, Optional<String> routingRecordId, Duration retention,
      Duration every, InstantSource clock, ActorRef<Swept> reportTo) {
    return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> Behaviors.withStash(16, stash -> {
      timers.startTimerWithFixedDelay(Tick.INSTANCE, Tick.INSTANCE, every);
      ctx.getLog().info("journal retention: this node sweeps {} every {}, deleting detail older than {}",
          describe(breakerIds, routingRecordId), every, retention);
      var sweeper = new Sweeper(ctx.getSystem(), breakerIds, routingRecordId);
      return new Sweeping(ctx, stash, sweeper, retention, clock, reportTo).idle();
    })));
  }

  /** For the log: "routing-record|eu-1 and 4 breakers' streams". */
  private static String describe(List<String> breakerIds, Optional<String> routingRecordId) {
    List<String> parts = new java.util.ArrayList<>(routingRecordId.stream().toList());
    if (!breakerIds.isEmpty()) parts.add(breakerIds.size() + " breakers' streams");
    return String.join(" and ", parts);
  }

  private record Sweeping(ActorContext<Command> ctx, StashBuffer<Command> stash, Sweeper sweeper, Duration retention,
      InstantSource clock, ActorRef<Swept> reportTo) {

    Behavior<Command> idle() {
      return Behaviors.receive(Command.class)
          .onMessageEquals(Tick.INSTANCE, () -> sweep(null))
          .onMessage(Sweep.class, msg -> sweep(msg.replyTo()))
          .build();
    }

    private Behavior<Command> sweep(ActorRef<Swept> replyTo) {
      Instant cutoff = clock.instant().minus(retention);
      ctx.pipeToSelf(sweeper.sweep(cutoff), (swept, bug) -> new Done(
          swept != null ? swept : new Swept(cutoff, Map.of(), String.valueOf(bug)), replyTo));
      return Behaviors.receive(Command.class)
          .onMessageEquals(Tick.INSTANCE, Behaviors::same)  // one sweep at a time
          .onMessage(Sweep.class, late -> {
            // Asked during a sweep: answered by a sweep of its own once this one ends.
            if (!stash.isFull()) stash.stash(late);
            return Behaviors.same();
          })
          .onMessage(Done.class, this::done)
          .build();
    }

    private Behavior<Command> done(Done done) {
      Swept swept = done.swept();
      swept.deletedUpTo().forEach((id, upTo) -> ctx.getLog().info(
          "journal retention: deleted {} up to sequence number {} (older than {})", id, upTo, swept.cutoff()));
      if (swept.failure() != null) {
        ctx.getLog().warn("journal retention: the sweep stopped early, the next one tries again: {}", swept.failure());
      }
      if (reportTo != null) reportTo.tell(swept);
      if (done.replyTo() != null) done.replyTo().tell(swept);
      return stash.unstashAll(idle());
    }
  }

  /** The sweep itself: reads with Persistence Query, deletes through the journal's own protocol. */
  static final class Sweeper {
    private final ActorSystem<?> system;
    private final List<String> breakerIds;
    private final Optional<String> routingRecordId;
    private final JournalReader read;
    private final akka.actor.ActorRef journal;
    private final akka.actor.ActorRef snapshots;

    Sweeper(ActorSystem<?> system, List<String> breakerIds, Optional<String> routingRecordId) {
      this.system = system;
      this.breakerIds = List.copyOf(breakerIds);
      this.routingRecordId = routingRecordId;
      this.read = new JournalReader(system);
      Persistence persistence = Persistence.get(system.classicSystem());
      // "": the default plugins, jdbc-journal and jdbc-snapshot-store (detour-defaults.conf).
      this.journal = persistence.journalFor("", ConfigFactory.empty());
      this.snapshots = persistence.snapshotStoreFor("", ConfigFactory.empty());
    }

    CompletionStage<Swept> sweep(Instant cutoff) {
      Map<String, Long> deleted = new TreeMap<>();
      CompletionStage<Void> chain = CompletableFuture.completedFuture(null);
      // One stream after the other: retention is background work and must not crowd the journal.
      for (String id : breakerIds) {
        chain = chain.thenCompose(ok -> lastClosedBefore(id, cutoff)).thenCompose(cut -> cut <= 0
            ? CompletableFuture.completedFuture(null)
            : deleteSnapshots(id, cut).thenCompose(done -> deleteEvents(id, cut)).thenAccept(done -> deleted.put(id, cut)));
      }
      for (String id : routingRecordId.stream().toList()) {
        chain = chain.thenCompose(ok -> lastIntervalBefore(id, cutoff)).thenCompose(cut -> cut <= 0
            ? CompletableFuture.completedFuture(null)
            : deleteEvents(id, cut).thenAccept(done -> deleted.put(id, cut)));
      }
      return chain.handle((ok, failure) -> new Swept(cutoff, Map.copyOf(deleted),
          failure == null ? null : String.valueOf(failure.getCause() != null ? failure.getCause() : failure)));
    }

    /** The sequence number of the breaker's last Recovered or Reset before the cut-off; 0 if none. */
    private CompletionStage<Long> lastClosedBefore(String id, Instant cutoff) {
      return read.events(id)
          .takeWhile(envelope -> ((BreakerEvent) envelope.event()).at().isBefore(cutoff))
          .runWith(Sink.fold(0L, (cut, envelope) -> closes(envelope) ? envelope.sequenceNr() : cut), system);
    }

    private static boolean closes(EventEnvelope envelope) {
      return envelope.event() instanceof BreakerEvent.Recovered || envelope.event() instanceof BreakerEvent.Reset;
    }

    /** The sequence number of the record's last interval that ended at or before the cut-off; 0 if none. */
    private CompletionStage<Long> lastIntervalBefore(String id, Instant cutoff) {
      return read.events(id)
          .takeWhile(envelope -> !((RoutingEvent) envelope.event()).end().isAfter(cutoff))
          .runWith(Sink.fold(0L, (cut, envelope) -> envelope.sequenceNr()), system);
    }

    private CompletionStage<Object> deleteEvents(String id, long upTo) {
      return Patterns.askWithReplyTo(journal, replyTo -> new JournalProtocol.DeleteMessagesTo(id, upTo, replyTo), PATIENCE)
          .thenApply(reply -> {
            if (reply instanceof DeleteMessagesFailure failed) {
              throw new IllegalStateException("deleting " + id + " up to " + upTo + " failed", failed.cause());
            }
            return reply;
          });
    }

    private CompletionStage<Object> deleteSnapshots(String id, long upTo) {
      var criteria = SnapshotSelectionCriteria.create(upTo, Long.MAX_VALUE);
      return Patterns.ask(snapshots, new SnapshotProtocol.DeleteSnapshots(id, criteria), PATIENCE)
          .thenApply(reply -> {
            if (reply instanceof DeleteSnapshotsFailure failed) {
              throw new IllegalStateException("deleting the snapshots of " + id + " up to " + upTo + " failed",
                  failed.cause());
            }
            return reply;
          });
    }
  }
}
