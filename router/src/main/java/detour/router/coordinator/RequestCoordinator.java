package detour.router.coordinator;

import akka.NotUsed;
import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.AbstractBehavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.Receive;
import akka.actor.typed.javadsl.TimerScheduler;
import akka.stream.Materializer;
import akka.stream.javadsl.Sink;
import akka.stream.javadsl.Source;
import com.fasterxml.jackson.databind.node.ObjectNode;
import detour.persistence.breaker.Blame;
import detour.persistence.breaker.BreakerScope;
import detour.persistence.breaker.FailureKind;
import detour.persistence.routing.SkipCause;
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
import detour.providers.model.ProviderStreamException;
import detour.providers.model.StreamOpening;
import detour.router.config.Candidate;
import detour.router.config.Capability;
import detour.router.config.Plan;
import detour.router.config.RequestEstimate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * Walks one request's chain: tries each candidate whose circuits (its provider's and its model's)
 * let it, reports every outcome to the circuit it is blamed on, moves on after a provider's or a
 * model's fault, and answers exactly once, by the route's deadline at the latest. Usually one
 * attempt runs at a time; with hedging on, a second may start beside a slow first, and whichever
 * answers first wins. Every path ends in {@link #answer}, or for a stream in {@link
 * #onStreamEnded}, which stop it.
 */
public final class RequestCoordinator extends AbstractBehavior<RequestCoordinator.Command> {

  /** Local messages only: a coordinator never leaves its node. */
  public sealed interface Command {}

  private record AttemptDone(int index, CallResult result) implements Command {}

  private record AttemptTimedOut(int index) implements Command {}

  private record ProbeAnswered(int index, BreakerScope scope, ProbeAnswer answer) implements Command {}

  private enum DeadlineReached implements Command { INSTANCE }

  /** The upstream of a streamed attempt answered its headers: a stream, or a refusal. */
  private record StreamOpened(int index, StreamOpening opening) implements Command {}

  /**
   * A streamed attempt reached its commit point: its first content (in {@code head}, with the rest
   * to come), or its end or failure before any.
   */
  private record FirstContent(
      int index, List<ObjectNode> head, Source<ObjectNode, NotUsed> rest, Throwable failure) implements Command {}

  /** The committed stream ended. */
  private record StreamEnded(StreamWatch.End end) implements Command {}

  /** The committed stream outlived its provider's attempt-timeout. */
  private enum StreamTooLong implements Command { INSTANCE }

  /** The first attempt has not answered within the route's hedge delay. */
  private enum HedgeDue implements Command { INSTANCE }

  /** How long to wait for a half-open breaker to grant or refuse a probe. */
  static final Duration PROBE_ASK_TIMEOUT = Duration.ofSeconds(2);

  private static final Object DEADLINE_TIMER = "deadline";
  private static final Object HEDGE_TIMER = "hedge";

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
  private final Set<Capability> needs;
  private final RequestEstimate estimate;
  private final Materializer materializer;

  /** The attempts running, by candidate index: one, or two while hedging. */
  private final Map<Integer, InFlight> inFlight = new LinkedHashMap<>(4);
  /** The candidate whose half-open breaker is being asked for a probe; -1 when none. */
  private int asking = -1;
  /** Where the walk goes on from: the index after the last candidate considered. */
  private int walked;
  /** Whether any candidate has been tried at all. */
  private boolean triedAny;
  /**
   * Whether a candidate was passed over for what may change before the request is sent again (its
   * circuit, an operator's drain, its observed latency), rather than for what the request asks.
   */
  private boolean mayPassLater;
  /** Whether the hedge has started (at most one per request). */
  private boolean hedged;
  /** The candidate passed over for its circuit whose circuit opens soonest, and when. */
  private int soonest = -1;
  private Instant soonestUntil = Instant.MAX;
  /** A context-length refusal: only candidates with a larger window than its model's are tried. */
  private ProviderFailure contextRefusal;
  private int refusedWindow;
  /** A refusal of the body's size: no other candidate of the providers that refused it is tried. */
  private ProviderFailure sizeRefusal;
  private final Set<String> refusedBody = new HashSet<>(2);
  /** The streamed attempt whose first content went to the caller: from then on, no failover. */
  private InFlight committed;
  private long firstContentMillis;

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
    this.needs = Capability.neededBy(request);
    this.estimate = RequestEstimate.of(request);
    this.materializer = Materializer.matFromSystem(context.getSystem());
  }

  private Behavior<Command> start() {
    timers.startSingleTimer(DEADLINE_TIMER, DeadlineReached.INSTANCE, plan.deadline());
    return tryFrom(0);
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(AttemptDone.class, this::onAttemptDone)
        .onMessage(AttemptTimedOut.class, this::onAttemptTimedOut)
        .onMessage(ProbeAnswered.class, this::onProbeAnswered)
        .onMessageEquals(DeadlineReached.INSTANCE, this::onDeadline)
        .onMessage(StreamOpened.class, this::onStreamOpened)
        .onMessage(FirstContent.class, this::onFirstContent)
        .onMessage(StreamEnded.class, this::onStreamEnded)
        .onMessageEquals(StreamTooLong.INSTANCE, this::onStreamTooLong)
        .onMessageEquals(HedgeDue.INSTANCE, this::onHedgeDue)
        .build();
  }

  /**
   * Tries the first candidate from {@code index} on whose circuit lets it. When none is left it
   * answers, unless an attempt is still running (the first one beside a hedge), which may yet.
   */
  private Behavior<Command> tryFrom(int index) {
    for (int i = index; i < plan.candidates().size(); i++) {
      walked = i + 1;
      Candidate candidate = plan.candidates().get(i);
      if (candidate.unusable().isPresent()) {
        skip(candidate, candidate.unusable().get().cause(), candidate.unusable().get().reason());
        continue;
      }
      Set<Capability> lacking = candidate.model().lacking(needs);
      if (!lacking.isEmpty()) {
        skip(candidate, SkipCause.INCAPABLE, "the model lacks what the request uses: " + lacking.stream()
            .map(Capability::configName).collect(Collectors.joining(", ")));
        continue;
      }
      Optional<String> inexpressible = fleet.client(candidate.providerName()).cannotExpress(request);
      if (inexpressible.isPresent()) {
        skip(candidate, SkipCause.INCAPABLE, "its protocol cannot express the request: " + inexpressible.get());
        continue;
      }
      Optional<String> guarded = plan.guardrails().refuseForRequest(candidate, estimate);
      if (guarded.isPresent()) { skip(candidate, SkipCause.GUARDRAIL, guarded.get()); continue; }
      Optional<String> slow = plan.guardrails().refuseForLatency(fleet.latency(candidate.modelScope()));
      if (slow.isPresent()) {
        mayPassLater = true;
        skip(candidate, SkipCause.GUARDRAIL, slow.get());
        continue;
      }
      if (refusedBody.contains(candidate.providerName())) {
        // Counted as the routing record has always counted it: as a candidate that could not be called.
        skip(candidate, SkipCause.UNUSABLE,
            "provider '" + candidate.providerName() + "' refused the request's body as too large");
        continue;
      }
      if (contextRefusal != null && candidate.model().contextWindow() <= refusedWindow) {
        skip(candidate, SkipCause.CONTEXT_WINDOW, "context window of " + candidate.model().contextWindow()
            + " tokens is no larger than the " + refusedWindow + " that refused the prompt");
        continue;
      }
      Behavior<Command> next = throughCircuits(i, candidate);
      if (next != null) return next;
    }
    walked = plan.candidates().size();
    if (!inFlight.isEmpty() || asking >= 0) return this;
    if (contextRefusal != null || sizeRefusal != null) return refusedBySize();
    if (!triedAny && soonest >= 0 && plan.lastResort()) {
      // Every usable candidate was passed over for its circuit: rather than fail at once, try the
      // one closest to taking traffic again: recovering or half-open ones first, then the open one
      // whose cooldown ends first. Open and half-open breakers ignore the outcome (it is not their
      // probe); a recovering one counts it like any call of its ramp.
      return attempt(soonest, null, true);
    }
    Optional<Instant> retryAt = soonest >= 0 && soonestUntil.isAfter(Instant.EPOCH)
        ? Optional.of(soonestUntil) : Optional.empty();
    return answer(new RouteOutcome.Exhausted(retryAt, triedAny || mayPassLater, trace()));
  }

  /**
   * Reads both circuits a call to the candidate passes through, its provider's and its model's,
   * the stricter deciding: drained, then open (or two of the provider's models open: a fault
   * across the provider), then half-open (ask for the probe), then recovering (its share).
   * Returns the next behaviour when the candidate is tried or asked about, null when passed over.
   */
  private Behavior<Command> throughCircuits(int i, Candidate candidate) {
    BreakerScope providerScope = candidate.providerScope();
    BreakerScope modelScope = candidate.modelScope();
    BreakerState provider = fleet.state(providerScope);
    BreakerState model = fleet.state(modelScope);
    if (provider.circuit() == Circuit.DRAINED || model.circuit() == Circuit.DRAINED) {
      mayPassLater = true;
      skip(candidate, SkipCause.DRAINED, "drained by an operator");  // never a last resort either
      return null;
    }
    if (provider.circuit() == Circuit.OPEN || model.circuit() == Circuit.OPEN) {
      // Both may be open: the call can go only once the later of the two lets it.
      boolean providerDecides = provider.circuit() == Circuit.OPEN
          && (model.circuit() != Circuit.OPEN || !provider.until().isBefore(model.until()));
      BreakerState open = providerDecides ? provider : model;
      String which = providerDecides ? "provider " + providerScope.key() : "model " + modelScope.key();
      passOver(i, open.until(), SkipCause.CIRCUIT_OPEN, "circuit of " + which + " open until " + open.until());
      return null;
    }
    var openModels = fleet.faultyModels(candidate.providerName());
    if (openModels.size() >= 2) {
      Instant until = openModels.stream().map(BreakerState::until).min(Instant::compareTo).orElseThrow();
      passOver(i, until, SkipCause.CIRCUIT_OPEN, openModels.size() + " of provider " + providerScope.key()
          + "'s model circuits are open: a fault across the provider");
      return null;
    }
    if (provider.circuit() == Circuit.HALF_OPEN) return askForProbe(i, providerScope);
    if (model.circuit() == Circuit.HALF_OPEN) return askForProbe(i, modelScope);
    BreakerState ramping = provider.share() <= model.share() ? provider : model;
    BreakerScope rampScope = ramping == provider ? providerScope : modelScope;
    if (ramping.share() >= 1 || fleet.admitWhileRamping(rampScope, ramping.share())) {
      return attempt(i, null, false);
    }
    passOver(i, Instant.EPOCH, SkipCause.RAMPING, "recovering: " + rampScope.key() + " takes "
        + Math.round(ramping.share() * 100) + "% of traffic until " + ramping.until());
    return null;
  }

  /** Passes over a candidate for its circuit, remembering the one that reopens soonest. */
  private void passOver(int index, Instant until, SkipCause cause, String reason) {
    mayPassLater = true;
    skip(plan.candidates().get(index), cause, reason);
    if (until.isBefore(soonestUntil)) {
      soonest = index;
      soonestUntil = until;
    }
  }

  private Behavior<Command> askForProbe(int index, BreakerScope scope) {
    asking = index;
    getContext().ask(ProbeAnswer.class, fleet.breaker(scope), PROBE_ASK_TIMEOUT, ProviderBreaker.AskForProbe::new,
        (answer, failure) -> new ProbeAnswered(index, scope,
            answer != null ? answer : new ProbeRefused("the breaker did not answer: " + failure.getMessage())));
    return this;
  }

  private Behavior<Command> onProbeAnswered(ProbeAnswered msg) {
    if (msg.index() != asking) return this;
    asking = -1;
    if (msg.answer() instanceof ProbeGranted) {
      return attempt(msg.index(), msg.scope(), false);
    }
    passOver(msg.index(), Instant.EPOCH, SkipCause.CIRCUIT_HALF_OPEN,
        "circuit half-open: " + ((ProbeRefused) msg.answer()).reason());
    return tryFrom(msg.index() + 1);
  }

  /** @param probeScope the breaker whose probe this is, or null */
  private Behavior<Command> attempt(int index, BreakerScope probeScope, boolean lastResort) {
    Candidate candidate = plan.candidates().get(index);
    InFlight attempt = new InFlight(index, candidate, probeScope, lastResort, !inFlight.isEmpty());
    inFlight.put(index, attempt);
    attempt.budget = budget(index);
    if (!triedAny) {
      plan.hedge().delay(fleet.latency(candidate.modelScope()).snapshot())
          .ifPresent(delay -> timers.startSingleTimer(HEDGE_TIMER, HedgeDue.INSTANCE, delay));
    }
    triedAny = true;
    if (request.stream()) return attemptStream(attempt);
    CompletionStage<CallResult> call;
    try {
      call = fleet.client(candidate.providerName()).complete(request, candidate.model().upstreamModel());
    } catch (RuntimeException bug) {
      call = CompletableFuture.failedFuture(bug);  // still an answer for the caller, never a crash
    }
    getContext().pipeToSelf(call, (result, bug) -> new AttemptDone(index,
        result != null ? result : new CallResult.Failed(FailureClassifier.fromThrowable(bug))));
    timers.startSingleTimer(attempt.timerKey(), new AttemptTimedOut(index), attempt.budget);
    return this;
  }

  /**
   * The first attempt is slow to answer: start the next candidate beside it, once, and keep
   * whichever answers first.
   */
  private Behavior<Command> onHedgeDue() {
    if (committed != null || hedged || inFlight.size() != 1 || asking >= 0 || walked >= plan.candidates().size()) {
      return this;
    }
    hedged = true;
    return tryFrom(walked);
  }

  /**
   * Asks for a stream. Until its first content arrives the attempt may take no longer than its
   * first-token-timeout (within its share of the deadline), and may still fail over.
   */
  private Behavior<Command> attemptStream(InFlight attempt) {
    Duration firstToken = attempt.candidate.provider().firstTokenTimeout();
    if (firstToken.compareTo(attempt.budget) < 0) attempt.budget = firstToken;
    CompletionStage<StreamOpening> opening;
    try {
      opening = fleet.client(attempt.candidate.providerName())
          .stream(request, attempt.candidate.model().upstreamModel());
    } catch (RuntimeException bug) {
      opening = CompletableFuture.failedFuture(bug);
    }
    int index = attempt.index;
    getContext().pipeToSelf(opening, (opened, bug) -> new StreamOpened(index,
        opened != null ? opened : new StreamOpening.Failed(FailureClassifier.fromThrowable(bug))));
    timers.startSingleTimer(attempt.timerKey(), new AttemptTimedOut(index), attempt.budget);
    return this;
  }

  private Behavior<Command> onStreamOpened(StreamOpened msg) {
    InFlight attempt = inFlight.get(msg.index());
    if (attempt == null || attempt.stream != null) {
      // Given up on before it answered: close it at once rather than let it run for nobody.
      if (msg.opening() instanceof StreamOpening.Opened late) late.chunks().runWith(Sink.cancelled(), materializer);
      return this;
    }
    if (msg.opening() instanceof StreamOpening.Failed refused) {
      return failed(end(attempt), refused.failure());
    }
    attempt.stream = StreamAttempt.start(((StreamOpening.Opened) msg.opening()).chunks(),
        attempt.candidate.provider().interTokenTimeout(), materializer);
    int index = msg.index();
    getContext().pipeToSelf(attempt.stream.first(), (split, failure) -> split != null
        ? new FirstContent(index, split.first(), split.second(), null)
        : new FirstContent(index, List.of(), Source.empty(), failure));
    return this;
  }

  private Behavior<Command> onFirstContent(FirstContent msg) {
    InFlight attempt = inFlight.get(msg.index());
    if (attempt == null || attempt.stream == null) return this;  // already given up on
    if (msg.failure() != null || msg.head().isEmpty()) {
      ProviderFailure failure = msg.failure() != null
          ? StreamFailures.classify(msg.failure(), false, attempt.candidate.provider().interTokenTimeout())
          : ProviderFailure.of(FailureKind.CONNECTION_RESET, 200, "the stream ended before any content");
      return failed(end(attempt), failure);
    }
    // The commit point: from here the caller reads this candidate's answer, and only its end is news.
    Candidate candidate = attempt.candidate;
    long latency = end(attempt).elapsedMillis();
    committed = attempt;
    firstContentMillis = latency;
    attempts.add(Attempt.answered(candidate, latency, attempt.probeScope != null, attempt.lastResort, attempt.hedge));
    abandonTheRest("another candidate streamed first");
    timers.cancel(DEADLINE_TIMER);
    timers.cancel(HEDGE_TIMER);
    Duration left = candidate.provider().attemptTimeout().minusMillis(latency);
    timers.startSingleTimer(StreamTooLong.INSTANCE, StreamTooLong.INSTANCE, left.isNegative() ? Duration.ZERO : left);
    ActorRef<Command> self = getContext().getSelf();
    attempt.stream.ended().thenAccept(end -> self.tell(new StreamEnded(end)));
    var streaming = new RouteOutcome.Streaming(Source.from(msg.head()).concat(msg.rest()),
        candidate.providerName(), candidate.model().id(), trace());
    replyTo.tell(streaming);
    fleet.routingRecord().record(streaming);
    return this;
  }

  /**
   * The committed stream is over: the breakers hear how it went (a success by its time to first
   * content; a break-off as the fault it was; the caller leaving as nobody's fault).
   */
  private Behavior<Command> onStreamEnded(StreamEnded msg) {
    timers.cancel(StreamTooLong.INSTANCE);
    Candidate candidate = committed.candidate;
    StreamProgress progress = committed.stream.progress();
    ProviderFailure failure = null;
    if (msg.end() instanceof StreamWatch.Failed failed) {
      failure = StreamFailures.classify(failed.cause(), true, candidate.provider().interTokenTimeout());
    } else if (msg.end() == StreamWatch.Cancelled.INSTANCE) {
      failure = ProviderFailure.of(FailureKind.CANCELLED, 0,
          "the caller went away after " + progress.chunks() + " chunks");
    }
    if (failure == null) {
      tell(candidate.providerScope(), new ProviderBreaker.RecordSuccess(firstContentMillis,
          committed.isProbe(candidate.providerScope())));
      tell(candidate.modelScope(), new ProviderBreaker.RecordSuccess(firstContentMillis,
          committed.isProbe(candidate.modelScope())));
      fleet.latency(candidate.modelScope()).record(firstContentMillis);
      fleet.routingRecord().answered(candidate, firstContentMillis);
    } else {
      reportFailure(committed, failure);
    }
    RequestLog.streamed(getContext().getLog(), trace(), candidate, progress, Optional.ofNullable(failure));
    return Behaviors.stopped();
  }

  private Behavior<Command> onStreamTooLong() {
    if (committed != null) {
      Duration limit = committed.candidate.provider().attemptTimeout();
      committed.stream.killSwitch().abort(new ProviderStreamException(ProviderFailure.of(FailureKind.TOTAL_TIMEOUT,
          200, "the stream was still going after " + readable(limit) + ", its attempt-timeout")));
    }
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
    InFlight attempt = inFlight.get(msg.index());
    if (attempt == null) return this;  // a call already given up on
    end(attempt);
    Candidate candidate = attempt.candidate;
    long latency = attempt.elapsedMillis();
    if (msg.result() instanceof CallResult.Answered answered) {
      // A success is news to both circuits the call passed through.
      tell(candidate.providerScope(), new ProviderBreaker.RecordSuccess(latency, attempt.isProbe(candidate.providerScope())));
      tell(candidate.modelScope(), new ProviderBreaker.RecordSuccess(latency, attempt.isProbe(candidate.modelScope())));
      fleet.latency(candidate.modelScope()).record(latency);
      fleet.routingRecord().answered(candidate, latency);
      attempts.add(Attempt.answered(candidate, latency, attempt.probeScope != null, attempt.lastResort, attempt.hedge));
      abandonTheRest("another candidate answered first");
      return answer(new RouteOutcome.Answered(
          answered.response(), candidate.providerName(), candidate.model().id(), trace()));
    }
    return failed(attempt, ((CallResult.Failed) msg.result()).failure());
  }

  private Behavior<Command> onAttemptTimedOut(AttemptTimedOut msg) {
    InFlight attempt = inFlight.get(msg.index());
    if (attempt == null) return this;
    end(attempt).stopStream();
    attempt.timedOut = true;
    String share = ", its share of the route's " + readable(plan.deadline()) + " deadline";
    ProviderFailure timeout;
    if (request.stream()) {
      boolean shared = attempt.budget.compareTo(attempt.candidate.provider().firstTokenTimeout()) < 0;
      timeout = ProviderFailure.of(FailureKind.FIRST_TOKEN_TIMEOUT, 0,
          "no first token within " + readable(attempt.budget) + (shared ? share : ""));
    } else {
      Duration limit = attempt.candidate.provider().attemptTimeout();
      String why = attempt.budget.compareTo(limit) < 0
          ? "no answer within " + readable(attempt.budget) + share
          : "no answer within " + readable(limit);
      timeout = ProviderFailure.of(FailureKind.TOTAL_TIMEOUT, 0, why);
    }
    // A body larger than any the provider has answered may be what it choked on: then the request's.
    return failed(attempt, fleet.client(attempt.candidate.providerName())
        .judgedBySize(timeout, request, attempt.candidate.model().upstreamModel()));
  }

  /**
   * An attempt, already out of the running, failed: its circuits hear it, then the walk goes on,
   * or waits for the other attempt still running, or answers.
   */
  private Behavior<Command> failed(InFlight attempt, ProviderFailure failure) {
    Candidate candidate = attempt.candidate;
    reportFailure(attempt, failure);
    Attempt line = Attempt.failed(candidate, failure, attempt.elapsedMillis(), attempt.probeScope != null,
        attempt.lastResort, attempt.hedge);
    record(attempt.timedOut ? line.givenUpOn() : line, candidate);
    if (!failure.kind().failsOver()) {
      abandonTheRest("the request was rejected");
      return answer(new RouteOutcome.Rejected(failure, trace()));
    }
    if (failure.kind() == FailureKind.CONTEXT_TOO_LONG) {
      contextRefusal = failure;
      refusedWindow = Math.max(refusedWindow, candidate.model().contextWindow());
    }
    if (failure.kind() == FailureKind.REQUEST_TOO_LARGE) {
      sizeRefusal = failure;
      refusedBody.add(candidate.providerName());
    }
    if (!inFlight.isEmpty() || asking >= 0) return this;  // the other attempt may still answer
    if (attempt.lastResort && (contextRefusal != null || sizeRefusal != null)) return refusedBySize();
    if (attempt.lastResort) {
      return answer(new RouteOutcome.Exhausted(Optional.of(soonestUntil).filter(at -> at.isAfter(Instant.EPOCH)), true,
          trace()));
    }
    return tryFrom(walked);
  }

  /**
   * Nothing answered and the request was refused for its size: its prompt, too long for every
   * window tried, or its body, too large for every provider tried. The caller's to fix, answered as
   * OpenAI does: {@code context_length_exceeded}, or 413 {@code request_too_large}.
   */
  private Behavior<Command> refusedBySize() {
    if (contextRefusal != null) return answer(new RouteOutcome.Rejected(contextRefusal, trace()));
    var tooLarge = new ProviderFailure(FailureKind.REQUEST_TOO_LARGE, 413, sizeRefusal.message(),
        "request_too_large", Optional.empty());
    return answer(new RouteOutcome.Rejected(tooLarge, trace()));
  }

  private Behavior<Command> onDeadline() {
    if (committed != null) return this;
    for (InFlight attempt : List.copyOf(inFlight.values())) {
      end(attempt).stopStream();
      // The caller's deadline is nobody's fault: the breaker only frees a probe permit it held.
      var abandoned = ProviderFailure.of(FailureKind.DEADLINE, 0,
          "abandoned at the route's deadline of " + readable(plan.deadline()));
      reportFailure(attempt, abandoned);
      record(Attempt.failed(attempt.candidate, abandoned, attempt.elapsedMillis(), attempt.probeScope != null,
          attempt.lastResort, attempt.hedge), attempt.candidate);
    }
    return answer(new RouteOutcome.DeadlineExceeded(trace()));
  }

  /** Takes an attempt out of the running and stops its timer; returns it. */
  private InFlight end(InFlight attempt) {
    inFlight.remove(attempt.index);
    timers.cancel(attempt.timerKey());
    return attempt;
  }

  /**
   * Gives up on every attempt still running, because another one won: a stream is cancelled
   * upstream; a whole answer cannot be (its HTTP exchange runs on), so it is only marked. Either
   * may have been processed, and billed, by its provider: the trace says so.
   */
  private void abandonTheRest(String why) {
    for (InFlight loser : List.copyOf(inFlight.values())) {
      end(loser).stopStream();
      reportFailure(loser, ProviderFailure.of(FailureKind.CANCELLED, 0, why));  // frees a probe permit only
      record(Attempt.abandoned(loser.candidate, loser.elapsedMillis(), why, loser.probeScope != null,
          loser.hedge), loser.candidate);
    }
  }

  /**
   * Tells a failure to the circuit it is blamed on (see {@link FailureKind}), and to the circuit
   * whose probe this was, whatever the blame, so that its permit is never left hanging.
   */
  private void reportFailure(InFlight attempt, ProviderFailure failure) {
    BreakerScope providerScope = attempt.candidate.providerScope();
    BreakerScope modelScope = attempt.candidate.modelScope();
    fleet.routingRecord().failed(attempt.candidate, failure);
    if (Blame.isToldTo(failure.kind(), providerScope, attempt.isProbe(providerScope))) {
      tell(providerScope, new ProviderBreaker.RecordFailure(failure, attempt.isProbe(providerScope)));
    }
    if (Blame.isToldTo(failure.kind(), modelScope, attempt.isProbe(modelScope))) {
      tell(modelScope, new ProviderBreaker.RecordFailure(failure, attempt.isProbe(modelScope)));
    }
  }

  private void tell(BreakerScope scope, ProviderBreaker.Command outcome) {
    fleet.breaker(scope).tell(outcome);
  }

  /** Adds a tried attempt to the trace, with what it may have cost if it may have executed. */
  private void record(Attempt attempt, Candidate candidate) {
    attempts.add(attempt.mayHaveExecuted()
        ? attempt.withAtRisk(estimate.promptTokens(), candidate.model().price()) : attempt);
  }

  private void skip(Candidate candidate, SkipCause cause, String reason) {
    Attempt skipped = Attempt.skipped(candidate, cause, reason);
    attempts.add(skipped);
    fleet.routingRecord().passedOver(skipped);
  }

  private RouteTrace trace() {
    return new RouteTrace(requestId, plan.route(), attempts,
        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startedNanos));
  }

  private Behavior<Command> answer(RouteOutcome outcome) {
    // Recorded before the reply (a no-op on the healthy path), so that the record has it before
    // anyone who has seen the answer can ask for the record.
    fleet.routingRecord().record(outcome);
    replyTo.tell(outcome);
    RequestLog.completed(getContext().getLog(), outcome);
    return Behaviors.stopped();
  }

  /** 60s, 1500ms: how durations read in traces. */
  private static String readable(Duration d) {
    return d.toMillis() % 1000 == 0 ? d.toSeconds() + "s" : d.toMillis() + "ms";
  }
}
