package detour.router.coordinator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.typesafe.config.ConfigFactory;
import detour.persistence.breaker.BreakerScope;
import detour.persistence.breaker.FailureKind;
import detour.persistence.breaker.TripReason;
import detour.providers.breaker.BreakerState;
import detour.providers.breaker.BreakerSettings;
import detour.providers.breaker.BreakerView;
import detour.providers.breaker.ProviderBreaker;
import detour.providers.client.Protocol;
import detour.providers.client.ProviderClient;
import detour.providers.client.ProviderSettings;
import detour.providers.model.CallResult;
import detour.providers.model.ChatRequest;
import detour.providers.model.ChatResponse;
import detour.providers.model.CompletionChunks;
import detour.providers.model.StreamOpening;
import akka.stream.javadsl.Source;
import detour.providers.model.ProviderFailure;
import detour.providers.model.Usage;
import detour.router.config.CatalogueModel;
import detour.router.config.Candidate;
import detour.router.config.Capability;
import detour.router.config.Plan;
import detour.router.config.Unusable;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** The coordinator alone, over tiny fake clients: decisions that need no network to show. */
class RequestCoordinatorTest {
  static final ActorTestKit testKit = ActorTestKit.create();
  static final ObjectMapper JSON = new ObjectMapper();

  @AfterAll
  static void shutDown() {
    testKit.shutdownTestKit();
  }

  /** A provider that answers by a rule and remembers what it was asked. */
  record FakeClient(String provider, Function<String, CallResult> rule, List<String> asked) implements ProviderClient {
    FakeClient(String provider, Function<String, CallResult> rule) {
      this(provider, rule, new ArrayList<>());
    }

    @Override
    public CompletionStage<CallResult> complete(ChatRequest request, String upstreamModel) {
      asked.add(upstreamModel);
      return CompletableFuture.completedFuture(rule.apply(upstreamModel));
    }

    @Override
    public CompletionStage<StreamOpening> stream(ChatRequest request, String upstreamModel) {
      return complete(request, upstreamModel).thenApply(FakeClient::asStream);
    }

    /** The same outcome, streamed: an answer as its chunks, a failure as a refused stream. */
    static StreamOpening asStream(CallResult result) {
      return result instanceof CallResult.Answered answered
          ? new StreamOpening.Opened(Source.from(CompletionChunks.of(answered.response().body())))
          : new StreamOpening.Failed(((CallResult.Failed) result).failure());
    }
  }

  static CallResult answer() {
    ObjectNode body = JSON.createObjectNode().put("object", "chat.completion");
    body.putArray("choices");
    return new CallResult.Answered(new ChatResponse(body, Usage.none()));
  }

  static CallResult refuse(FailureKind kind, int status) {
    return new CallResult.Failed(ProviderFailure.of(kind, status, "refused: " + kind));
  }

  @Test
  void aContextLengthRefusalMovesOnOnlyToALargerWindow() {
    var small = new FakeClient("p1", m -> refuse(FailureKind.CONTEXT_TOO_LONG, 400));
    var smaller = new FakeClient("p2", m -> answer());
    var larger = new FakeClient("p3", m -> answer());
    var outcome = run(List.of(small, smaller, larger), Map.of("p1", 8_192, "p2", 4_096, "p3", 128_000));

    var answered = assertInstanceOf(RouteOutcome.Answered.class, outcome);
    assertEquals("p3", answered.provider());
    assertEquals(List.of(), smaller.asked(), "a smaller window is not even tried");
    assertEquals(Attempt.Result.SKIPPED, answered.trace().attempts().get(1).result());
  }

  @Test
  void aPromptTooLongForEveryWindowIsTheCallersErrorNotAnOutage() {
    var first = new FakeClient("p1", m -> refuse(FailureKind.CONTEXT_TOO_LONG, 400));
    var second = new FakeClient("p2", m -> refuse(FailureKind.CONTEXT_TOO_LONG, 400));
    var outcome = run(List.of(first, second), Map.of("p1", 8_192, "p2", 16_384));

    var rejected = assertInstanceOf(RouteOutcome.Rejected.class, outcome);
    assertEquals(FailureKind.CONTEXT_TOO_LONG, rejected.failure().kind());
    assertEquals(2, rejected.trace().triedCount());
  }

  @Test
  void aClientErrorStopsTheWalk() {
    var first = new FakeClient("p1", m -> refuse(FailureKind.BAD_REQUEST, 422));
    var second = new FakeClient("p2", m -> answer());
    var outcome = run(List.of(first, second), Map.of("p1", 8_192, "p2", 8_192));

    assertInstanceOf(RouteOutcome.Rejected.class, outcome);
    assertEquals(List.of(), second.asked());
  }

  @Test
  void eachFailureIsToldToTheCircuitItIsBlamedOnAndEachSuccessToBoth() {
    var first = new FakeClient("p1", m -> refuse(FailureKind.OVERLOADED, 529));
    var second = new FakeClient("p2", m -> refuse(FailureKind.CONNECT_REFUSED, 0));
    var third = new FakeClient("p3", m -> answer());
    Map<String, TestProbe<ProviderBreaker.Command>> breakers = new HashMap<>();
    run(List.of(first, second, third), Map.of("p1", 8_192, "p2", 8_192, "p3", 8_192), breakers);

    // 529 is the model's fault: its provider's other models stay routable.
    var overloaded = breakers.get("p1/up-p1").expectMessageClass(ProviderBreaker.RecordFailure.class);
    assertEquals(FailureKind.OVERLOADED, overloaded.failure().kind());
    breakers.get("p1").expectNoMessage(Duration.ofMillis(50));
    // A refused connection is the whole provider's.
    var refused = breakers.get("p2").expectMessageClass(ProviderBreaker.RecordFailure.class);
    assertEquals(FailureKind.CONNECT_REFUSED, refused.failure().kind());
    breakers.get("p2/up-p2").expectNoMessage(Duration.ofMillis(50));
    breakers.get("p3").expectMessageClass(ProviderBreaker.RecordSuccess.class);
    breakers.get("p3/up-p3").expectMessageClass(ProviderBreaker.RecordSuccess.class);
  }

  @Test
  void aRequestNoCandidateCanServeIsExhaustedForGoodWithEveryReason() {
    var keyless = new FakeClient("p1", m -> answer());
    var plain = new FakeClient("p2", m -> answer());
    var chain = List.of(
        candidate(keyless, java.util.EnumSet.allOf(Capability.class), Optional.of("provider 'p1' has no api-key configured")),
        candidate(plain, java.util.EnumSet.noneOf(Capability.class), Optional.empty()));

    var exhausted = assertInstanceOf(RouteOutcome.Exhausted.class,
        run(chain, List.of(keyless, plain), BreakerView.detached(), withTools()));

    assertFalse(exhausted.retryable(), "sent again, it is skipped again");
    assertEquals(List.of("provider 'p1' has no api-key configured", "the model lacks what the request uses: tools"),
        exhausted.trace().attempts().stream().map(Attempt::detail).toList());
    assertEquals(List.of(), keyless.asked());
    assertEquals(List.of(), plain.asked());
  }

  @Test
  void aCandidatePassedOverForItsCircuitLeavesTheRequestRetryable() {
    var keyless = new FakeClient("p1", m -> answer());
    var open = new FakeClient("p2", m -> answer());
    var view = BreakerView.detached();
    view.publish(BreakerScope.provider("p2"),
        BreakerState.open(java.time.Instant.now().plusSeconds(30), 0, TripReason.CONSECUTIVE_FAULTS));
    var chain = List.of(
        candidate(keyless, java.util.EnumSet.allOf(Capability.class), Optional.of("provider 'p1' has no api-key configured")),
        candidate(open, java.util.EnumSet.allOf(Capability.class), Optional.empty()));

    var exhausted = assertInstanceOf(RouteOutcome.Exhausted.class, run(chain, List.of(keyless, open), view, withTools()));

    assertTrue(exhausted.retryable(), "the open circuit may have closed by the next try");
    assertTrue(exhausted.retryAt().isPresent());
  }

  @Test
  void aRequestThatWasTriedAndFailedIsRetryable() {
    var failing = new FakeClient("p1", m -> refuse(FailureKind.SERVER_ERROR, 500));
    var incapable = new FakeClient("p2", m -> answer());
    var chain = List.of(candidate(failing, java.util.EnumSet.allOf(Capability.class), Optional.empty()),
        candidate(incapable, java.util.EnumSet.noneOf(Capability.class), Optional.empty()));

    var exhausted = assertInstanceOf(RouteOutcome.Exhausted.class,
        run(chain, List.of(failing, incapable), BreakerView.detached(), withTools()));

    assertTrue(exhausted.retryable(), "a provider's fault may pass on retry");
  }

  private static Candidate candidate(FakeClient client, java.util.Set<Capability> capabilities,
      Optional<String> unusable) {
    return new Candidate(new CatalogueModel("m-" + client.provider(), client.provider(), "up-" + client.provider(),
        8_192, capabilities), settings(client.provider()), unusable.map(Unusable::provider));
  }

  private static ChatRequest withTools() {
    ObjectNode body = JSON.createObjectNode().put("model", "route");
    body.putArray("messages").addObject().put("role", "user").put("content", "hi");
    body.putArray("tools").addObject().put("type", "function").putObject("function").put("name", "lookup");
    return new ChatRequest(body);
  }

  @Test
  void aBodyTooLargeMovesOnOnlyToAnotherProviderAndCountsAgainstNobody() {
    var small = new FakeClient("p1", m -> refuse(FailureKind.REQUEST_TOO_LARGE, 413));
    var other = new FakeClient("p2", m -> refuse(FailureKind.REQUEST_TOO_LARGE, 0));
    var all = java.util.EnumSet.allOf(Capability.class);
    var sameProvider = new Candidate(new CatalogueModel("m-p1-large", "p1", "up-p1", 128_000, all), settings("p1"),
        Optional.empty());
    var chain = List.of(candidate(small, all, Optional.empty()), sameProvider, candidate(other, all, Optional.empty()));
    Map<String, TestProbe<ProviderBreaker.Command>> breakers = new HashMap<>();

    var rejected = assertInstanceOf(RouteOutcome.Rejected.class,
        run(chain, List.of(small, other), BreakerView.detached(), plainRequest(), breakers));

    assertEquals(FailureKind.REQUEST_TOO_LARGE, rejected.failure().kind());
    assertEquals(413, rejected.failure().status(), "answered as OpenAI does: 413");
    assertEquals("request_too_large", rejected.failure().errorType());
    assertEquals(List.of(Attempt.Result.FAILED, Attempt.Result.SKIPPED, Attempt.Result.FAILED),
        rejected.trace().attempts().stream().map(Attempt::result).toList());
    assertEquals("provider 'p1' refused the request's body as too large", rejected.trace().attempts().get(1).detail());
    assertEquals(List.of("up-p1"), small.asked(), "the provider that refused it is not asked again");
    breakers.values().forEach(breaker -> breaker.expectNoMessage(Duration.ofMillis(20)));
  }

  @Test
  void aBodyOneProviderRefusesIsAnsweredByAnotherThatTakesIt() {
    var small = new FakeClient("p1", m -> refuse(FailureKind.REQUEST_TOO_LARGE, 413));
    var large = new FakeClient("p2", m -> answer());
    var all = java.util.EnumSet.allOf(Capability.class);

    var answered = assertInstanceOf(RouteOutcome.Answered.class, run(List.of(candidate(small, all, Optional.empty()),
        candidate(large, all, Optional.empty())), List.of(small, large), BreakerView.detached(), plainRequest()));

    assertEquals("p2", answered.provider());
  }

  private static ChatRequest plainRequest() {
    ObjectNode body = JSON.createObjectNode().put("model", "route");
    body.putArray("messages").addObject().put("role", "user").put("content", "hi");
    return new ChatRequest(body);
  }

  private RouteOutcome run(List<Candidate> chain, List<FakeClient> clients, BreakerView view, ChatRequest request) {
    return run(chain, clients, view, request, new HashMap<>());
  }

  /** Runs a request over a chain as given, without a last resort, on a view the test may set. */
  private RouteOutcome run(List<Candidate> chain, List<FakeClient> clients, BreakerView view, ChatRequest request,
      Map<String, TestProbe<ProviderBreaker.Command>> breakers) {
    Map<String, ProviderClient> byName = new HashMap<>();
    Map<BreakerScope, akka.actor.typed.ActorRef<ProviderBreaker.Command>> refs = new HashMap<>();
    for (FakeClient client : clients) {
      byName.put(client.provider(), client);
      for (String scope : List.of(client.provider(), client.provider() + "/up-" + client.provider())) {
        var probe = testKit.<ProviderBreaker.Command>createTestProbe();
        breakers.put(scope, probe);
        refs.put(BreakerScope.ofKey(scope), probe.ref());
      }
    }
    var fleet = new ProviderFleet(byName, refs, view);
    var replies = testKit.<RouteOutcome>createTestProbe();
    testKit.spawn(RequestCoordinator.create("req-1", request, new Plan("route", chain, Duration.ofSeconds(30), false),
        fleet, replies.ref()));
    return replies.receiveMessage();
  }

  private RouteOutcome run(List<FakeClient> clients, Map<String, Integer> windows) {
    return run(clients, windows, new HashMap<>());
  }

  private RouteOutcome run(
      List<FakeClient> clients, Map<String, Integer> windows, Map<String, TestProbe<ProviderBreaker.Command>> breakers) {
    Map<String, ProviderClient> byName = new HashMap<>();
    Map<BreakerScope, akka.actor.typed.ActorRef<ProviderBreaker.Command>> refs = new HashMap<>();
    List<Candidate> chain = new ArrayList<>();
    for (FakeClient client : clients) {
      byName.put(client.provider(), client);
      for (String scope : List.of(client.provider(), client.provider() + "/up-" + client.provider())) {
        var probe = testKit.<ProviderBreaker.Command>createTestProbe();
        breakers.put(scope, probe);
        refs.put(BreakerScope.ofKey(scope), probe.ref());
      }
      chain.add(new Candidate(
          new CatalogueModel("m-" + client.provider(), client.provider(), "up-" + client.provider(),
              windows.get(client.provider())),
          settings(client.provider()), Optional.empty()));
    }
    var fleet = new ProviderFleet(byName, refs, BreakerView.detached());
    var plan = new Plan("route", chain, Duration.ofSeconds(30), true);
    var replies = testKit.<RouteOutcome>createTestProbe();
    ObjectNode body = JSON.createObjectNode().put("model", "route");
    body.putArray("messages").addObject().put("role", "user").put("content", "hi");
    testKit.spawn(RequestCoordinator.create("req-1", new ChatRequest(body), plan, fleet, replies.ref()));
    return replies.receiveMessage();
  }

  private static ProviderSettings settings(String name) {
    return new ProviderSettings(name, Protocol.OPENAI_COMPATIBLE, URI.create("http://127.0.0.1:1/v1"),
        Optional.empty(), false, Map.of(), Map.of(), Duration.ofSeconds(1), Duration.ofSeconds(5),
        Duration.ofSeconds(5), Duration.ofSeconds(5), 4, 16,
        BreakerSettings.defaults().with(ConfigFactory.empty()));
  }
}
