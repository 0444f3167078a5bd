package detour.router.cluster;

import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.AbstractBehavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.Receive;
import akka.actor.typed.javadsl.TimerScheduler;
import akka.actor.typed.RecipientRef;
import detour.persistence.breaker.BreakerScope;
import detour.providers.breaker.BreakerView;
import detour.providers.breaker.ProviderBreaker;
import detour.providers.breaker.ProviderBreaker.RecordSuccess;
import detour.providers.breaker.ProviderBreaker.RecordSuccesses;
import detour.providers.breaker.VersionedState;
import detour.router.config.ClusterSettings;
import java.util.ArrayList;
import java.util.List;

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
 * missed a replicated update.
 */
public final class OutcomeRelay extends AbstractBehavior<Object> {
  /** Successes held at most before a report goes out early: bounds one message's size. */
  static final int MAX_BATCH = 1000;

  private enum Report { INSTANCE }

  private enum KeepAlive { INSTANCE }

  public static Behavior<Object> create(BreakerScope scope, RecipientRef<ProviderBreaker.Command> owner,
      BreakerView view, ClusterSettings settings) {
    return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> {
      if (settings.formation() != ClusterSettings.Formation.OFF) {
        timers.startTimerWithFixedDelay(KeepAlive.INSTANCE, settings.keepAliveInterval());
      }
      return new OutcomeRelay(ctx, timers, scope, owner, view, settings);
    }));
  }

  private final TimerScheduler<Object> timers;
  private final BreakerScope scope;
  private final RecipientRef<ProviderBreaker.Command> owner;
  private final BreakerView view;
  private final ClusterSettings settings;
  private final List<Long> successes = new ArrayList<>();

  private OutcomeRelay(ActorContext<Object> context, TimerScheduler<Object> timers, BreakerScope scope,
      RecipientRef<ProviderBreaker.Command> owner, BreakerView view, ClusterSettings settings) {
    super(context);
    this.timers = timers;
    this.scope = scope;
    this.owner = owner;
    this.view = view;
    this.settings = settings;
  }

  @Override
  public Receive<Object> createReceive() {
    return newReceiveBuilder()
        .onMessage(RecordSuccess.class, success -> !success.probe(), this::onSuccess)
        .onMessage(ProviderBreaker.Command.class, this::onCommand)
        .onMessageEquals(Report.INSTANCE, this::onReport)
        .onMessageEquals(KeepAlive.INSTANCE, this::onKeepAlive)
        .onMessage(VersionedState.class, this::onState)
        .build();
  }

  private Behavior<Object> onSuccess(RecordSuccess success) {
    successes.add(success.latencyMillis());
    if (successes.size() >= MAX_BATCH) {
      report();
    } else if (successes.size() == 1) {
      timers.startSingleTimer(Report.INSTANCE, settings.successReportInterval());
    }
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
    return this;
  }

  private void report() {
    if (successes.isEmpty()) return;
    owner.tell(new RecordSuccesses(List.copyOf(successes)));
    successes.clear();
    timers.cancel(Report.INSTANCE);
  }
}
