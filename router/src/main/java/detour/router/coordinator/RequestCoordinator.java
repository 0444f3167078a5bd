package detour.router.coordinator;

import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.AbstractBehavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.Receive;
import akka.actor.typed.javadsl.TimerScheduler;
import detour.persistence.breaker.FailureKind;
import detour.providers.breaker.BreakerState;
import detour.providers.breaker.ProviderBreaker;
import detour.providers.breaker.ProviderBreaker.ProbeAnswer;
import detour.providers.breaker.ProviderBreaker.ProbeGranted;
import detour.providers.breaker.ProviderBreaker.ProbeRefused;
import detour.providers.client.FailureClassifier;
import detour.providers.model.CallResult;
import detour.providers.model.ChatRequest;
import detour.providers.model.ProviderFailure;
import detour.router.config.Candidate;
import detour.router.config.Plan;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Walks one request's chain: tries each candidate whose circuit lets it, reports every outcome to
 * that provider's breaker, moves on after a provider's fault, and answers exactly once, by the
 * route's deadline at the latest. Every path ends in {@link #answer}, which stops it.
 */
public final class RequestCoordinator extends AbstractBehavior<RequestCoordinator.Command> {

  /** Local messages only: a coordinator never leaves its node. */
  public sealed interface Command {}

  private record AttemptDone(int index, CallResult result) implements Command {}

  private record AttemptTimedOut(int index) implements Command {}

  private record ProbeAnswered(int index, ProbeAnswer answer) implements Command {}

  private enum DeadlineReached implements Command { INSTANCE }

  /** How long to wait for a half-open breaker to grant or refuse a probe. */
  static final Duration PROBE_ASK_TIMEOUT = Duration.ofSeconds(2);

  private static final Object ATTEMPT_TIMER = "attempt";

  public static Behavior<Command> create(
      String requestId, ChatRequest request, Plan plan, ProviderFleet fleet, ActorRef<RouteOutcome> replyTo) {
    return Behaviors.setup(ctx -> Behaviors.withTimers(timers ->
        new RequestCoordinator(ctx, timers, requestId, request, plan, fleet, replyTo).start()));
  }

  private final TimerScheduler<Command> timers;
  private final String requestId;
  private final ChatRequest request;
  private final Plan plan;
  private final ProviderFleet fleet;
  private final ActorRef<RouteOutcome> replyTo;
  private final long startedNanos = System.nanoTime();
  private final List<Attempt> attempts = new ArrayList<>();

  /** The candidate being tried or asked for a probe; -1 between candidates. */
  private int current = -1;
  private boolean currentIsProbe;
  private long currentStartedNanos;
  /** The earliest moment an open circuit of this chain starts probing. */
  private Optional<Instant> earliestProbe = Optional.empty();

  private RequestCoordinator(
      ActorContext<Command> context,
      TimerScheduler<Command> timers,
      String requestId,
      ChatRequest request,
      Plan plan,
      ProviderFleet fleet,
      ActorRef<RouteOutcome> replyTo) {
    super(context);
    this.timers = timers;
    this.requestId = requestId;
    this.request = request;
    this.plan = plan;
    this.fleet = fleet;
    this.replyTo = replyTo;
  }

  private Behavior<Command> start() {
    timers.startSingleTimer(DeadlineReached.INSTANCE, DeadlineReached.INSTANCE, plan.deadline());
    return tryFrom(0);
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(AttemptDone.class, this::onAttemptDone)
        .onMessage(AttemptTimedOut.class, this::onAttemptTimedOut)
        .onMessage(ProbeAnswered.class, this::onProbeAnswered)
        .onMessageEquals(DeadlineReached.INSTANCE, this::onDeadline)
        .build();
  }

  /** Tries the first candidate from {@code index} on whose circuit lets it; answers when none is left. */
  private Behavior<Command> tryFrom(int index) {
    current = -1;
    for (int i = index; i < plan.candidates().size(); i++) {
      Candidate candidate = plan.candidates().get(i);
      if (candidate.unusable().isPresent()) {
        skip(candidate, candidate.unusable().get());
        continue;
      }
      BreakerState state = fleet.state(candidate.providerName());
      switch (state.circuit()) {
        case CLOSED:
          return attempt(i, false);
        case HALF_OPEN:
          return askForProbe(i);
        case OPEN:
          skip(candidate, "circuit open until " + state.until());
          if (earliestProbe.isEmpty() || state.until().isBefore(earliestProbe.get())) {
            earliestProbe = Optional.of(state.until());
          }
          break;
      }
    }
    return answer(new RouteOutcome.Exhausted(earliestProbe, trace()));
  }

  private Behavior<Command> askForProbe(int index) {
    current = index;
    var breaker = fleet.breaker(plan.candidates().get(index).providerName());
    getContext().ask(ProbeAnswer.class, breaker, PROBE_ASK_TIMEOUT, ProviderBreaker.AskForProbe::new,
        (answer, failure) -> new ProbeAnswered(index,
            answer != null ? answer : new ProbeRefused("the breaker did not answer: " + failure.getMessage())));
    return this;
  }

  private Behavior<Command> onProbeAnswered(ProbeAnswered msg) {
    if (msg.index() != current) return this;
    if (msg.answer() instanceof ProbeGranted) {
      return attempt(msg.index(), true);
    }
    skip(plan.candidates().get(msg.index()), "circuit half-open: " + ((ProbeRefused) msg.answer()).reason());
    return tryFrom(msg.index() + 1);
  }

  private Behavior<Command> attempt(int index, boolean probe) {
    Candidate candidate = plan.candidates().get(index);
    current = index;
    currentIsProbe = probe;
    currentStartedNanos = System.nanoTime();
    getContext().pipeToSelf(
        fleet.client(candidate.providerName()).complete(request, candidate.model().upstreamModel()),
        (result, bug) -> new AttemptDone(index,
            result != null ? result : new CallResult.Failed(FailureClassifier.fromThrowable(bug))));
    timers.startSingleTimer(ATTEMPT_TIMER, new AttemptTimedOut(index), candidate.provider().attemptTimeout());
    return this;
  }

  private Behavior<Command> onAttemptDone(AttemptDone msg) {
    if (msg.index() != current) return this;  // a call already given up on
    timers.cancel(ATTEMPT_TIMER);
    Candidate candidate = plan.candidates().get(msg.index());
    long latency = millisSince(currentStartedNanos);
    var breaker = fleet.breaker(candidate.providerName());
    if (msg.result() instanceof CallResult.Answered answered) {
      breaker.tell(new ProviderBreaker.RecordSuccess(latency, currentIsProbe));
      attempts.add(new Attempt(candidate.providerName(), candidate.model().id(), Attempt.Result.ANSWERED,
          200, latency, Optional.empty(), "", currentIsProbe));
      return answer(new RouteOutcome.Answered(
          answered.response(), candidate.providerName(), candidate.model().id(), trace()));
    }
    ProviderFailure failure = ((CallResult.Failed) msg.result()).failure();
    return failed(msg.index(), failure, latency);
  }

  private Behavior<Command> onAttemptTimedOut(AttemptTimedOut msg) {
    if (msg.index() != current) return this;
    Duration limit = plan.candidates().get(msg.index()).provider().attemptTimeout();
    return failed(msg.index(), ProviderFailure.of(FailureKind.TIMEOUT, 0, "no answer within " + readable(limit)),
        millisSince(currentStartedNanos));
  }

  private Behavior<Command> failed(int index, ProviderFailure failure, long latency) {
    Candidate candidate = plan.candidates().get(index);
    fleet.breaker(candidate.providerName()).tell(new ProviderBreaker.RecordFailure(failure, currentIsProbe));
    attempts.add(new Attempt(candidate.providerName(), candidate.model().id(), Attempt.Result.FAILED,
        failure.status(), latency, Optional.of(failure.kind()), failure.message(), currentIsProbe));
    if (!failure.kind().failsOver()) {
      return answer(new RouteOutcome.Rejected(failure, trace()));
    }
    return tryFrom(index + 1);
  }

  private Behavior<Command> onDeadline() {
    if (current >= 0) {
      Candidate candidate = plan.candidates().get(current);
      // The caller's deadline is nobody's fault: the breaker only frees a probe permit it held.
      var abandoned = ProviderFailure.of(FailureKind.CANCELLED, 0, "abandoned at the route's deadline of " + readable(plan.deadline()));
      fleet.breaker(candidate.providerName()).tell(new ProviderBreaker.RecordFailure(abandoned, currentIsProbe));
      attempts.add(new Attempt(candidate.providerName(), candidate.model().id(), Attempt.Result.FAILED, 0,
          millisSince(currentStartedNanos), Optional.of(FailureKind.CANCELLED), abandoned.message(), currentIsProbe));
    }
    return answer(new RouteOutcome.DeadlineExceeded(trace()));
  }

  private void skip(Candidate candidate, String reason) {
    attempts.add(new Attempt(candidate.providerName(), candidate.model().id(), Attempt.Result.SKIPPED, 0, 0,
        Optional.empty(), reason, false));
  }

  private RouteTrace trace() {
    return new RouteTrace(requestId, plan.route(), attempts, millisSince(startedNanos));
  }

  private Behavior<Command> answer(RouteOutcome outcome) {
    replyTo.tell(outcome);
    RequestLog.completed(getContext().getLog(), outcome);
    return Behaviors.stopped();
  }

  /** 60s, 1500ms: how durations read in traces. */
  private static String readable(Duration d) {
    return d.toMillis() % 1000 == 0 ? d.toSeconds() + "s" : d.toMillis() + "ms";
  }

  private static long millisSince(long startNanos) {
    return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
  }
}
