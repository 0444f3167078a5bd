package detour.router.record;

import akka.Done;
import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.SupervisorStrategy;
import akka.actor.typed.javadsl.Behaviors;
import akka.persistence.typed.PersistenceId;
import akka.persistence.typed.javadsl.CommandHandler;
import akka.persistence.typed.javadsl.EventHandler;
import akka.persistence.typed.javadsl.EventSourcedBehavior;
import akka.persistence.typed.javadsl.Recovery;
import detour.persistence.routing.RoutingEvent;
import java.time.Duration;

/**
 * The routing record's writer: journals the intervals its {@link RoutingRecorder} hands over, one
 * event each, in order. It has no state worth recovering (the record is read by the audit, never
 * replayed into an actor), so it starts without replaying anything: the journal only tells it the
 * highest sequence number so far.
 */
final class RoutingJournal extends EventSourcedBehavior<RoutingJournal.Command, RoutingEvent, RoutingJournal.Written> {

  sealed interface Command {}

  /** Journal this row; then tell {@code replyTo}, if any. */
  record Append(RoutingEvent row, ActorRef<Done> replyTo) implements Command {}

  /** Answered once every interval handed over before it is in the journal. */
  record Sync(ActorRef<Done> replyTo) implements Command {}

  /** How many intervals this incarnation wrote; nothing more is kept. */
  record Written(long intervals) {}

  static final Duration MIN_BACKOFF = Duration.ofMillis(200);
  static final Duration MAX_BACKOFF = Duration.ofSeconds(10);

  static Behavior<Command> create(PersistenceId persistenceId) {
    // A failed write loses that interval (Akka logs it) and restarts the writer with backoff.
    return Behaviors.supervise(Behaviors.<Command>setup(ctx -> new RoutingJournal(persistenceId)))
        .onFailure(SupervisorStrategy.restartWithBackoff(MIN_BACKOFF, MAX_BACKOFF, 0.2));
  }

  private RoutingJournal(PersistenceId persistenceId) {
    super(persistenceId, SupervisorStrategy.restartWithBackoff(MIN_BACKOFF, MAX_BACKOFF, 0.2));
  }

  @Override
  public Written emptyState() {
    return new Written(0);
  }

  @Override
  public Recovery recovery() {
    return Recovery.disabled();
  }

  @Override
  public CommandHandler<Command, RoutingEvent, Written> commandHandler() {
    return newCommandHandlerBuilder().forAnyState()
        .onCommand(Append.class, (state, append) -> Effect().persist(append.row()).thenRun(written -> {
          if (append.replyTo() != null) append.replyTo().tell(Done.getInstance());
        }))
        // Commands wait while a write is under way, so this runs after every earlier append.
        .onCommand(Sync.class, (state, sync) -> Effect().none().thenRun(same -> sync.replyTo().tell(Done.getInstance())))
        .build();
  }

  @Override
  public EventHandler<Written, RoutingEvent> eventHandler() {
    return newEventHandlerBuilder().forAnyState()
        .onAnyEvent((state, event) -> new Written(state.intervals() + 1));
  }
}
