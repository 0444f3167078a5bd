package detour.router.coordinator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.ManualTime;
import akka.actor.testkit.typed.javadsl.TestProbe;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.typesafe.config.ConfigFactory;
import detour.persistence.breaker.BreakerScope;
import detour.persistence.breaker.FailureKind;
import detour.persistence.breaker.TripReason;
import detour.persistence.routing.Ending;
import detour.persistence.routing.ModelRef;
import detour.persistence.routing.PassCause;
import detour.persistence.routing.SkipCause;
import detour.providers.breaker.BreakerSettings;
import detour.providers.breaker.BreakerState;
import detour.providers.breaker.BreakerView;
import detour.providers.breaker.ProviderBreaker;
import detour.providers.client.Protocol;
import detour.providers.client.ProviderClient;
import detour.providers.client.ProviderSettings;
import detour.providers.model.CallResult;
import detour.providers.model.ChatRequest;
import detour.providers.model.ChatResponse;
import detour.providers.model.StreamOpening;
import detour.providers.model.ProviderFailure;
import detour.providers.model.Usage;
import detour.router.config.CatalogueModel;
import detour.router.config.Candidate;
import detour.router.config.Guardrails;
import detour.router.config.HedgePolicy;
import detour.router.config.Plan;
import detour.router.config.Unusable;
import detour.router.record.RoutedRequest;
import detour.router.record.RoutingRecorder;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * What the coordinator tells the routing record: nothing for a request its first candidate
 * answered, and for every other request which candidates it passed over, why, and who answered.
 * Real coordinators over fake clients; time moves only by hand.
 */
class RoutingRecordTest {
  static final ActorTestKit testKit = ActorTestKit.create(ManualTime.config());
  static final ManualTime manualTime = ManualTime.get(testKit.system());
  static final ObjectMapper JSON = new ObjectMapper();

  @AfterAll
  static void shutDown() {
    testKit.shutdownTestKit();
  }

  final TestProbe<RoutingRecorder.Command> recorder = testKit.createTestProbe();
  final BreakerView view = BreakerView.detached();
  final Map<String, ProviderClient> clients = new HashMap<>();
  final List<Candidate> chain = new ArrayList<>();
  final Map<String, ModelRef> catalogue = new HashMap<>();
  Guardrails guardrails = Guardrails.NONE;
  /** Completed once any client is called: the coordinator has started and armed its timers. */
  final CompletableFuture<Void> called = new CompletableFuture<>();

  /** Adds candidate {@code m-<provider>} (upstream {@code up-<provider>}) answering by a rule. */
  RoutingRecordTest candidate(String provider, Function<String, CallResult> rule) {
    return candidate(provider, rule, 8_192, Optional.empty());
  }

  RoutingRecordTest candidate(String provider, Function<String, CallResult> rule, int window,
      Optional<Unusable> unusable) {
    clients.put(provider, new ProviderClient() {
      @Override
      public String provider() {
        return provider;
      }

      @Override
      public java.util.concurrent.CompletionStage<CallResult> complete(ChatRequest request, String upstream) {
        called.complete(null);
        CallResult result = rule.apply(upstream);
        return result == null ? new CompletableFuture<>() : CompletableFuture.completedFuture(result);
      }

      @Override
      public java.util.concurrent.CompletionStage<StreamOpening> stream(ChatRequest request, String upstream) {
        return complete(request, upstream).thenApply(RequestCoordinatorTest.FakeClient::asStream);
      }
    });
    chain.add(new Candidate(new CatalogueModel("m-" + provider, provider, "up-" + provider, window),
        settings(provider), unusable));
    catalogue.put("m-" + provider, new ModelRef(provider, "up-" + provider));
    return this;
  }

  static CallResult answer() {
    ObjectNode body = JSON.createObjectNode().put("object", "chat.completion");
    body.putArray("choices");
    return new CallResult.Answered(new ChatResponse(body, Usage.none()));
  }

  static CallResult fail(FailureKind kind, int status) {
    return new CallResult.Failed(ProviderFailure.of(kind, status, "upstream said no, key sk-should-not-leak"));
  }

  /** Runs one request through a real coordinator; returns its outcome. */
  RouteOutcome run(Duration deadline) {
    Map<BreakerScope, akka.actor.typed.ActorRef<ProviderBreaker.Command>> breakers = new HashMap<>();
    for (Candidate c : chain) {
      breakers.put(c.providerScope(), testKit.<ProviderBreaker.Command>createTestProbe().ref());
      breakers.put(c.modelScope(), testKit.<ProviderBreaker.Command>createTestProbe().ref());
    }
    var fleet = new ProviderFleet(clients, breakers, view, java.time.InstantSource.system(),
        new RoutingRecord(recorder.ref(), catalogue));
    var replies = testKit.<RouteOutcome>createTestProbe();
    ObjectNode body = JSON.createObjectNode().put("model", "route");
    body.putArray("messages").addObject().put("role", "user").put("content", "a prompt that must never be recorded");
    var plan = new Plan("default", chain, deadline, true, HedgePolicy.NONE, guardrails);
    testKit.spawn(RequestCoordinator.create("req-1", new ChatRequest(body), plan, fleet, replies.ref()));
    if (deadline.compareTo(Duration.ofSeconds(5)) < 0) {
      called.orTimeout(10, java.util.concurrent.TimeUnit.SECONDS).join();
      manualTime.timePasses(deadline);
    }
    return replies.receiveMessage();
  }

  RoutedRequest recorded() {
    return ((RoutingRecorder.Observed) recorder.receiveMessage()).request();
  }

  @Test
  void aRequestItsFirstCandidateAnswersIsNotTold() {
    candidate("p1", m -> answer()).candidate("p2", m -> answer());
    run(Duration.ofSeconds(30));
    recorder.expectNoMessage(Duration.ofMillis(100));
  }

  @Test
  void theHealthyPathCostsNoAllocation() {
    var record = new RoutingRecord(recorder.ref(), Map.of());
    var attempt = new Attempt("p1", "m-p1", Attempt.Result.ANSWERED, 200, 3, Optional.empty(), Optional.empty(), "",
        false, false, false, false, Optional.empty());
    var outcome = new RouteOutcome.Answered(null, "p1", "m-p1", new RouteTrace("req", "default", List.of(attempt), 3));
    var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    long thread = Thread.currentThread().getId();
    for (int i = 0; i < 20_000; i++) record.record(outcome);  // warmed up
    long before = threads.getThreadAllocatedBytes(thread);
    for (int i = 0; i < 100_000; i++) record.record(outcome);
    long allocated = threads.getThreadAllocatedBytes(thread) - before;
    assertTrue(allocated < 1_024, "100000 healthy requests allocated " + allocated + " bytes");
    recorder.expectNoMessage(Duration.ofMillis(20));
  }

  @Test
  void aFailedCandidateIsRecordedWithItsFailureClassAndTheModelThatAnswered() {
    candidate("p1", m -> fail(FailureKind.OVERLOADED, 503)).candidate("p2", m -> answer());
    run(Duration.ofSeconds(30));
    var request = recorded();
    assertEquals("default", request.route());
    assertEquals(Ending.ANSWERED, request.outcome());
    assertEquals(new ModelRef("p2", "up-p2"), request.to(), "named as the breakers name it");
    assertEquals(List.of(new RoutedRequest.Pass(new ModelRef("p1", "up-p1"), PassCause.of(FailureKind.OVERLOADED))),
        request.passes());
    assertFalse(request.failed());
    assertEquals(List.of("p1/m-p1:failed:OVERLOADED:503:0ms", "p2/m-p2:answered:200:0ms"),
        request.attempts().stream().map(a -> a.replaceAll(":\\d+ms", ":0ms")).toList());
    assertFalse(request.toString().contains("sk-should-not-leak") || request.toString().contains("prompt"),
        "no error text, no prompt: " + request);
  }

  @Test
  void everyCandidatePassedOverWithoutACallIsRecordedWithWhy() {
    var until = Instant.parse("2026-01-05T09:00:30Z");
    candidate("open", m -> answer()).candidate("drained", m -> answer()).candidate("ramping", m -> answer())
        .candidate("nokey", m -> answer(), 8_192,
            Optional.of(Unusable.provider("provider nokey has no API key (set NOKEY_API_KEY)")))
        .candidate("fine", m -> answer());
    view.publish(BreakerScope.model("open", "up-open"), BreakerState.open(until, 0, TripReason.CONSECUTIVE_FAULTS));
    view.publish(BreakerScope.provider("drained"), BreakerState.DRAINED);
    view.publish(BreakerScope.model("ramping", "up-ramping"), BreakerState.recovering(0.001, until, 0));
    run(Duration.ofSeconds(30));
    var request = recorded();
    assertEquals(List.of(
        new RoutedRequest.Pass(new ModelRef("open", "up-open"), PassCause.of(SkipCause.CIRCUIT_OPEN)),
        new RoutedRequest.Pass(new ModelRef("drained", "up-drained"), PassCause.of(SkipCause.DRAINED)),
        new RoutedRequest.Pass(new ModelRef("ramping", "up-ramping"), PassCause.of(SkipCause.RAMPING)),
        new RoutedRequest.Pass(new ModelRef("nokey", "up-nokey"), PassCause.of(SkipCause.UNUSABLE))), request.passes());
    assertEquals(new ModelRef("fine", "up-fine"), request.to());
  }

  @Test
  void aSmallerContextWindowPassedOverAfterARefusalIsRecordedAsSuch() {
    candidate("small", m -> fail(FailureKind.CONTEXT_TOO_LONG, 400), 8_192, Optional.empty())
        .candidate("smaller", m -> answer(), 4_096, Optional.empty())
        .candidate("large", m -> answer(), 128_000, Optional.empty());
    run(Duration.ofSeconds(30));
    assertEquals(List.of(new RoutedRequest.Pass(new ModelRef("small", "up-small"), PassCause.of(FailureKind.CONTEXT_TOO_LONG)),
        new RoutedRequest.Pass(new ModelRef("smaller", "up-smaller"), PassCause.of(SkipCause.CONTEXT_WINDOW))),
        recorded().passes());
  }

  @Test
  void aRequestNoCandidateAnsweredIsRecordedAsFailedWithEveryCandidate() {
    candidate("p1", m -> fail(FailureKind.OVERLOADED, 503)).candidate("p2", m -> fail(FailureKind.SERVER_ERROR, 500));
    run(Duration.ofSeconds(30));
    var request = recorded();
    assertTrue(request.failed());
    assertEquals(Ending.EXHAUSTED, request.outcome());
    assertNull(request.to());
    assertEquals(List.of(new RoutedRequest.Pass(new ModelRef("p1", "up-p1"), PassCause.of(FailureKind.OVERLOADED)),
        new RoutedRequest.Pass(new ModelRef("p2", "up-p2"), PassCause.of(FailureKind.SERVER_ERROR))), request.passes());
  }

  @Test
  void aRequestCutByItsDeadlineIsRecordedAsFailed() {
    candidate("hangs", m -> null);  // never answers
    run(Duration.ofSeconds(2));
    var request = recorded();
    assertTrue(request.failed());
    assertEquals(Ending.DEADLINE_EXCEEDED, request.outcome());
    assertEquals(List.of(new RoutedRequest.Pass(new ModelRef("hangs", "up-hangs"), PassCause.of(FailureKind.DEADLINE))),
        request.passes());
  }

  @Test
  void aLastResortAnsweredByTheOnlyCandidateIsNoFailover() {
    candidate("only", m -> answer());
    view.publish(BreakerScope.model("only", "up-only"),
        BreakerState.open(Instant.parse("2026-01-05T09:00:30Z"), 0, TripReason.CONSECUTIVE_FAULTS));
    run(Duration.ofSeconds(30));
    recorder.expectNoMessage(Duration.ofMillis(100));
  }

  @Test
  void aCallersMistakeAtTheFirstTryIsNotARoutingEvent() {
    candidate("p1", m -> fail(FailureKind.BAD_REQUEST, 422)).candidate("p2", m -> answer());
    run(Duration.ofSeconds(30));
    recorder.expectNoMessage(Duration.ofMillis(100));
  }

  @Test
  void candidatesTheRoutesGuardrailsRefuseAreRecordedAsRefusedByThem() {
    guardrails = new Guardrails(true, 1_024, Set.of(), 0, OptionalDouble.empty(), OptionalDouble.empty(),
        Optional.empty());
    candidate("lowtier", m -> answer(), 8_192, Optional.of(Unusable.guardrail("below the route's min-tier")))
        .candidate("tiny", m -> answer(), 512, Optional.empty())  // no room for the 1024 tokens reserved
        .candidate("fine", m -> answer());
    run(Duration.ofSeconds(30));
    assertEquals(List.of(new RoutedRequest.Pass(new ModelRef("lowtier", "up-lowtier"), PassCause.of(SkipCause.GUARDRAIL)),
        new RoutedRequest.Pass(new ModelRef("tiny", "up-tiny"), PassCause.of(SkipCause.GUARDRAIL))), recorded().passes());
  }

  @Test
  void aPassOverIsRecordedUnderTheCauseTheCoordinatorGaveItWhateverItsReasonSays() {
    candidate("p1", m -> answer());
    Candidate candidate = chain.get(0);
    for (SkipCause cause : SkipCause.values()) {
      var skipped = Attempt.skipped(candidate, cause, "a reason worded as nobody has worded it yet");
      assertEquals(PassCause.of(cause), RoutingRecord.cause(skipped), cause.name());
    }
    var abandoned = Attempt.abandoned(candidate, 40, "another candidate answered first", false, true);
    assertEquals(PassCause.of(SkipCause.ABANDONED), RoutingRecord.cause(abandoned));
    var failed = Attempt.failed(candidate, ProviderFailure.of(FailureKind.OVERLOADED, 503, "drained, recovering"), 3,
        false, false, false);
    assertEquals(PassCause.of(FailureKind.OVERLOADED), RoutingRecord.cause(failed), "a failed call by its class");
  }

  private static ProviderSettings settings(String name) {
    return new ProviderSettings(name, Protocol.OPENAI_COMPATIBLE, URI.create("http://127.0.0.1:1/v1"),
        Optional.empty(), false, Map.of(), Map.of(), Duration.ofSeconds(1), Duration.ofSeconds(60),
        Duration.ofSeconds(20), Duration.ofSeconds(30), 4, 16,
        BreakerSettings.defaults().with(ConfigFactory.empty()));
  }
}
