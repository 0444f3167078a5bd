package detour.providers.breaker;

import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.SupervisorStrategy;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.TimerScheduler;
import akka.persistence.typed.PersistenceId;
import akka.persistence.typed.RecoveryCompleted;
import akka.persistence.typed.javadsl.CommandHandlerWithReply;
import akka.persistence.typed.javadsl.EventHandler;
import akka.persistence.typed.javadsl.EventSourcedBehaviorWithEnforcedReplies;
import akka.persistence.typed.javadsl.ReplyEffect;
import akka.persistence.typed.javadsl.RetentionCriteria;
import akka.persistence.typed.javadsl.SignalHandler;
import detour.persistence.CborSerializable;
import detour.persistence.JsonSerializable;
import detour.persistence.breaker.BreakerEvent;
import detour.persistence.breaker.BreakerEvent.ProbingStarted;
import detour.persistence.breaker.BreakerEvent.Recovered;
import detour.persistence.breaker.BreakerEvent.Tripped;
import detour.persistence.breaker.BreakerScope;
import detour.persistence.breaker.Evidence;
import detour.persistence.breaker.FailureKind;
import detour.providers.model.ProviderFailure;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.EnumMap;
import java.util.Map;

/**
 * One provider's circuit breaker. It owns the circuit's phase, journals every move with the
 * evidence behind it, and publishes each phase to the {@link BreakerView} that requests read.
 *
 * <pre>
 * CLOSED --N provider faults in a row--> OPEN --cooldown over--> HALF_OPEN --probe succeeds--> CLOSED
 *                                          ^------------------ probe fails ---------'
 * </pre>
 *
 * Nothing on the healthy path is journaled: outcomes are counted in fields, and only a change of
 * phase is persisted. Requests never wait on this actor, except to ask for a probe permit while the
 * circuit is half-open, so that only one request at a time tests a recovering provider.
 */
public final class ProviderBreaker
    extends EventSourcedBehaviorWithEnforcedReplies<ProviderBreaker.Command, BreakerEvent, ProviderBreaker.Phase> {

  // ---- Protocol ----------------------------------------------------------------------------

  public sealed interface Command extends CborSerializable {}

  /** A call to the provider answered. Told, never answered: the request path waits on no breaker. */
  public record RecordSuccess(long latencyMillis, boolean probe) implements Command {}

  /** A call to the provider failed; the breaker decides whether it counts. Told, never answered. */
  public record RecordFailure(ProviderFailure failure, boolean probe) implements Command {}

  /** Asked only while the view says half-open, so a fleet of requests cannot stampede a recovering provider. */
  public record AskForProbe(ActorRef<ProbeAnswer> replyTo) implements Command {}

  /** The breaker's current state, answered once it has recovered from the journal. */
  public record GetState(ActorRef<BreakerState> replyTo) implements Command {}

  private enum CooldownOver implements Command { INSTANCE }

  private enum ProbeLeaseExpired implements Command { INSTANCE }

  public sealed interface ProbeAnswer extends CborSerializable {}

  /** Go ahead, and report the outcome with {@code probe = true}. */
  public record ProbeGranted() implements ProbeAnswer {}

  public record ProbeRefused(String reason) implements ProbeAnswer {}

  /** One record per phase; each event handler line is one move between them. */
  public sealed interface Phase extends JsonSerializable {
    BreakerState view();
  }

  public record Closed() implements Phase {
    Open trip(Tripped e) {
      return new Open(e.until(), e.reopens());
    }

    public BreakerState view() {
      return BreakerState.CLOSED;
    }
  }

  public record Open(Instant until, int reopens) implements Phase {
    HalfOpen probe(ProbingStarted e) {
      return new HalfOpen(reopens);
    }

    public BreakerState view() {
      return BreakerState.open(until, reopens);
    }
  }

  public record HalfOpen(int reopens) implements Phase {
    Closed recover(Recovered e) {
      return new Closed();
    }

    Open reopen(Tripped e) {
      return new Open(e.until(), e.reopens());
    }

    public BreakerState view() {
      return BreakerState.halfOpen(reopens);
    }
  }

  // ---- Creation ----------------------------------------------------------------------------

  /** Journal trouble and crashes restart the breaker with this backoff; the journal keeps its phase. */
  static final Duration MIN_BACKOFF = Duration.ofMillis(200);
  static final Duration MAX_BACKOFF = Duration.ofSeconds(10);

  public static PersistenceId persistenceId(BreakerScope scope) {
    return PersistenceId.of("ProviderBreaker", scope.key());
  }

  public static Behavior<Command> create(
      BreakerScope scope, BreakerSettings settings, InstantSource clock, BreakerView view) {
    return Behaviors.setup(ctx -> Behaviors.withTimers(
        timers -> new ProviderBreaker(ctx, timers, scope, settings, clock, view)));
  }

  /** As {@link #create}, restarted with backoff when it fails. */
  public static Behavior<Command> supervised(
      BreakerScope scope, BreakerSettings settings, InstantSource clock, BreakerView view) {
    return Behaviors.supervise(create(scope, settings, clock, view))
        .onFailure(SupervisorStrategy.restartWithBackoff(MIN_BACKOFF, MAX_BACKOFF, 0.2));
  }

  private final ActorContext<Command> context;
  private final TimerScheduler<Command> timers;
  private final BreakerScope scope;
  private final BreakerSettings settings;
  private final InstantSource clock;
  private final BreakerView view;

  // Counted while closed; fields, not state: losing them in a crash costs at most one trip's delay.
  private int consecutiveFaults;
  private final Map<FailureKind, Integer> faultsByKind = new EnumMap<>(FailureKind.class);
  private ProviderFailure lastFault;
  // Held while half-open: whether the one probe permit is out.
  private boolean probeOut;

  private ProviderBreaker(
      ActorContext<Command> context,
      TimerScheduler<Command> timers,
      BreakerScope scope,
      BreakerSettings settings,
      InstantSource clock,
      BreakerView view) {
    super(persistenceId(scope), SupervisorStrategy.restartWithBackoff(MIN_BACKOFF, MAX_BACKOFF, 0.2));
    this.context = context;
    this.timers = timers;
    this.scope = scope;
    this.settings = settings;
    this.clock = clock;
    this.view = view;
  }

  @Override
  public Phase emptyState() {
    return new Closed();
  }

  @Override
  public RetentionCriteria retentionCriteria() {
    // Snapshots keep recovery short; events are kept, because the audit reads them.
    return RetentionCriteria.snapshotEvery(100, 2);
  }

  // ---- Commands: decide, return one effect -------------------------------------------------

  @Override
  public CommandHandlerWithReply<Command, BreakerEvent, Phase> commandHandler() {
    var handlers = newCommandHandlerWithReplyBuilder();
    handlers.forStateType(Closed.class)
        .onCommand(RecordSuccess.class, (closed, success) -> countSuccess())
        .onCommand(RecordFailure.class, this::countWhileClosed)
        .onCommand(AskForProbe.class, (closed, ask) -> Effect().reply(ask.replyTo(), new ProbeGranted()));
    handlers.forStateType(Open.class)
        // Outcomes of calls begun before the trip change nothing.
        .onCommand(RecordSuccess.class, (open, late) -> Effect().noReply())
        .onCommand(RecordFailure.class, (open, late) -> Effect().noReply())
        .onCommand(AskForProbe.class, (open, ask) -> Effect().reply(ask.replyTo(),
            new ProbeRefused("circuit open until " + open.until())))
        .onCommand(CooldownOver.class, this::startProbing);
    handlers.forStateType(HalfOpen.class)
        .onCommand(RecordSuccess.class, this::judgeProbeSuccess)
        .onCommand(RecordFailure.class, this::judgeProbeFailure)
        .onCommand(AskForProbe.class, this::grantProbe)
        .onCommand(ProbeLeaseExpired.class, this::reclaimProbe);
    handlers.forAnyState()
        .onCommand(GetState.class, (phase, get) -> Effect().reply(get.replyTo(), phase.view()))
        // A timer that fired as the phase changed: nothing to do.
        .onCommand(CooldownOver.class, (phase, stale) -> Effect().noReply())
        .onCommand(ProbeLeaseExpired.class, (phase, stale) -> Effect().noReply());
    return handlers.build();
  }

  private ReplyEffect<BreakerEvent, Phase> countSuccess() {
    consecutiveFaults = 0;
    return Effect().noReply();
  }

  private ReplyEffect<BreakerEvent, Phase> countWhileClosed(Closed closed, RecordFailure msg) {
    ProviderFailure failure = msg.failure();
    if (!failure.kind().providersFault()) {
      return Effect().noReply();  // the caller's mistake or the caller's cancel: nobody's evidence
    }
    consecutiveFaults++;
    faultsByKind.merge(failure.kind(), 1, Integer::sum);
    lastFault = failure;
    if (consecutiveFaults < settings.consecutiveFaults()) {
      return Effect().noReply();
    }
    return move(trip(0, evidence()));
  }

  private ReplyEffect<BreakerEvent, Phase> startProbing(Open open, CooldownOver tick) {
    return move(new ProbingStarted(scope, clock.instant(), 1));
  }

  private ReplyEffect<BreakerEvent, Phase> grantProbe(HalfOpen halfOpen, AskForProbe ask) {
    if (probeOut) {
      return Effect().reply(ask.replyTo(), new ProbeRefused("a probe is already in flight"));
    }
    probeOut = true;
    timers.startSingleTimer(ProbeLeaseExpired.INSTANCE, ProbeLeaseExpired.INSTANCE, settings.probeLease());
    return Effect().reply(ask.replyTo(), new ProbeGranted());
  }

  private ReplyEffect<BreakerEvent, Phase> reclaimProbe(HalfOpen halfOpen, ProbeLeaseExpired tick) {
    context.getLog().warn("breaker {}: the probe never reported back within {}; another may probe",
        scope.key(), settings.probeLease());
    probeOut = false;
    return Effect().noReply();
  }

  private ReplyEffect<BreakerEvent, Phase> judgeProbeSuccess(HalfOpen halfOpen, RecordSuccess msg) {
    if (!msg.probe()) {
      return Effect().noReply();  // a call begun before the trip
    }
    return move(new Recovered(scope, clock.instant(), msg.latencyMillis()));
  }

  private ReplyEffect<BreakerEvent, Phase> judgeProbeFailure(HalfOpen halfOpen, RecordFailure msg) {
    if (!msg.probe()) {
      return Effect().noReply();
    }
    ProviderFailure failure = msg.failure();
    if (!failure.kind().providersFault()) {
      // The probe proved nothing (a client error, a cancel): free the permit for the next request.
      releaseProbe();
      return Effect().noReply();
    }
    var evidence = new Evidence(1, Map.of(failure.kind(), 1), failure.status(), failure.message());
    return move(trip(halfOpen.reopens() + 1, evidence));
  }

  /** Journals a move; once it is written, says so and enters the new phase. */
  private ReplyEffect<BreakerEvent, Phase> move(BreakerEvent event) {
    return Effect().persist(event).thenRun(phase -> {
      BreakerLog.moved(context.getLog(), event);
      enter(phase);
    }).thenNoReply();
  }

  private Tripped trip(int reopens, Evidence evidence) {
    Instant now = clock.instant();
    return new Tripped(scope, now, now.plus(settings.cooldown()), reopens, evidence);
  }

  private Evidence evidence() {
    return new Evidence(consecutiveFaults, faultsByKind,
        lastFault == null ? 0 : lastFault.status(), lastFault == null ? "" : lastFault.message());
  }

  // ---- Events: move the phase, nothing else ------------------------------------------------

  @Override
  public EventHandler<Phase, BreakerEvent> eventHandler() {
    var events = newEventHandlerBuilder();
    events.forStateType(Closed.class).onEvent(Tripped.class, Closed::trip);
    events.forStateType(Open.class).onEvent(ProbingStarted.class, Open::probe);
    events.forStateType(HalfOpen.class)
        .onEvent(Recovered.class, HalfOpen::recover)
        .onEvent(Tripped.class, HalfOpen::reopen);
    return events.build();
  }

  // ---- Signals: re-arm what a restart loses ------------------------------------------------

  @Override
  public SignalHandler<Phase> signalHandler() {
    return newSignalHandlerBuilder()
        .onSignal(RecoveryCompleted.instance(), phase -> {
          BreakerLog.recovered(context.getLog(), scope, phase.view());
          enter(phase);
        })
        .build();
  }

  /** Being in a phase, reached live or by replay: publish it, arm or cancel its timers. */
  private void enter(Phase phase) {
    view.publish(scope, phase.view());
    releaseProbe();  // a new phase starts with no probe out, whatever became of the last one
    if (phase instanceof Open open) {
      timers.startSingleTimer(CooldownOver.INSTANCE, CooldownOver.INSTANCE, timeLeft(open.until()));
    } else {
      timers.cancel(CooldownOver.INSTANCE);
    }
    if (phase instanceof Closed) {
      consecutiveFaults = 0;
      faultsByKind.clear();
      lastFault = null;
    }
  }

  private void releaseProbe() {
    probeOut = false;
    timers.cancel(ProbeLeaseExpired.INSTANCE);
  }

  /** Zero when the deadline has passed (a restart after a long stop): probe at once. */
  private Duration timeLeft(Instant until) {
    Duration left = Duration.between(clock.instant(), until);
    return left.isNegative() ? Duration.ZERO : left;
  }
}
