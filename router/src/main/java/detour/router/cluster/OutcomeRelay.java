package detour.router.cluster;

import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.AbstractBehavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.Receive;
import akka.actor.typed.javadsl.TimerScheduler;
import akka.actor.typed.RecipientRef;
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
 * This node's way to one breaker, wherever in the cluster it runs (a sharded entity, or with
 * {@code formation = off} a local actor): what the fleet hands the
 * coordinators as the breaker's {@code ActorRef}. Successes are counted here and reported in one
 * {@link RecordSuccesses} per {@code success-report-interval}; everything else (failures, probes'
 * outcomes, probe permits, operators' orders, questions) goes on at once, after the successes
 * counted before it, so the owner sees this node's evidence in the order it happened. Nothing is
 * sent twice: the owner never counts the same evidence twice.
 *
 * <p>In a cluster, every {@code keep-alive-interval} it asks the owner for its state: that starts the breaker on
 * a survivor once its node has left the cluster, and brings this node's view up to date if it
 * missed a replicated update. A probe permit is asked for on the request's behalf
 * ({@link ProbePermitAsk}), refused past {@code probe-permit-timeout}.
 *
 * <p>When the owner leaves the keep-alive unanswered for {@code owner-silence} (its node crashed
 * and not yet downed, or cut off by a partition; sharding buffers what is sent to it meanwhile),
 * this node keeps routing by the last state it knows and judges its own outcomes with the
 * breaker's rules ({@link LocalJudge}): when they trip, it holds the circuit open for itself alone
 * for the cooldown ({@link BreakerView#holdOpenLocally}), then tries the provider again on its own
 * evidence. Probe permits are refused at once. Its evidence still goes to the owner, once, as
 * always; the local verdict is never journaled. The owner's first answer ends all this: the hold
 * is released and the owner's state rules.
 *
 * <p>Why the keep-alive and not the cluster's reachability events: the keep-alive already travels
 * the whole way to the breaker, so its silence covers every reason the owner cannot judge (a node
 * unreachable, a shard being handed over, an entity restarting on a journal outage), and needs no
 * mapping from a scope to the node that holds its shard, which sharding does not expose cheaply.
 */
public final class OutcomeRelay extends AbstractBehavior<Object> {
  /** Successes held at most before a report goes out early: bounds one message's size. */
  static final int MAX_BATCH = 1000;

  private enum Report { INSTANCE }

  private enum KeepAlive { INSTANCE }

  /** The owner has not answered for {@code owner-silence}. */
  private enum OwnerSilent { INSTANCE }

  /** This node's own hold has run its cooldown. */
  private enum HoldOver { INSTANCE }

  /**
   * @param breaker the scope's breaker settings: this node judges by them while the owner is silent
   * @param clock the time its own evidence is counted at
   */
  public static Behavior<Object> create(BreakerScope scope, RecipientRef<ProviderBreaker.Command> owner,
      BreakerView view, ClusterSettings settings, BreakerSettings breaker, InstantSource clock) {
    return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> {
      ctx.setLoggerName(OutcomeRelay.class);  // else the log is named after Akka's internals, and muted
      if (settings.formation() != ClusterSettings.Formation.OFF) {
        // The silence is counted from each answer: before the first, the node serves nothing anyway.
        timers.startTimerWithFixedDelay(KeepAlive.INSTANCE, settings.keepAliveInterval());
      }
      return new OutcomeRelay(ctx, timers, scope, owner, view, settings, breaker, clock);
    }));
  }

  private final TimerScheduler<Object> timers;
  private final BreakerScope scope;
  private final RecipientRef<ProviderBreaker.Command> owner;
  private final BreakerView view;
  private final ClusterSettings settings;
  private final BreakerSettings breaker;
  private final InstantSource clock;
  private final LocalJudge localJudge;
  private final List<Long> successes = new ArrayList<>();
  /** The owner left the keep-alive unanswered for owner-silence, and has not answered since. */
  private boolean ownerSilent;
  /** This node holds the circuit open on its own evidence. */
  private boolean holding;
  private int permitAsks;

  private OutcomeRelay(ActorContext<Object> context, TimerScheduler<Object> timers, BreakerScope scope,
      RecipientRef<ProviderBreaker.Command> owner, BreakerView view, ClusterSettings settings,
      BreakerSettings breaker, InstantSource clock) {
    super(context);
    this.timers = timers;
    this.scope = scope;
    this.owner = owner;
    this.view = view;
    this.settings = settings;
    this.breaker = breaker;
    this.clock = clock;
    this.localJudge = new LocalJudge(scope, breaker, new SplittableRandom());
  }

  @Override
  public Receive<Object> createReceive() {
    return newReceiveBuilder()
        .onMessage(RecordSuccess.class, success -> !success.probe(), this::onSuccess)
        .onMessage(RecordFailure.class, failure -> !failure.probe(), this::onFailure)
        .onMessage(AskForProbe.class, this::onAskForProbe)
        .onMessage(ProviderBreaker.Command.class, this::onCommand)
        .onMessageEquals(Report.INSTANCE, this::onReport)
        .onMessageEquals(KeepAlive.INSTANCE, this::onKeepAlive)
        .onMessage(VersionedState.class, this::onState)
        .onMessageEquals(OwnerSilent.INSTANCE, this::onOwnerSilent)
        .onMessageEquals(HoldOver.INSTANCE, this::onHoldOver)
        .build();
  }

  private Behavior<Object> onSuccess(RecordSuccess success) {
    if (judgingLocally()) {
      holdIf(localJudge.success(clock.instant(), success.latencyMillis(), publishedCircuit()));
    }
    successes.add(success.latencyMillis());
    if (successes.size() >= MAX_BATCH) {
      report();
    } else if (successes.size() == 1) {
      timers.startSingleTimer(Report.INSTANCE, settings.successReportInterval());
    }
    return this;
  }

  private Behavior<Object> onFailure(RecordFailure failure) {
    if (judgingLocally()) {
      holdIf(localJudge.failure(clock.instant(), failure.failure(), publishedCircuit()));
    }
    return onCommand(failure);  // the owner counts it too, once sharding can deliver it
  }

  private Behavior<Object> onAskForProbe(AskForProbe ask) {
    if (ownerSilent) {
      ask.replyTo().tell(new ProbeRefused("the breaker's owner has not answered for " + settings.ownerSilence()));
      return this;
    }
    report();
    if (settings.formation() == ClusterSettings.Formation.OFF) {
      owner.tell(ask);  // a local actor, which always answers at once
      return this;
    }
    getContext().spawn(ProbePermitAsk.create(owner, ask.replyTo(), settings.probePermitTimeout(),
        breaker.probeLease()), "probe-permit-" + ++permitAsks);
    return this;
  }

  private Behavior<Object> onCommand(ProviderBreaker.Command command) {
    report();  // first what happened before it
    owner.tell(command);
    return this;
  }

  private Behavior<Object> onReport() {
    report();
    return this;
  }

  private Behavior<Object> onKeepAlive() {
    report();
    owner.tell(new ProviderBreaker.GetVersionedState(getContext().getSelf().narrow()));
    return this;
  }

  private Behavior<Object> onState(VersionedState state) {
    view.publish(scope, state.state(), state.version());
    timers.startSingleTimer(OwnerSilent.INSTANCE, settings.ownerSilence());
    if (ownerSilent) {
      ownerSilent = false;
      localJudge.forgetAll();
      if (holding) {
        holding = false;
        timers.cancel(HoldOver.INSTANCE);
        view.releaseLocal(scope);
      }
      getContext().getLog().info("breaker={} owner answers again: its state rules on this node (circuit {})",
          scope.key(), view.stateOf(scope).circuit());
    }
    return this;
  }

  private Behavior<Object> onOwnerSilent() {
    ownerSilent = true;
    getContext().getLog().warn("breaker={} owner has not answered for {}: this node routes by the state it last"
        + " knew ({}) and judges its own outcomes until the owner answers", scope.key(), settings.ownerSilence(),
        publishedCircuit());
    return this;
  }

  private Behavior<Object> onHoldOver() {
    holding = false;
    view.releaseLocal(scope);
    localJudge.holdOver();
    getContext().getLog().info("breaker={} owner still unreachable: local hold over, trying the provider again"
        + " on this node's own evidence", scope.key());
    return this;
  }

  private boolean judgingLocally() {
    return ownerSilent && !holding;  // while held, outcomes are of calls begun before, or last resorts
  }

  private Circuit publishedCircuit() {
    return view.publishedStateOf(scope).circuit();
  }

  private void holdIf(Optional<BreakerState> open) {
    if (open.isEmpty()) return;
    BreakerState hold = open.get();
    holding = true;
    view.holdOpenLocally(scope, hold);
    Duration left = Duration.between(clock.instant(), hold.until());
    timers.startSingleTimer(HoldOver.INSTANCE, left.isNegative() ? Duration.ZERO : left);
    getContext().getLog().warn("breaker={} owner unreachable: held open on this node's own evidence until {}"
        + " (cause {}, reopens {})", scope.key(), hold.until(), hold.cause(), hold.reopens());
  }

  private void report() {
    if (successes.isEmpty()) return;
    owner.tell(new RecordSuccesses(List.copyOf(successes)));
    successes.clear();
    timers.cancel(Report.INSTANCE);
  }
}
