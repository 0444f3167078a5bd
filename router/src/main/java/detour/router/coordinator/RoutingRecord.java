package detour.router.coordinator;

import akka.Done;
import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.AskPattern;
import detour.persistence.routing.ModelRef;
import detour.persistence.routing.PassCause;
import detour.persistence.routing.SkipCause;
import detour.providers.model.ProviderFailure;
import detour.router.config.Candidate;
import detour.router.record.OutcomeLedger;
import detour.router.record.RoutedRequest;
import detour.router.record.RoutingRecorder;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The request path's side of the routing record: told each request's outcome by its coordinator,
 * it passes on to the node's {@link RoutingRecorder} only the requests that failed over or failed
 * entirely; a request answered by its first candidate costs one check there: no allocation, no
 * message. Every call's outcome is also counted in the node's {@link OutcomeLedger}, for the
 * what-if replay: a few increments under a per-model lock.
 */
public final class RoutingRecord {
  private static final RoutingRecord OFF = new RoutingRecord(null, Map.of(), null, InstantSource.system());

  private final ActorRef<RoutingRecorder.Command> recorder;
  private final Map<String, ModelRef> models;
  private final OutcomeLedger ledger;
  private final InstantSource clock;

  /** A record of failovers only, with no per-second outcomes, on the system clock. */
  public RoutingRecord(ActorRef<RoutingRecorder.Command> recorder, Map<String, ModelRef> upstreamModels) {
    this(recorder, upstreamModels, null, InstantSource.system());
  }

  /**
   * @param recorder the node's recorder
   * @param upstreamModels each catalogue model id's provider and upstream model, so that what is
   *     recorded names models as their breakers do ({@code provider/upstream-model})
   * @param ledger where every call's outcome is counted per second, for the what-if replay; null:
   *     nowhere ({@code routing-record.outcomes.enabled = off})
   * @param clock stamps each recorded request with the moment it ended
   */
  public RoutingRecord(ActorRef<RoutingRecorder.Command> recorder, Map<String, ModelRef> upstreamModels,
      OutcomeLedger ledger, InstantSource clock) {
    this.recorder = recorder;
    this.models = Map.copyOf(upstreamModels);
    this.ledger = ledger;
    this.clock = clock;
  }

  // The outcome ledger hears what the breakers hear, from the same places in the coordinator.

  /** A call answered (a stream: its first content arrived) after {@code latencyMillis}. */
  void answered(Candidate candidate, long latencyMillis) {
    if (ledger != null) ledger.answered(candidate.model().id(), candidate.providerName(), latencyMillis);
  }

  /** A call failed. */
  void failed(Candidate candidate, ProviderFailure failure) {
    if (ledger != null) {
      ledger.failed(candidate.model().id(), candidate.providerName(), failure.kind(),
          failure.retryAfter().map(Duration::toMillis).orElse(0L));
    }
  }

  /** A candidate was passed over without a call; only its circuit's or a drain's causes are counted. */
  void passedOver(Attempt skipped) {
    if (ledger != null) ledger.passedOver(skipped.model(), skipped.provider(), skipped.skipCause().orElseThrow());
  }

  /** Records nothing: for a node with {@code routing-record.enabled = off}, and for tests. */
  public static RoutingRecord off() {
    return OFF;
  }

  /** Tells the recorder about a request that failed over or failed; ignores every other. */
  public void record(RouteOutcome outcome) {
    if (recorder == null
        || outcome.trace().attempts().size() == 1
            && (outcome instanceof RouteOutcome.Answered || outcome instanceof RouteOutcome.Streaming)) {
      return;  // the healthy path: answered at the first try
    }
    RoutedRequest request = summarize(outcome);
    if (request != null) recorder.tell(new RoutingRecorder.Observed(request, clock.instant()));
  }

  /**
   * Writes the interval being counted now, and completes once it and every earlier one are in the
   * journal: the node asks for it when it shuts down, and tests before they read the journal.
   */
  public CompletionStage<Done> flush(ActorSystem<?> system, Duration patience) {
    if (recorder == null) return CompletableFuture.completedFuture(Done.getInstance());
    return AskPattern.ask(recorder, RoutingRecorder.Flush::new, patience, system.scheduler());
  }

  /** What the record keeps of a request; null when it neither failed over nor failed. */
  RoutedRequest summarize(RouteOutcome outcome) {
    List<Attempt> attempts = outcome.trace().attempts();
    boolean failed = outcome instanceof RouteOutcome.Exhausted || outcome instanceof RouteOutcome.DeadlineExceeded;
    int served = -1;
    if (!failed) {
      // The attempt that answered (a hedge's loser may come after it), else the last one tried,
      // which refused the request as the caller's mistake.
      for (int i = 0; i < attempts.size() && served < 0; i++) {
        if (attempts.get(i).result() == Attempt.Result.ANSWERED) served = i;
      }
      for (int i = attempts.size() - 1; i >= 0 && served < 0; i--) {
        if (attempts.get(i).tried()) served = i;
      }
    }
    ModelRef to = served >= 0 ? ref(attempts.get(served)) : null;
    Map<ModelRef, PassCause> passes = new LinkedHashMap<>();
    for (int i = 0; i < attempts.size(); i++) {
      if (i == served) continue;
      ModelRef from = ref(attempts.get(i));
      if (from.equals(to)) continue;  // skipped, then answered as the last resort: no failover
      passes.remove(from);            // a candidate tried again as the last resort: its last word counts
      passes.put(from, cause(attempts.get(i)));
    }
    if (!failed && passes.isEmpty()) return null;
    List<RoutedRequest.Pass> list = new ArrayList<>(passes.size());
    passes.forEach((from, cause) -> list.add(new RoutedRequest.Pass(from, cause)));
    List<String> described = new ArrayList<>(attempts.size());
    for (Attempt a : attempts) described.add(RequestLog.describe(a));
    RouteTrace trace = outcome.trace();
    return new RoutedRequest(trace.requestId(), trace.route(), outcome.ending(), to, list, failed, described);
  }

  private ModelRef ref(Attempt attempt) {
    ModelRef known = models.get(attempt.model());
    return known != null ? known : new ModelRef(attempt.provider(), attempt.model());
  }

  /**
   * Why a candidate did not serve: the failure class of a call that failed, else the cause the
   * coordinator gave when it passed the candidate over or gave up on it. An attempt that answered
   * has neither and is never asked.
   */
  static PassCause cause(Attempt attempt) {
    if (attempt.errorClass().isPresent()) return PassCause.of(attempt.errorClass().get());
    return PassCause.of(attempt.skipCause().orElse(SkipCause.UNUSABLE));
  }
}
