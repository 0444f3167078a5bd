package detour.providers.breaker;

import akka.Done;
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
import com.fasterxml.jackson.annotation.JsonIgnore;
import detour.persistence.CborSerializable;
import detour.persistence.JsonSerializable;
import detour.persistence.breaker.BreakerEvent;
import detour.persistence.breaker.BreakerEvent.Drained;
import detour.persistence.breaker.BreakerEvent.ForcedClosed;
import detour.persistence.breaker.BreakerEvent.ForcedOpen;
import detour.persistence.breaker.BreakerEvent.ProbingStarted;
import detour.persistence.breaker.BreakerEvent.RampAdvanced;
import detour.persistence.breaker.BreakerEvent.Recovered;
import detour.persistence.breaker.BreakerEvent.Reset;
import detour.persistence.breaker.BreakerEvent.Tripped;
import detour.persistence.breaker.BreakerScope;
import detour.persistence.breaker.TripReason;
import detour.providers.client.FailureClassifier;
import detour.providers.model.CallResult;
import detour.providers.model.ProviderFailure;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.random.RandomGenerator;

/**
 * One provider's circuit breaker. It owns the circuit's phase, journals every move with the
 * evidence behind it, and publishes each phase, numbered by its journal sequence number, to the
 * {@link BreakerView} that requests read (in a cluster, to every node's; see {@link BreakerPublisher}).
 *
 * <pre>
 * CLOSED ──faults in a row, fault rate, slow-call rate or sustained 429s──► OPEN
 * OPEN ──cooldown over (grows per open in a row, jittered, Retry-After as floor)──► HALF_OPEN
 * HALF_OPEN ──M probes in a row succeed──► RECOVERING stage 0 ──each stage held healthy──► next stage
 * RECOVERING last stage held healthy ──► CLOSED
 * HALF_OPEN or RECOVERING ──a probe fails, or the ramp's window judges it unhealthy──► OPEN
 * </pre>
 *
 * Nothing on the healthy path is journaled: outcomes are counted in a window held in fields, and
 * only a change of phase is persisted. Requests never wait on this actor, except to ask for a probe
 * permit while the circuit is half-open, so that one request at a time tests a recovering provider.
 *
 * <p>The rules are {@link BreakerMachine}'s, as the what-if replay's and a node's local judge's
 * are: this actor keeps only what is an actor's, its timers, its journal, its clock, its replies.
 */
public final class ProviderBreaker
    extends EventSourcedBehaviorWithEnforcedReplies<ProviderBreaker.Command, BreakerEvent, ProviderBreaker.Phase> {

  // ---- Protocol ----------------------------------------------------------------------------

  public sealed interface Command extends CborSerializable {}

  /** A call to the provider answered. Told, never answered: the request path waits on no breaker. */
  public record RecordSuccess(long latencyMillis, boolean probe) implements Command {}

  /**
   * Calls that answered, as one node counted them since its last report, in order: a node reports
   * its successes in batches (docs/architecture.md, "Outcomes"). Told, never answered.
   */
  public record RecordSuccesses(List<Long> latencyMillis) implements Command {}

  /** A call to the provider failed; the breaker decides whether it counts. Told, never answered. */
  public record RecordFailure(ProviderFailure failure, boolean probe) implements Command {}

  /** Asked only while the view says half-open, so a fleet of requests cannot stampede a recovering provider. */
  public record AskForProbe(ActorRef<ProbeAnswer> replyTo) implements Command {}

  /** The breaker's current state, answered once it has recovered from the journal. */
  public record GetState(ActorRef<BreakerState> replyTo) implements Command {}

  /** The state with the journal sequence number it was published at: for a node's view. */
  public record GetVersionedState(ActorRef<VersionedState> replyTo) implements Command {}

  /** Everything an operator may want to see of this breaker. */
  public record Describe(ActorRef<BreakerReport> replyTo) implements Command {}

  /** What an operator may do to a circuit; see {@link Administer}. */
  public enum Action { FORCE_OPEN, FORCE_CLOSED, DRAIN, RESET }

  /**
   * An operator's override, journaled with who and why, answered with the state it led to.
   *
   * @param duration how long to stay open, for {@link Action#FORCE_OPEN} only
   */
  public record Administer(Action action, Duration duration, String operator, String reason,
      ActorRef<BreakerState> replyTo) implements Command {}

  /** An operator's order is journaled and its state published everywhere: answer it now. */
  private record AnswerOrder(ActorRef<BreakerState> replyTo, BreakerState state) implements Command {}

  private enum CooldownOver implements Command { INSTANCE }

  private enum StageOver implements Command { INSTANCE }

  private enum ProbeLeaseExpired implements Command { INSTANCE }

  /** Time to send the breaker's own probe (active probing only). */
  private enum SendActiveProbe implements Command { INSTANCE }

  /**
   * The breaker's own probe came back.
   *
   * @param probe which of the breaker's own probes this is: a late one no longer decides
   */
  private record ActiveProbeDone(int probe, CallResult result, long latencyMillis) implements Command {}

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
      return new Open(e.until(), e.reopens(), e.evidence().reason());
    }

    public BreakerState view() {
      return BreakerState.CLOSED;
    }
  }

  /** @param cause the rule that opened it; null when an operator did */
  public record Open(Instant until, int reopens, TripReason cause) implements Phase {
    HalfOpen probe(ProbingStarted e) {
      return new HalfOpen(reopens, e.probes());
    }

    public BreakerState view() {
      return BreakerState.open(until, reopens, cause);
    }
  }

  /**
   * @param probes successful probes in a row it needs
   * @param trial its own probe permit and count: born fresh with the phase, never journaled, and
   *     no part of what the phase is (equality and snapshots leave it out)
   */
  public record HalfOpen(int reopens, int probes, @JsonIgnore ProbeTrial trial) implements Phase {
    public HalfOpen {
      trial = trial == null ? new ProbeTrial() : trial;
    }

    public HalfOpen(int reopens, int probes) {
      this(reopens, probes, new ProbeTrial());
    }

    @Override
    public boolean equals(Object other) {
      return other instanceof HalfOpen that && reopens == that.reopens && probes == that.probes;
    }

    @Override
    public int hashCode() {
      return 31 * reopens + probes;
    }

    Recovering ramp(RampAdvanced e) {
      return new Recovering(e.stage(), e.share(), e.until(), reopens);
    }

    Closed recover(Recovered e) {
      return new Closed();
    }

    Open reopen(Tripped e) {
      return new Open(e.until(), e.reopens(), e.evidence().reason());
    }

    public BreakerState view() {
      return BreakerState.halfOpen(reopens);
    }
  }

  /** An operator pinned it closed: outcomes are counted for the record, but open nothing. */
  public record PinnedClosed(String operator, String reason) implements Phase {
    public BreakerState view() {
      return BreakerState.CLOSED;
    }
  }

  /** An operator drained it: no traffic, no probes. */
  public record OutOfRotation(String operator, String reason) implements Phase {
    public BreakerState view() {
      return BreakerState.DRAINED;
    }
  }

  /** Ramp stage {@code stage}: the provider takes {@code share} of its traffic until {@code until}. */
  public record Recovering(int stage, double share, Instant until, int reopens) implements Phase {
    Recovering advance(RampAdvanced e) {
      return new Recovering(e.stage(), e.share(), e.until(), reopens);
    }

    Closed recover(Recovered e) {
      return new Closed();
    }

    Open reopen(Tripped e) {
      return new Open(e.until(), e.reopens(), e.evidence().reason());
    }

    public BreakerState view() {
      return BreakerState.recovering(share, until, reopens);
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
      BreakerScope scope, BreakerSettings settings, InstantSource clock, BreakerPublisher view) {
    return create(scope, settings, clock, view, new SplittableRandom(), Optional.empty());
  }

  public static Behavior<Command> create(
      BreakerScope scope, BreakerSettings settings, InstantSource clock, BreakerPublisher view, RandomGenerator random) {
    return create(scope, settings, clock, view, random, Optional.empty());
  }

  /**
   * @param random draws the cooldown's jitter; seeded in tests
   * @param prober sends the breaker's own probes while half-open; empty: real requests probe
   */
  public static Behavior<Command> create(BreakerScope scope, BreakerSettings settings, InstantSource clock,
      BreakerPublisher view, RandomGenerator random, Optional<Prober> prober) {
    return Behaviors.setup(ctx -> Behaviors.withTimers(
        timers -> new ProviderBreaker(ctx, timers, scope, settings, clock, view, random, prober)));
  }

  /** As {@link #create}, restarted with backoff when it fails. */
  public static Behavior<Command> supervised(
      BreakerScope scope, BreakerSettings settings, InstantSource clock, BreakerPublisher view, Optional<Prober> prober) {
    return Behaviors.supervise(create(scope, settings, clock, view, new SplittableRandom(), prober))
        .onFailure(SupervisorStrategy.restartWithBackoff(MIN_BACKOFF, MAX_BACKOFF, 0.2));
  }

  private final ActorContext<Command> context;
  private final TimerScheduler<Command> timers;
  private final BreakerScope scope;
  private final BreakerSettings settings;
  private final InstantSource clock;
  private final BreakerPublisher view;
  private final Optional<Prober> prober;

  // The rules, with what they count but never journal: a field rather than state, since losing
  // it costs only a recount.
  private final BreakerMachine machine;
  // The last trip this node saw written, for operators' eyes.
  private Tripped lastTrip;

  private ProviderBreaker(
      ActorContext<Command> context,
      TimerScheduler<Command> timers,
      BreakerScope scope,
      BreakerSettings settings,
      InstantSource clock,
      BreakerPublisher view,
      RandomGenerator random,
      Optional<Prober> prober) {
    super(persistenceId(scope), SupervisorStrategy.restartWithBackoff(MIN_BACKOFF, MAX_BACKOFF, 0.2));
    this.context = context;
    this.timers = timers;
    this.scope = scope;
    this.settings = settings;
    this.clock = clock;
    this.view = view;
    this.prober = prober;
    this.machine = new BreakerMachine(scope, settings, random);
  }

  @Override
  public Phase emptyState() {
    return new Closed();
  }

  @Override
  public RetentionCriteria retentionCriteria() {
    // Snapshots keep recovery short. Events are not deleted on snapshot (that counts events, and
    // the audit reads them by time): the node's JournalRetention deletes whole incidents older than
    // detour.journal.retention, with the snapshots before them, so that recovery stays exact.
    return RetentionCriteria.snapshotEvery(100, 2);
  }

  // ---- Commands: decide, return one effect -------------------------------------------------

  @Override
  public CommandHandlerWithReply<Command, BreakerEvent, Phase> commandHandler() {
    var handlers = newCommandHandlerWithReplyBuilder();
    handlers.forStateType(Closed.class)
        .onCommand(RecordSuccess.class, this::countAnswer)
        .onCommand(RecordSuccesses.class, this::countAnswers)
        .onCommand(RecordFailure.class, this::countFailure)
        .onCommand(AskForProbe.class, (closed, ask) -> Effect().reply(ask.replyTo(), new ProbeGranted()));
    handlers.forStateType(Open.class)
        // Outcomes of calls begun before the trip, or last-resort calls, change nothing.
        .onCommand(RecordSuccess.class, (open, late) -> Effect().noReply())
        .onCommand(RecordSuccesses.class, (open, late) -> Effect().noReply())
        .onCommand(RecordFailure.class, (open, late) -> Effect().noReply())
        .onCommand(AskForProbe.class, (open, ask) -> Effect().reply(ask.replyTo(),
            new ProbeRefused("circuit open until " + open.until())))
        .onCommand(CooldownOver.class, this::startProbing);
    handlers.forStateType(HalfOpen.class)
        .onCommand(RecordSuccess.class, this::judgeProbeSuccess)
        // Batches hold no probes (a node reports a probe's outcome at once): begun before the trip.
        .onCommand(RecordSuccesses.class, (halfOpen, late) -> Effect().noReply())
        .onCommand(RecordFailure.class, this::judgeProbeFailure)
        .onCommand(AskForProbe.class, this::grantProbe)
        .onCommand(ProbeLeaseExpired.class, this::reclaimProbe)
        .onCommand(SendActiveProbe.class, this::sendActiveProbe)
        .onCommand(ActiveProbeDone.class, this::judgeActiveProbe);
    handlers.forStateType(Recovering.class)
        .onCommand(RecordSuccess.class, this::countAnswer)
        .onCommand(RecordSuccesses.class, this::countAnswers)
        .onCommand(RecordFailure.class, this::countFailure)
        .onCommand(AskForProbe.class, (ramp, ask) -> Effect().reply(ask.replyTo(), new ProbeGranted()))
        .onCommand(StageOver.class, this::advanceRamp);
    handlers.forStateType(PinnedClosed.class)
        // Counted for the record only: the machine opens nothing while pinned.
        .onCommand(RecordSuccess.class, this::countAnswer)
        .onCommand(RecordSuccesses.class, this::countAnswers)
        .onCommand(RecordFailure.class, this::countFailure)
        .onCommand(AskForProbe.class, (pinned, ask) -> Effect().reply(ask.replyTo(), new ProbeGranted()));
    handlers.forStateType(OutOfRotation.class)
        .onCommand(RecordSuccess.class, (drained, late) -> Effect().noReply())
        .onCommand(RecordSuccesses.class, (drained, late) -> Effect().noReply())
        .onCommand(RecordFailure.class, (drained, late) -> Effect().noReply())
        .onCommand(AskForProbe.class, (drained, ask) -> Effect().reply(ask.replyTo(),
            new ProbeRefused("drained by " + drained.operator())));
    handlers.forAnyState()
        .onCommand(GetState.class, (phase, get) -> Effect().reply(get.replyTo(), phase.view()))
        .onCommand(GetVersionedState.class, (phase, get) ->
            Effect().reply(get.replyTo(), new VersionedState(phase.view(), lastSequenceNumber(context))))
        .onCommand(Describe.class, this::describe)
        .onCommand(Administer.class, this::administer)
        .onCommand(AnswerOrder.class, (phase, done) -> Effect().reply(done.replyTo(), done.state()))
        // A timer that fired as the phase changed: nothing to do.
        .onCommand(CooldownOver.class, (phase, stale) -> Effect().noReply())
        .onCommand(StageOver.class, (phase, stale) -> Effect().noReply())
        .onCommand(SendActiveProbe.class, (phase, stale) -> Effect().noReply())
        .onCommand(ActiveProbeDone.class, (phase, late) -> Effect().noReply())
        .onCommand(ProbeLeaseExpired.class, (phase, stale) -> Effect().noReply());
    return handlers.build();
  }

  /** Closed, ramping or pinned: the answer counts in the window, and may complete a slow-call trip. */
  private ReplyEffect<BreakerEvent, Phase> countAnswer(Phase phase, RecordSuccess msg) {
    return moveIf(machine.answered(phase, clock.instant(), msg.latencyMillis(), false));
  }

  /** As {@link #countAnswer}, each in turn; the rest of a batch after a trip began before it, and counts no more. */
  private ReplyEffect<BreakerEvent, Phase> countAnswers(Phase phase, RecordSuccesses batch) {
    Instant now = clock.instant();
    for (long latency : batch.latencyMillis()) {
      Optional<BreakerEvent> move = machine.answered(phase, now, latency, false);
      if (move.isPresent()) return moveIf(move);
    }
    return Effect().noReply();
  }

  /** Closed, ramping or pinned: a provider's fault counts in the window and in a run; others count nowhere. */
  private ReplyEffect<BreakerEvent, Phase> countFailure(Phase phase, RecordFailure msg) {
    return moveIf(machine.failed(phase, clock.instant(), msg.failure(), false));
  }

  private ReplyEffect<BreakerEvent, Phase> describe(Phase phase, Describe ask) {
    Optional<String> override = phase instanceof PinnedClosed pinned
        ? Optional.of("forced closed by " + pinned.operator() + ": " + pinned.reason())
        : phase instanceof OutOfRotation drained
            ? Optional.of("drained by " + drained.operator() + ": " + drained.reason())
            : Optional.empty();
    return Effect().reply(ask.replyTo(), new BreakerReport(scope, phase.view(),
        machine.stats(clock.instant()), Optional.ofNullable(lastTrip), override));
  }

  private ReplyEffect<BreakerEvent, Phase> administer(Phase phase, Administer order) {
    Instant now = clock.instant();
    BreakerEvent event = switch (order.action()) {
      case FORCE_OPEN -> new ForcedOpen(scope, now, now.plus(order.duration()), order.operator(), order.reason());
      case FORCE_CLOSED -> new ForcedClosed(scope, now, order.operator(), order.reason());
      case DRAIN -> new Drained(scope, now, order.operator(), order.reason());
      case RESET -> new Reset(scope, now, order.operator(), order.reason());
    };
    // Answered once every node's view holds the new state (on one node, at once), so that the
    // operator's next request, whichever node it lands on, sees what was ordered.
    return Effect().persist(event).thenRun(next -> {
      BreakerLog.moved(context.getLog(), event);
      CompletableFuture<Done> everywhere = enter(next).toCompletableFuture();
      if (everywhere.isDone()) {
        order.replyTo().tell(next.view());
      } else {
        context.pipeToSelf(everywhere, (published, failed) -> new AnswerOrder(order.replyTo(), next.view()));
      }
    }).thenNoReply();
  }

  private ReplyEffect<BreakerEvent, Phase> startProbing(Open open, CooldownOver tick) {
    return move(machine.cooldownOver(open, clock.instant()));
  }

  private ReplyEffect<BreakerEvent, Phase> grantProbe(HalfOpen halfOpen, AskForProbe ask) {
    if (prober.isPresent()) {
      return Effect().reply(ask.replyTo(), new ProbeRefused("the breaker probes by itself"));
    }
    if (!halfOpen.trial().take()) {
      return Effect().reply(ask.replyTo(), new ProbeRefused("a probe is already in flight"));
    }
    timers.startSingleTimer(ProbeLeaseExpired.INSTANCE, ProbeLeaseExpired.INSTANCE, settings.probeLease());
    return Effect().reply(ask.replyTo(), new ProbeGranted());
  }

  private ReplyEffect<BreakerEvent, Phase> reclaimProbe(HalfOpen halfOpen, ProbeLeaseExpired tick) {
    context.getLog().warn("breaker={} probe never reported back within {}; another may probe",
        scope.key(), settings.probeLease());
    halfOpen.trial().release();
    scheduleActiveProbe(Duration.ZERO);
    return Effect().noReply();
  }

  private ReplyEffect<BreakerEvent, Phase> judgeProbeSuccess(HalfOpen halfOpen, RecordSuccess msg) {
    if (!msg.probe()) {
      return Effect().noReply();  // a call begun before the trip
    }
    timers.cancel(ProbeLeaseExpired.INSTANCE);
    return judgedProbe(machine.answered(halfOpen, clock.instant(), msg.latencyMillis(), true));
  }

  private ReplyEffect<BreakerEvent, Phase> judgeProbeFailure(HalfOpen halfOpen, RecordFailure msg) {
    if (!msg.probe()) {
      return Effect().noReply();
    }
    timers.cancel(ProbeLeaseExpired.INSTANCE);
    return judgedProbe(machine.failed(halfOpen, clock.instant(), msg.failure(), true));
  }

  /** A probe decided a move, or freed the permit for the next (sent after the interval, if ours). */
  private ReplyEffect<BreakerEvent, Phase> judgedProbe(Optional<BreakerEvent> move) {
    if (move.isEmpty()) scheduleActiveProbe(settings.activeProbeInterval());
    return moveIf(move);
  }

  private ReplyEffect<BreakerEvent, Phase> sendActiveProbe(HalfOpen halfOpen, SendActiveProbe tick) {
    if (prober.isEmpty()) return Effect().noReply();
    Optional<Integer> sent = halfOpen.trial().send();
    if (sent.isEmpty()) return Effect().noReply();
    int probe = sent.get();
    timers.startSingleTimer(ProbeLeaseExpired.INSTANCE, ProbeLeaseExpired.INSTANCE, settings.probeLease());
    long started = System.nanoTime();
    context.pipeToSelf(prober.get().probe(), (result, bug) -> new ActiveProbeDone(probe,
        result != null ? result : new CallResult.Failed(FailureClassifier.fromThrowable(bug)),
        (System.nanoTime() - started) / 1_000_000));
    return Effect().noReply();
  }

  private ReplyEffect<BreakerEvent, Phase> judgeActiveProbe(HalfOpen halfOpen, ActiveProbeDone done) {
    if (!halfOpen.trial().awaits(done.probe())) {
      return Effect().noReply();  // its lease ran out and a later probe now decides
    }
    if (done.result() instanceof CallResult.Failed failed) {
      return judgeProbeFailure(halfOpen, new RecordFailure(failed.failure(), true));
    }
    return judgeProbeSuccess(halfOpen, new RecordSuccess(done.latencyMillis(), true));
  }

  private void scheduleActiveProbe(Duration delay) {
    if (prober.isPresent()) timers.startSingleTimer(SendActiveProbe.INSTANCE, SendActiveProbe.INSTANCE, delay);
  }

  private ReplyEffect<BreakerEvent, Phase> advanceRamp(Recovering ramp, StageOver tick) {
    return move(machine.stageOver(ramp, clock.instant()));
  }

  private ReplyEffect<BreakerEvent, Phase> moveIf(Optional<BreakerEvent> event) {
    return event.isPresent() ? move(event.get()) : Effect().noReply();
  }

  /** Journals a move; once it is written (and only then), says so and enters the new phase. */
  private ReplyEffect<BreakerEvent, Phase> move(BreakerEvent event) {
    return Effect().persist(event).thenRun(phase -> {
      if (event instanceof Tripped tripped) lastTrip = tripped;
      BreakerLog.moved(context.getLog(), event);
      enter(phase);
    }).thenNoReply();
  }

  // ---- Events: move the phase, nothing else ------------------------------------------------

  @Override
  public EventHandler<Phase, BreakerEvent> eventHandler() {
    return newEventHandlerBuilder().forAnyState().onAnyEvent(BreakerMachine::apply);
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

  /**
   * Being in a phase, reached live or by replay: publish it, start its counting, arm its timer.
   *
   * @return completes once the phase is in every node's view
   */
  private CompletionStage<Done> enter(Phase phase) {
    CompletionStage<Done> published = view.publish(scope, phase.view(), lastSequenceNumber(context));
    machine.entered(phase);
    timers.cancel(ProbeLeaseExpired.INSTANCE);
    timers.cancel(CooldownOver.INSTANCE);
    timers.cancel(StageOver.INSTANCE);
    timers.cancel(SendActiveProbe.INSTANCE);
    if (phase instanceof HalfOpen) {
      scheduleActiveProbe(Duration.ZERO);
    }
    if (phase instanceof Open open) {
      timers.startSingleTimer(CooldownOver.INSTANCE, CooldownOver.INSTANCE, timeLeft(open.until()));
    } else if (phase instanceof Recovering ramp) {
      timers.startSingleTimer(StageOver.INSTANCE, StageOver.INSTANCE, timeLeft(ramp.until()));
    }
    return published;
  }

  /** Zero when the deadline has passed (a restart after a long stop): move on at once. */
  private Duration timeLeft(Instant until) {
    Duration left = Duration.between(clock.instant(), until);
    return left.isNegative() ? Duration.ZERO : left;
  }
}
