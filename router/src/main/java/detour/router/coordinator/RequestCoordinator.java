package detour.router.coordinator;

import akka.NotUsed;
import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.AbstractBehavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.Receive;
import akka.actor.typed.javadsl.ReceiveBuilder;
import akka.actor.typed.javadsl.TimerScheduler;
import akka.stream.Materializer;
import akka.stream.javadsl.Sink;
import akka.stream.javadsl.Source;
import com.fasterxml.jackson.databind.node.ObjectNode;
import detour.persistence.breaker.BreakerScope;
import detour.persistence.breaker.FailureKind;
import detour.persistence.routing.SkipCause;
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
import detour.router.config.Plan;
import detour.router.config.RequestEstimate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

/**
 * Walks one request's chain: asks each candidate's {@link HopChecks checks} in turn, tries the
 * first they let through, reports every outcome to the circuit it is blamed on, moves on after a
 * provider's or a model's fault, and answers exactly once, by the route's deadline at the latest.
 * Usually one attempt runs at a time; with hedging on, a second may start beside a slow first, and
 * whichever answers first wins.
 *
 * <p>One behaviour per phase: {@link Walking} (attempts running, none waiting on a breaker), {@link
 * AskingForProbe} (a half-open breaker asked for its probe, perhaps beside a running first attempt),
 * and {@link Streaming} (a stream committed to the caller: no failover, only its end is news).
 * Every path ends in {@link #answer}, or for a stream in {@link Streaming#onStreamEnded}, which stop it.
 */
public final class RequestCoordinator {

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

  private final ActorContext<Command> context;
  private final TimerScheduler<Command> timers;
  private final String requestId;
  private final ChatRequest request;
  private final Plan plan;
  private final ProviderFleet fleet;
  private final ActorRef<RouteOutcome> replyTo;
  private final long startedNanos = System.nanoTime();
  private final List<Attempt> attempts = new ArrayList<>();
  private final RequestEstimate estimate;
  private final Materializer materializer;
  private final List<HopCheck> checks;
  private final CircuitReports reports;
  private final Walking walking;

  /** The attempts running, by candidate index: one, or two while hedging. */
  private final Map<Integer, InFlight> inFlight = new LinkedHashMap<>(4);
  /** Where the walk goes on from: the index after the last candidate considered. */
  private int walked;
  /** Whether any candidate has been tried at all. */
  private boolean triedAny;
  private PassedOver passed = PassedOver.NONE;
  private SizeRefusals refusals = SizeRefusals.NONE;

  private RequestCoordinator(
      ActorContext<Command> context,
      TimerScheduler<Command> timers,
      String requestId,
      ChatRequest request,
      Plan plan,
      ProviderFleet fleet,
      ActorRef<RouteOutcome> replyTo) {
    this.context = context;
    context.setLoggerName(RequestCoordinator.class);  // one logger whichever phase logs
    this.timers = timers;
    this.requestId = requestId;
    this.request = request;
    this.plan = plan;
    this.fleet = fleet;
    this.replyTo = replyTo;
    this.estimate = RequestEstimate.of(request);
    this.materializer = Materializer.matFromSystem(context.getSystem());
    this.checks = HopChecks.forRequest(request, plan, fleet);
    this.reports = new CircuitReports(fleet);
    this.walking = new Walking();
  }

  private Behavior<Command> start() {
    timers.startSingleTimer(DEADLINE_TIMER, DeadlineReached.INSTANCE, plan.deadline());
    return walkFrom(0);
  }

  /**
   * A phase with attempts that may be running and have not reached the caller: each may answer,
   * fail, time out, or (streamed) open and reach its first content; the deadline gives up on all.
   */
  private abstract class Attempting extends AbstractBehavior<Command> {
    Attempting() {
      super(context);
    }

    /** The attempts' messages, for a phase to add its own to. */
    ReceiveBuilder<Command> attempting() {
      return newReceiveBuilder()
          .onMessage(AttemptDone.class, this::onAttemptDone)
          .onMessage(AttemptTimedOut.class, this::onAttemptTimedOut)
          .onMessage(StreamOpened.class, this::onStreamOpened)
          .onMessage(FirstContent.class, this::onFirstContent)
          .onMessageEquals(DeadlineReached.INSTANCE, this::onDeadline);
    }

    /** What follows a failed attempt once no other attempt is running. */
    abstract Behavior<Command> whenNoneRunning(InFlight failed);

    private Behavior<Command> onAttemptDone(AttemptDone msg) {
      InFlight attempt = inFlight.get(msg.index());
      if (attempt == null) return this;  // a call already given up on
      end(attempt);
      Candidate candidate = attempt.candidate;
      long latency = attempt.elapsedMillis();
      if (msg.result() instanceof CallResult.Answered answered) {
        reports.succeeded(attempt, latency);
        attempts.add(Attempt.answered(candidate, latency, attempt.probeScope != null, attempt.lastResort,
            attempt.hedge));
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
      ProviderFailure timeout = AttemptLimits.timedOut(request.stream(), attempt.budget,
          attempt.candidate.provider(), plan.deadline());
      // A body larger than any the provider has answered may be what it choked on: then the request's.
      return failed(attempt, fleet.client(attempt.candidate.providerName())
          .judgedBySize(timeout, request, attempt.candidate.model().upstreamModel()));
    }

    private Behavior<Command> onStreamOpened(StreamOpened msg) {
      InFlight attempt = inFlight.get(msg.index());
      if (attempt == null || attempt.stream != null) return closeLate(msg);
      if (msg.opening() instanceof StreamOpening.Failed refused) {
        return failed(end(attempt), refused.failure());
      }
      attempt.stream = StreamAttempt.start(((StreamOpening.Opened) msg.opening()).chunks(),
          attempt.candidate.provider().interTokenTimeout(), materializer);
      int index = msg.index();
      context.pipeToSelf(attempt.stream.first(), (split, failure) -> split != null
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
      return commit(attempt, msg);
    }

    /**
     * An attempt, already out of the running, failed: its circuits hear it, then, unless the
     * request itself was rejected, the phase decides what follows once no attempt is running.
     */
    private Behavior<Command> failed(InFlight attempt, ProviderFailure failure) {
      Candidate candidate = attempt.candidate;
      reports.failed(attempt, failure);
      Attempt line = Attempt.failed(candidate, failure, attempt.elapsedMillis(), attempt.probeScope != null,
          attempt.lastResort, attempt.hedge);
      record(attempt.timedOut ? line.givenUpOn() : line, candidate);
      if (!failure.kind().failsOver()) {
        abandonTheRest("the request was rejected");
        return answer(new RouteOutcome.Rejected(failure, trace()));
      }
      refusals = refusals.after(failure, candidate);
      if (!inFlight.isEmpty()) return this;  // the other attempt may still answer
      return whenNoneRunning(attempt);
    }

    private Behavior<Command> onDeadline() {
      for (InFlight attempt : List.copyOf(inFlight.values())) {
        end(attempt).stopStream();
        // The caller's deadline is nobody's fault: the breaker only frees a probe permit it held.
        var abandoned = ProviderFailure.of(FailureKind.DEADLINE, 0,
            "abandoned at the route's deadline of " + AttemptLimits.readable(plan.deadline()));
        reports.failed(attempt, abandoned);
        record(Attempt.failed(attempt.candidate, abandoned, attempt.elapsedMillis(), attempt.probeScope != null,
            attempt.lastResort, attempt.hedge), attempt.candidate);
      }
      return answer(new RouteOutcome.DeadlineExceeded(trace()));
    }
  }

  /** Walking the chain: attempts running (one, or two once hedged), no breaker being asked. */
  private final class Walking extends Attempting {
    @Override
    public Receive<Command> createReceive() {
      return attempting().onMessageEquals(HedgeDue.INSTANCE, this::onHedgeDue).build();
    }

    /** The walk goes on from where it stopped, unless the last resort has already failed. */
    @Override
    Behavior<Command> whenNoneRunning(InFlight failed) {
      if (failed.lastResort && refusals.any()) return answer(new RouteOutcome.Rejected(refusals.rejection(), trace()));
      if (failed.lastResort) return answer(new RouteOutcome.Exhausted(passed.retryAt(), true, trace()));
      return walkFrom(walked);
    }

    /**
     * The first attempt is slow to answer: start the next candidate beside it, and keep whichever
     * answers first. Once: the hedge timer is started with the first attempt only.
     */
    private Behavior<Command> onHedgeDue() {
      if (inFlight.size() != 1 || walked >= plan.candidates().size()) return this;
      return walkFrom(walked);
    }
  }

  /**
   * Waiting for a half-open breaker to grant or refuse the probe of the candidate at {@code index}.
   * A hedge's first attempt may still be running beside it: it may answer (or commit) meanwhile,
   * and its failure waits for the probe's answer. The hedge, once due, has already been spent here.
   */
  private final class AskingForProbe extends Attempting {
    private final int index;

    AskingForProbe(int index) {
      this.index = index;
    }

    @Override
    public Receive<Command> createReceive() {
      return attempting()
          .onMessage(ProbeAnswered.class, this::onProbeAnswered)
          .onMessageEquals(HedgeDue.INSTANCE, () -> this)
          .build();
    }

    @Override
    Behavior<Command> whenNoneRunning(InFlight failed) {
      return this;  // the probe's answer decides
    }

    private Behavior<Command> onProbeAnswered(ProbeAnswered msg) {
      if (msg.index() != index) return this;
      if (msg.answer() instanceof ProbeGranted) return attempt(index, msg.scope(), false);
      pass(index, HopVerdict.Skip.circuit(SkipCause.CIRCUIT_HALF_OPEN,
          "circuit half-open: " + ((ProbeRefused) msg.answer()).reason(), Instant.EPOCH));
      return walkFrom(index + 1);
    }
  }

  /**
   * A stream committed to the caller: from its first content on, the caller reads this
   * candidate's answer, nothing fails over, and only the stream's end (or its overrunning its
   * attempt-timeout) is news. What other attempts send late is closed or dropped.
   */
  private final class Streaming extends AbstractBehavior<Command> {
    private final InFlight committed;
    private final long firstContentMillis;

    Streaming(InFlight committed, long firstContentMillis) {
      super(context);
      this.committed = committed;
      this.firstContentMillis = firstContentMillis;
    }

    @Override
    public Receive<Command> createReceive() {
      return newReceiveBuilder()
          .onMessage(StreamEnded.class, this::onStreamEnded)
          .onMessageEquals(StreamTooLong.INSTANCE, this::onStreamTooLong)
          .onMessage(StreamOpened.class, RequestCoordinator.this::closeLate)
          .onMessage(ProbeAnswered.class, this::onLateProbe)
          .onAnyMessage(late -> this)  // a loser's answer or timer, the deadline, the hedge: all moot now
          .build();
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
        reports.succeeded(committed, firstContentMillis);
      } else {
        reports.failed(committed, failure);
      }
      RequestLog.streamed(context.getLog(), trace(), candidate, progress, Optional.ofNullable(failure));
      return Behaviors.stopped();
    }

    private Behavior<Command> onStreamTooLong() {
      Duration limit = committed.candidate.provider().attemptTimeout();
      committed.stream.killSwitch().abort(new ProviderStreamException(ProviderFailure.of(FailureKind.TOTAL_TIMEOUT,
          200, "the stream was still going after " + AttemptLimits.readable(limit) + ", its attempt-timeout")));
      return this;
    }

    /** A probe granted after another candidate committed is not used: its permit is given back. */
    private Behavior<Command> onLateProbe(ProbeAnswered msg) {
      if (msg.answer() instanceof ProbeGranted) {
        reports.unusedProbe(msg.scope(), "another candidate streamed first");
      }
      return this;
    }
  }

  /**
   * Walks on from {@code index}: passes over each candidate a check stops, and tries (or asks the
   * probe of) the first let through. When none is left it answers, unless an attempt is still
   * running (the first one beside a hedge), which may yet.
   */
  private Behavior<Command> walkFrom(int index) {
    HopCheck.WalkSoFar soFar = new HopCheck.WalkSoFar(Collections.unmodifiableList(attempts), refusals);
    for (int i = index; i < plan.candidates().size(); i++) {
      walked = i + 1;
      HopVerdict verdict = HopCheck.first(checks, plan.candidates().get(i), soFar);
      if (verdict instanceof HopVerdict.AskProbe ask) return askForProbe(i, ask.scope());
      if (verdict instanceof HopVerdict.Ramp ramp && !fleet.admitWhileRamping(ramp.scope(), ramp.share())) {
        verdict = ramp.notInShare();
      }
      if (verdict instanceof HopVerdict.Skip skip) {
        pass(i, skip);
      } else {
        return attempt(i, null, false);
      }
    }
    walked = plan.candidates().size();
    if (!inFlight.isEmpty()) return walking;
    if (refusals.any()) return answer(new RouteOutcome.Rejected(refusals.rejection(), trace()));
    OptionalInt soonest = passed.lastResort();
    if (!triedAny && soonest.isPresent() && plan.lastResort()) {
      // Every usable candidate was passed over for its circuit: rather than fail at once, try the
      // one closest to taking traffic again: recovering or half-open ones first, then the open one
      // whose cooldown ends first. Open and half-open breakers ignore the outcome (it is not their
      // probe); a recovering one counts it like any call of its ramp.
      return attempt(soonest.getAsInt(), null, true);
    }
    return answer(new RouteOutcome.Exhausted(passed.retryAt(), triedAny || passed.mayPassLater(), trace()));
  }

  private Behavior<Command> askForProbe(int index, BreakerScope scope) {
    context.ask(ProbeAnswer.class, fleet.breaker(scope), PROBE_ASK_TIMEOUT, ProviderBreaker.AskForProbe::new,
        (answer, failure) -> new ProbeAnswered(index, scope,
            answer != null ? answer : new ProbeRefused("the breaker did not answer: " + failure.getMessage())));
    return new AskingForProbe(index);
  }

  /** @param probeScope the breaker whose probe this is, or null */
  private Behavior<Command> attempt(int index, BreakerScope probeScope, boolean lastResort) {
    Candidate candidate = plan.candidates().get(index);
    InFlight attempt = new InFlight(index, candidate, probeScope, lastResort, !inFlight.isEmpty());
    inFlight.put(index, attempt);
    attempt.budget = AttemptLimits.budget(plan, index);
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
    context.pipeToSelf(call, (result, bug) -> new AttemptDone(index,
        result != null ? result : new CallResult.Failed(FailureClassifier.fromThrowable(bug))));
    timers.startSingleTimer(attempt.timerKey(), new AttemptTimedOut(index), attempt.budget);
    return walking;
  }

  /**
   * Asks for a stream. Until its first content arrives the attempt may take no longer than its
   * first-token-timeout (within its share of the deadline), and may still fail over.
   */
  private Behavior<Command> attemptStream(InFlight attempt) {
    attempt.budget = AttemptLimits.toFirstToken(attempt.budget, attempt.candidate);
    CompletionStage<StreamOpening> opening;
    try {
      opening = fleet.client(attempt.candidate.providerName())
          .stream(request, attempt.candidate.model().upstreamModel());
    } catch (RuntimeException bug) {
      opening = CompletableFuture.failedFuture(bug);
    }
    int index = attempt.index;
    context.pipeToSelf(opening, (opened, bug) -> new StreamOpened(index,
        opened != null ? opened : new StreamOpening.Failed(FailureClassifier.fromThrowable(bug))));
    timers.startSingleTimer(attempt.timerKey(), new AttemptTimedOut(index), attempt.budget);
    return walking;
  }

  /** A stream opened for an attempt already given up on: closed at once rather than left to run for nobody. */
  private Behavior<Command> closeLate(StreamOpened msg) {
    if (msg.opening() instanceof StreamOpening.Opened late) late.chunks().runWith(Sink.cancelled(), materializer);
    return Behaviors.same();
  }

  /** The commit point: from here the caller reads this candidate's answer, and only its end is news. */
  private Behavior<Command> commit(InFlight attempt, FirstContent first) {
    Candidate candidate = attempt.candidate;
    long latency = end(attempt).elapsedMillis();
    attempts.add(Attempt.answered(candidate, latency, attempt.probeScope != null, attempt.lastResort, attempt.hedge));
    abandonTheRest("another candidate streamed first");
    timers.cancel(DEADLINE_TIMER);
    timers.cancel(HEDGE_TIMER);
    Duration left = candidate.provider().attemptTimeout().minusMillis(latency);
    timers.startSingleTimer(StreamTooLong.INSTANCE, StreamTooLong.INSTANCE, left.isNegative() ? Duration.ZERO : left);
    ActorRef<Command> self = context.getSelf();
    attempt.stream.ended().thenAccept(end -> self.tell(new StreamEnded(end)));
    var streaming = new RouteOutcome.Streaming(Source.from(first.head()).concat(first.rest()),
        candidate.providerName(), candidate.model().id(), trace());
    replyTo.tell(streaming);
    fleet.routingRecord().record(streaming);
    return new Streaming(attempt, latency);
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
      reports.failed(loser, ProviderFailure.of(FailureKind.CANCELLED, 0, why));  // frees a probe permit only
      record(Attempt.abandoned(loser.candidate, loser.elapsedMillis(), why, loser.probeScope != null,
          loser.hedge), loser.candidate);
    }
  }

  /** Adds a tried attempt to the trace, with what it may have cost if it may have executed. */
  private void record(Attempt attempt, Candidate candidate) {
    attempts.add(attempt.mayHaveExecuted()
        ? attempt.withAtRisk(estimate.promptTokens(), candidate.model().price()) : attempt);
  }

  /** Passes over the candidate at {@code index}: in the trace, the routing record, and the walk's tally. */
  private void pass(int index, HopVerdict.Skip skip) {
    Attempt skipped = Attempt.skipped(plan.candidates().get(index), skip.cause(), skip.reason());
    attempts.add(skipped);
    fleet.routingRecord().passedOver(skipped);
    passed = passed.after(index, skip);
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
    RequestLog.completed(context.getLog(), outcome);
    return Behaviors.stopped();
  }
}
