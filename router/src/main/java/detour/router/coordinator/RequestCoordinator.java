package detour.router.coordinator;

import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.AbstractBehavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.Receive;
import akka.actor.typed.javadsl.TimerScheduler;
import detour.persistence.breaker.Blame;
import detour.persistence.breaker.FailureKind;
import detour.providers.breaker.BreakerState;
import detour.providers.breaker.BreakerState.Circuit;
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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

/**
 * Walks one request's chain: tries each candidate whose circuits (its provider's and its model's)
 * let it, reports every outcome to the circuit it is blamed on, moves on after a provider's or a
 * model's fault, and answers exactly once, by the route's deadline at the latest. Every path ends
 * in {@link #answer}, which stops it.
 */
public final class RequestCoordinator extends AbstractBehavior<RequestCoordinator.Command> {

  /** Local messages only: a coordinator never leaves its node. */
  public sealed interface Command {}

  private record AttemptDone(int index, CallResult result) implements Command {}

  private record AttemptTimedOut(int index) implements Command {}

  private record ProbeAnswered(int index, String scopeKey, ProbeAnswer answer) implements Command {}

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
  /** Whether a call is in flight (rather than a probe permit being asked for, or nothing). */
  private boolean attempting;
  /** The time the call in flight may take. */
  private Duration currentBudget = Duration.ZERO;
  /** The key of the breaker that granted the current attempt as its probe, or null. */
  private String currentProbeScope;
  private boolean currentIsLastResort;
  private long currentStartedNanos;
  /** Whether any candidate has been tried at all. */
  private boolean triedAny;
  /** The candidate passed over for its circuit whose circuit opens soonest, and when. */
  private int soonest = -1;
  private Instant soonestUntil = Instant.MAX;
  /** A context-length refusal: only candidates with a larger window than its model's are tried. */
  private ProviderFailure contextRefusal;
  private int refusedWindow;

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
    attempting = false;
    currentProbeScope = null;
    for (int i = index; i < plan.candidates().size(); i++) {
      Candidate candidate = plan.candidates().get(i);
      if (candidate.unusable().isPresent()) {
        skip(candidate, candidate.unusable().get());
        continue;
      }
      if (contextRefusal != null && candidate.model().contextWindow() <= refusedWindow) {
        skip(candidate, "context window of " + candidate.model().contextWindow()
            + " tokens is no larger than the " + refusedWindow + " that refused the prompt");
        continue;
      }
      Behavior<Command> next = throughCircuits(i, candidate);
      if (next != null) return next;
    }
    if (contextRefusal != null) {
      return answer(new RouteOutcome.Rejected(contextRefusal, trace()));  // too long for every window
    }
    if (!triedAny && soonest >= 0 && plan.lastResort()) {
      // Every usable candidate was passed over for its circuit: rather than fail at once, try the
      // one closest to taking traffic again: recovering or half-open ones first, then the open one
      // whose cooldown ends first. Open and half-open breakers ignore the outcome (it is not their
      // probe); a recovering one counts it like any call of its ramp.
      return attempt(soonest, null, true);
    }
    Optional<Instant> retryAt = soonest >= 0 && soonestUntil.isAfter(Instant.EPOCH)
        ? Optional.of(soonestUntil) : Optional.empty();
    return answer(new RouteOutcome.Exhausted(retryAt, trace()));
  }

  /**
   * Reads both circuits a call to the candidate passes through, its provider's and its model's,
   * the stricter deciding: drained, then open (or two of the provider's models open: a fault
   * across the provider), then half-open (ask for the probe), then recovering (its share).
   * Returns the next behaviour when the candidate is tried or asked about, null when passed over.
   */
  private Behavior<Command> throughCircuits(int i, Candidate candidate) {
    String providerKey = candidate.providerScope();
    String modelKey = candidate.modelScope();
    BreakerState provider = fleet.state(providerKey);
    BreakerState model = fleet.state(modelKey);
    if (provider.circuit() == Circuit.DRAINED || model.circuit() == Circuit.DRAINED) {
      skip(candidate, "drained by an operator");  // never a last resort either
      return null;
    }
    if (provider.circuit() == Circuit.OPEN || model.circuit() == Circuit.OPEN) {
      // Both may be open: the call can go only once the later of the two lets it.
      boolean providerDecides = provider.circuit() == Circuit.OPEN
          && (model.circuit() != Circuit.OPEN || !provider.until().isBefore(model.until()));
      BreakerState open = providerDecides ? provider : model;
      String which = providerDecides ? "provider " + providerKey : "model " + modelKey;
      passOver(i, open.until(), "circuit of " + which + " open until " + open.until());
      return null;
    }
    var openModels = fleet.faultyModels(candidate.providerName());
    if (openModels.size() >= 2) {
      Instant until = openModels.stream().map(BreakerState::until).min(Instant::compareTo).orElseThrow();
      passOver(i, until, openModels.size() + " of provider " + providerKey
          + "'s model circuits are open: a fault across the provider");
      return null;
    }
    if (provider.circuit() == Circuit.HALF_OPEN) return askForProbe(i, providerKey);
    if (model.circuit() == Circuit.HALF_OPEN) return askForProbe(i, modelKey);
    BreakerState ramping = provider.share() <= model.share() ? provider : model;
    String rampKey = ramping == provider ? providerKey : modelKey;
    if (ramping.share() >= 1 || fleet.admitWhileRamping(rampKey, ramping.share())) {
      return attempt(i, null, false);
    }
    passOver(i, Instant.EPOCH, "recovering: " + rampKey + " takes " + Math.round(ramping.share() * 100)
        + "% of traffic until " + ramping.until());
    return null;
  }

  /** Passes over a candidate for its circuit, remembering the one that reopens soonest. */
  private void passOver(int index, Instant until, String reason) {
    skip(plan.candidates().get(index), reason);
    if (until.isBefore(soonestUntil)) {
      soonest = index;
      soonestUntil = until;
    }
  }

  private Behavior<Command> askForProbe(int index, String scopeKey) {
    current = index;
    attempting = false;
    getContext().ask(ProbeAnswer.class, fleet.breaker(scopeKey), PROBE_ASK_TIMEOUT, ProviderBreaker.AskForProbe::new,
        (answer, failure) -> new ProbeAnswered(index, scopeKey,
            answer != null ? answer : new ProbeRefused("the breaker did not answer: " + failure.getMessage())));
    return this;
  }

  private Behavior<Command> onProbeAnswered(ProbeAnswered msg) {
    if (msg.index() != current) return this;
    if (msg.answer() instanceof ProbeGranted) {
      return attempt(msg.index(), msg.scopeKey(), false);
    }
    passOver(msg.index(), Instant.EPOCH, "circuit half-open: " + ((ProbeRefused) msg.answer()).reason());
    return tryFrom(msg.index() + 1);
  }

  /** @param probeScope the key of the breaker whose probe this is, or null */
  private Behavior<Command> attempt(int index, String probeScope, boolean lastResort) {
    Candidate candidate = plan.candidates().get(index);
    current = index;
    triedAny = true;
    attempting = true;
    currentProbeScope = probeScope;
    currentIsLastResort = lastResort;
    currentStartedNanos = System.nanoTime();
    currentBudget = budget(index);
    CompletionStage<CallResult> call;
    try {
      call = fleet.client(candidate.providerName()).complete(request, candidate.model().upstreamModel());
    } catch (RuntimeException bug) {
      call = CompletableFuture.failedFuture(bug);  // still an answer for the caller, never a crash
    }
    getContext().pipeToSelf(call, (result, bug) -> new AttemptDone(index,
        result != null ? result : new CallResult.Failed(FailureClassifier.fromThrowable(bug))));
    timers.startSingleTimer(ATTEMPT_TIMER, new AttemptTimedOut(index), currentBudget);
    return this;
  }

  /**
   * The time an attempt may take: its provider's attempt-timeout, and, while other candidates
   * remain, no more than an equal share of the route's deadline among its usable candidates, so that
   * a stalled primary leaves its fallbacks time to answer. The last candidate is cut by the deadline
   * itself.
   */
  private Duration budget(int index) {
    Duration timeout = plan.candidates().get(index).provider().attemptTimeout();
    var usable = plan.candidates().stream().filter(c -> c.unusable().isEmpty()).toList();
    boolean othersLeft = plan.candidates().subList(index + 1, plan.candidates().size()).stream()
        .anyMatch(c -> c.unusable().isEmpty());
    if (!othersLeft || usable.size() < 2) return timeout;
    Duration share = plan.deadline().dividedBy(usable.size());
    return share.compareTo(timeout) < 0 ? share : timeout;
  }

  private Behavior<Command> onAttemptDone(AttemptDone msg) {
    if (msg.index() != current) return this;  // a call already given up on
    timers.cancel(ATTEMPT_TIMER);
    Candidate candidate = plan.candidates().get(msg.index());
    long latency = millisSince(currentStartedNanos);
    if (msg.result() instanceof CallResult.Answered answered) {
      // A success is news to both circuits the call passed through.
      tell(candidate.providerScope(), new ProviderBreaker.RecordSuccess(latency, isProbe(candidate.providerScope())));
      tell(candidate.modelScope(), new ProviderBreaker.RecordSuccess(latency, isProbe(candidate.modelScope())));
      attempts.add(new Attempt(candidate.providerName(), candidate.model().id(), Attempt.Result.ANSWERED,
          200, latency, Optional.empty(), "", currentProbeScope != null, currentIsLastResort));
      return answer(new RouteOutcome.Answered(
          answered.response(), candidate.providerName(), candidate.model().id(), trace()));
    }
    ProviderFailure failure = ((CallResult.Failed) msg.result()).failure();
    return failed(msg.index(), failure, latency);
  }

  private Behavior<Command> onAttemptTimedOut(AttemptTimedOut msg) {
    if (msg.index() != current || !attempting) return this;
    Duration limit = plan.candidates().get(msg.index()).provider().attemptTimeout();
    String why = currentBudget.compareTo(limit) < 0
        ? "no answer within " + readable(currentBudget) + ", its share of the route's " + readable(plan.deadline())
            + " deadline"
        : "no answer within " + readable(limit);
    return failed(msg.index(), ProviderFailure.of(FailureKind.TOTAL_TIMEOUT, 0, why), millisSince(currentStartedNanos));
  }

  private Behavior<Command> failed(int index, ProviderFailure failure, long latency) {
    Candidate candidate = plan.candidates().get(index);
    reportFailure(candidate, failure);
    attempts.add(new Attempt(candidate.providerName(), candidate.model().id(), Attempt.Result.FAILED,
        failure.status(), latency, Optional.of(failure.kind()), failure.message(), currentProbeScope != null,
        currentIsLastResort));
    if (!failure.kind().failsOver()) {
      return answer(new RouteOutcome.Rejected(failure, trace()));
    }
    if (failure.kind() == FailureKind.CONTEXT_TOO_LONG) {
      contextRefusal = failure;
      refusedWindow = Math.max(refusedWindow, candidate.model().contextWindow());
    }
    if (currentIsLastResort) {
      return answer(new RouteOutcome.Exhausted(Optional.of(soonestUntil).filter(at -> at.isAfter(Instant.EPOCH)), trace()));
    }
    return tryFrom(index + 1);
  }

  private Behavior<Command> onDeadline() {
    if (attempting) {
      Candidate candidate = plan.candidates().get(current);
      // The caller's deadline is nobody's fault: the breaker only frees a probe permit it held.
      var abandoned = ProviderFailure.of(FailureKind.DEADLINE, 0, "abandoned at the route's deadline of " + readable(plan.deadline()));
      reportFailure(candidate, abandoned);
      attempts.add(new Attempt(candidate.providerName(), candidate.model().id(), Attempt.Result.FAILED, 0,
          millisSince(currentStartedNanos), Optional.of(FailureKind.DEADLINE), abandoned.message(),
          currentProbeScope != null,
          currentIsLastResort));
    }
    return answer(new RouteOutcome.DeadlineExceeded(trace()));
  }

  /**
   * Tells a failure to the circuit it is blamed on (see {@link FailureKind}), and to the circuit
   * whose probe this was, whatever the blame, so that its permit is never left hanging.
   */
  private void reportFailure(Candidate candidate, ProviderFailure failure) {
    Blame blame = failure.kind().blame();
    String providerKey = candidate.providerScope();
    String modelKey = candidate.modelScope();
    if (blame == Blame.PROVIDER || isProbe(providerKey)) {
      tell(providerKey, new ProviderBreaker.RecordFailure(failure, isProbe(providerKey)));
    }
    if (blame == Blame.MODEL || isProbe(modelKey)) {
      tell(modelKey, new ProviderBreaker.RecordFailure(failure, isProbe(modelKey)));
    }
  }

  private boolean isProbe(String scopeKey) {
    return scopeKey.equals(currentProbeScope);
  }

  private void tell(String scopeKey, ProviderBreaker.Command outcome) {
    fleet.breaker(scopeKey).tell(outcome);
  }

  private void skip(Candidate candidate, String reason) {
    attempts.add(new Attempt(candidate.providerName(), candidate.model().id(), Attempt.Result.SKIPPED, 0, 0,
        Optional.empty(), reason, false, false));
  }

  private RouteTrace trace() {
    return new RouteTrace(requestId, plan.route(), attempts, millisSince(startedNanos));
  }

  private Behavior<Command> answer(RouteOutcome outcome) {
    replyTo.tell(outcome);
    RequestLog.completed(getContext().getLog(), outcome);
    fleet.routingRecord().record(outcome);
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
