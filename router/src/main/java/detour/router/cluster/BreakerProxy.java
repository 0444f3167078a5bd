package detour.router.cluster;

import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.RecipientRef;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.BehaviorBuilder;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.TimerScheduler;
import detour.persistence.breaker.BreakerScope;
import detour.providers.breaker.BreakerSettings;
import detour.providers.breaker.BreakerState;
import detour.providers.breaker.BreakerState.Circuit;
import detour.providers.breaker.BreakerView;
import detour.providers.breaker.LocalJudge;
import detour.providers.breaker.ProviderBreaker;
import detour.providers.breaker.ProviderBreaker.AskForProbe;
import detour.providers.breaker.ProviderBreaker.ProbeRefused;
import detour.providers.breaker.ProviderBreaker.RecordFailure;
import detour.providers.breaker.ProviderBreaker.RecordSuccess;
import detour.providers.breaker.ProviderBreaker.RecordSuccesses;
import detour.providers.breaker.VersionedState;
import detour.router.config.ClusterSettings;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;

/**
 * This node's stand-in for one breaker, wherever in the cluster the breaker runs (a sharded entity,
 * or with {@code formation = off} a local actor): what the fleet hands the coordinators as the
 * breaker's {@code ActorRef}, taking the breaker's own commands. Successes are counted here and
 * reported in one {@link RecordSuccesses} per {@code success-report-interval}; everything else
 * (failures, probes' outcomes, probe permits, operators' orders, questions) goes on at once, after
 * the successes counted before it, so the owner sees this node's evidence in the order it happened.
 * Nothing is sent twice: the owner never counts the same evidence twice.
 *
 * <p>In a cluster, every {@code keep-alive-interval} it asks the owner for its state: that starts the
 * breaker on a survivor once its node has left the cluster, and brings this node's view up to date
 * if it missed a replicated update. A probe permit is asked for on the request's behalf
 * ({@link ProbePermitAsk}), refused past {@code probe-permit-timeout}.
 *
 * <p>It is in one of three situations, each a behaviour:
 * <ul>
 *   <li>{@linkplain #ownerAnswering() the owner answering}: the owner judges; this node relays.</li>
 *   <li>{@linkplain #ownerSilent() the owner silent}: the keep-alive unanswered for {@code owner-silence}
 *       (its node crashed and not yet downed, or cut off by a partition; sharding buffers what is
 *       sent to it meanwhile). This node keeps routing by the last state it knows and judges its
 *       own outcomes with the breaker's rules ({@link LocalJudge}); probe permits are refused at once.</li>
 *   <li>{@linkplain #holdingLocally() holding locally}: the owner still silent and this node's own
 *       outcomes tripped the rules: the circuit is held open for this node alone for the cooldown
 *       ({@link BreakerView#holdOpenLocally}), then the node tries the provider again on its own evidence.</li>
 * </ul>
 * In each, its evidence still goes to the owner, once; the local verdict is never journaled. The
 * owner's first answer ends the last two: the hold is released and the owner's state rules.
 *
 * <p>Why the keep-alive and not the cluster's reachability events: the keep-alive already travels
 * the whole way to the breaker, so its silence covers every reason the owner cannot judge (a node
 * unreachable, a shard being handed over, an entity restarting on a journal outage), and needs no
 * mapping from a scope to the node that holds its shard, which sharding does not expose cheaply.
 */
public final class BreakerProxy {
  /** Successes held at most before a report goes out early: bounds one message's size. */
  static final int MAX_BATCH = 1000;

  /** What the proxy acts on: the coordinators' commands, sorted by what it does with each; the owner's answers; its timers. */
  private sealed interface Message {}

  /** A success outside a probe: counted into the next report. */
  private record CountSuccess(RecordSuccess success) implements Message {}

  /** A failure outside a probe: goes on at once, and is judged here while the owner is silent. */
  private record JudgeFailure(RecordFailure failure) implements Message {}

  /** A request's ask for a probe permit. */
  private record AskPermit(AskForProbe ask) implements Message {}

  /** Any other command: goes on to the owner at once. */
  private record PassOn(ProviderBreaker.Command command) implements Message {}

  /** The owner's answer to a keep-alive. */
  private record OwnerAnswered(VersionedState state) implements Message {}

  private enum ReportDue implements Message { INSTANCE }

  private enum KeepAliveDue implements Message { INSTANCE }

  /** The owner has not answered for {@code owner-silence}. */
  private enum OwnerSilenceElapsed implements Message { INSTANCE }

  /** This node's own hold has run its cooldown. */
  private enum HoldOver implements Message { INSTANCE }

  /**
   * @param breaker the scope's breaker settings: this node judges by them while the owner is silent
   * @param clock the time its own evidence is counted at
   */
  public static Behavior<ProviderBreaker.Command> create(BreakerScope scope, RecipientRef<ProviderBreaker.Command> owner,
      BreakerView view, ClusterSettings settings, BreakerSettings breaker, InstantSource clock) {
    Behavior<Message> proxy = Behaviors.setup(ctx -> Behaviors.withTimers(timers -> {
      ctx.setLoggerName(BreakerProxy.class);  // else the log is named after Akka's internals, and muted
      if (settings.formation() != ClusterSettings.Formation.OFF) {
        // The silence is counted from each answer: before the first, the node serves nothing anyway.
        timers.startTimerWithFixedDelay(KeepAliveDue.INSTANCE, settings.keepAliveInterval());
      }
      return new BreakerProxy(ctx, timers, scope, owner, view, settings, breaker, clock).ownerAnswering();
    }));
    // The callers' commands become the proxy's own messages; its timers and the owner's answers pass untouched.
    return Behaviors.transformMessages(ProviderBreaker.Command.class, proxy, commands -> commands
        .match(RecordSuccess.class, success -> !success.probe(), CountSuccess::new)
        .match(RecordFailure.class, failure -> !failure.probe(), JudgeFailure::new)
        .match(AskForProbe.class, AskPermit::new)
        .match(ProviderBreaker.Command.class, PassOn::new));
  }

  private final ActorContext<Message> ctx;
  private final TimerScheduler<Message> timers;
  private final BreakerScope scope;
  private final RecipientRef<ProviderBreaker.Command> owner;
  private final BreakerView view;
  private final ClusterSettings settings;
  private final BreakerSettings breaker;
  private final InstantSource clock;
  private final LocalJudge localJudge;
  private final ActorRef<VersionedState> answers;
  private final List<Long> successes = new ArrayList<>();
  private int permitAsks;

  private BreakerProxy(ActorContext<Message> ctx, TimerScheduler<Message> timers, BreakerScope scope,
      RecipientRef<ProviderBreaker.Command> owner, BreakerView view, ClusterSettings settings,
      BreakerSettings breaker, InstantSource clock) {
    this.ctx = ctx;
    this.timers = timers;
    this.scope = scope;
    this.owner = owner;
    this.view = view;
    this.settings = settings;
    this.breaker = breaker;
    this.clock = clock;
    this.localJudge = new LocalJudge(scope, breaker, new SplittableRandom());
    this.answers = ctx.messageAdapter(VersionedState.class, OwnerAnswered::new);
  }

  /** The owner judges; this node relays its evidence and keeps its view current. */
  private Behavior<Message> ownerAnswering() {
    return relaying()
        .onMessage(CountSuccess.class, msg -> count(msg.success()))
        .onMessage(JudgeFailure.class, msg -> passOn(msg.failure()))
        .onMessage(AskPermit.class, msg -> askOwner(msg.ask()))
        .onMessage(OwnerAnswered.class, msg -> answered(msg.state()))
        .onMessageEquals(OwnerSilenceElapsed.INSTANCE, this::ownerWentSilent)
        .build();
  }

  /** The owner cannot judge: this node judges its own outcomes by the breaker's rules. */
  private Behavior<Message> ownerSilent() {
    return relaying()
        .onMessage(CountSuccess.class, msg -> {
          var next = judged(localJudge.success(clock.instant(), msg.success().latencyMillis(), publishedCircuit()));
          count(msg.success());
          return next;
        })
        .onMessage(JudgeFailure.class, msg -> {
          var next = judged(localJudge.failure(clock.instant(), msg.failure().failure(), publishedCircuit()));
          passOn(msg.failure());  // the owner counts it too, once sharding can deliver it
          return next;
        })
        .onMessage(AskPermit.class, msg -> refusePermit(msg.ask()))
        .onMessage(OwnerAnswered.class, msg -> {
          answered(msg.state());
          return ownerBack();
        })
        .build();
  }

  /**
   * The owner silent and the circuit held open on this node's own evidence. Outcomes are not judged:
   * they are of calls begun before the hold, or last resorts.
   */
  private Behavior<Message> holdingLocally() {
    return relaying()
        .onMessage(CountSuccess.class, msg -> count(msg.success()))
        .onMessage(JudgeFailure.class, msg -> passOn(msg.failure()))
        .onMessage(AskPermit.class, msg -> refusePermit(msg.ask()))
        .onMessage(OwnerAnswered.class, msg -> {
          answered(msg.state());
          timers.cancel(HoldOver.INSTANCE);
          view.releaseLocal(scope);
          return ownerBack();
        })
        .onMessageEquals(HoldOver.INSTANCE, this::holdOver)
        .build();
  }

  /** What every situation does alike: other commands go on, reports and keep-alives go out on time. */
  private BehaviorBuilder<Message> relaying() {
    return Behaviors.receive(Message.class)
        .onMessage(PassOn.class, msg -> passOn(msg.command()))
        .onMessageEquals(ReportDue.INSTANCE, () -> {
          report();
          return Behaviors.same();
        })
        .onMessageEquals(KeepAliveDue.INSTANCE, () -> {
          report();
          owner.tell(new ProviderBreaker.GetVersionedState(answers));
          return Behaviors.same();
        });
  }

  private Behavior<Message> count(RecordSuccess success) {
    successes.add(success.latencyMillis());
    if (successes.size() >= MAX_BATCH) {
      report();
    } else if (successes.size() == 1) {
      timers.startSingleTimer(ReportDue.INSTANCE, settings.successReportInterval());
    }
    return Behaviors.same();
  }

  private Behavior<Message> passOn(ProviderBreaker.Command command) {
    report();  // first what happened before it
    owner.tell(command);
    return Behaviors.same();
  }

  private Behavior<Message> askOwner(AskForProbe ask) {
    report();
    if (settings.formation() == ClusterSettings.Formation.OFF) {
      owner.tell(ask);  // a local actor, which always answers at once
    } else {
      ctx.spawn(ProbePermitAsk.create(owner, ask.replyTo(), settings.probePermitTimeout(), breaker.probeLease()),
          "probe-permit-" + ++permitAsks);
    }
    return Behaviors.same();
  }

  private Behavior<Message> refusePermit(AskForProbe ask) {
    ask.replyTo().tell(new ProbeRefused("the breaker's owner has not answered for " + settings.ownerSilence()));
    return Behaviors.same();
  }

  /** The owner's state goes into the view, and the silence is counted again from now. */
  private Behavior<Message> answered(VersionedState state) {
    view.publish(scope, state.state(), state.version());
    timers.startSingleTimer(OwnerSilenceElapsed.INSTANCE, settings.ownerSilence());
    return Behaviors.same();
  }

  private Behavior<Message> ownerWentSilent() {
    ctx.getLog().warn("breaker={} owner has not answered for {}: this node routes by the state it last"
        + " knew ({}) and judges its own outcomes until the owner answers", scope.key(), settings.ownerSilence(),
        publishedCircuit());
    return ownerSilent();
  }

  private Behavior<Message> ownerBack() {
    localJudge.forgetAll();
    ctx.getLog().info("breaker={} owner answers again: its state rules on this node (circuit {})",
        scope.key(), view.stateOf(scope).circuit());
    return ownerAnswering();
  }

  /** Holds the circuit open here if this node's evidence tripped the rules; else stays silent-judging. */
  private Behavior<Message> judged(Optional<BreakerState> open) {
    if (open.isEmpty()) return Behaviors.same();
    BreakerState hold = open.get();
    view.holdOpenLocally(scope, hold);
    Duration left = Duration.between(clock.instant(), hold.until());
    timers.startSingleTimer(HoldOver.INSTANCE, left.isNegative() ? Duration.ZERO : left);
    ctx.getLog().warn("breaker={} owner unreachable: held open on this node's own evidence until {}"
        + " (cause {}, reopens {})", scope.key(), hold.until(), hold.cause(), hold.reopens());
    return holdingLocally();
  }

  private Behavior<Message> holdOver() {
    view.releaseLocal(scope);
    localJudge.holdOver();
    ctx.getLog().info("breaker={} owner still unreachable: local hold over, trying the provider again"
        + " on this node's own evidence", scope.key());
    return ownerSilent();
  }

  private Circuit publishedCircuit() {
    return view.publishedStateOf(scope).circuit();
  }

  private void report() {
    if (successes.isEmpty()) return;
    owner.tell(new RecordSuccesses(List.copyOf(successes)));
    successes.clear();
    timers.cancel(ReportDue.INSTANCE);
  }
}
