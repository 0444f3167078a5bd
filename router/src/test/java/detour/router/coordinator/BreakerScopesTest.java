package detour.router.coordinator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.typed.ActorRef;
import akka.persistence.testkit.PersistenceTestKitPlugin;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import detour.persistence.breaker.BreakerScope;
import detour.persistence.breaker.FailureKind;
import detour.providers.breaker.BreakerSettings;
import detour.providers.breaker.BreakerState;
import detour.providers.breaker.BreakerState.Circuit;
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
import detour.router.config.Plan;
import java.net.URI;
import java.time.Duration;
import java.time.InstantSource;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * Real breakers, one per provider and one per model, behind the coordinator: a model's trouble
 * stays the model's, a provider's trouble takes all its models out, and two models in trouble at
 * once count as the provider's.
 */
class BreakerScopesTest {
  static final ActorTestKit testKit = ActorTestKit.create(PersistenceTestKitPlugin.getInstance().config());
  static final ObjectMapper JSON = new ObjectMapper();

  @AfterAll
  static void shutDown() {
    testKit.shutdownTestKit();
  }

  /** How each upstream model answers, changeable during a test. */
  final Map<String, CallResult> answers = new ConcurrentHashMap<>();
  final String run = UUID.randomUUID().toString().substring(0, 8);  // its own journal streams
  final String p = "p" + run;
  final String q = "q" + run;
  final BreakerView view = BreakerView.detached();
  final Map<String, ActorRef<ProviderBreaker.Command>> breakers = new HashMap<>();
  final ProviderFleet fleet;

  BreakerScopesTest() {
    for (String scope : List.of(p, p + "/x", p + "/y", p + "/w", q, q + "/z")) {
      int slash = scope.indexOf('/');
      var key = slash < 0 ? BreakerScope.provider(scope) : BreakerScope.model(scope.substring(0, slash), scope.substring(slash + 1));
      breakers.put(scope, testKit.spawn(ProviderBreaker.create(key, BreakerSettings.defaults(), InstantSource.system(), view)));
    }
    Map<String, ProviderClient> clients = Map.of(p, client(p), q, client(q));
    Map<BreakerScope, ActorRef<ProviderBreaker.Command>> byScope = new HashMap<>();
    breakers.forEach((scope, breaker) -> byScope.put(BreakerScope.ofKey(scope), breaker));
    fleet = new ProviderFleet(clients, byScope, view);
    answers.put("z", answer());
    breakers.keySet().forEach(this::circuit);  // every breaker has recovered and published
  }

  @Test
  void sustainedRateLimitsOnOneModelLeaveTheProvidersOtherModelsRoutable() {
    answers.put("x", rateLimited());
    answers.put("y", answer());
    for (int i = 0; i < 10; i++) {
      assertEquals(q, answered(route("x", p)).provider(), "request " + i + " fails over");
    }
    assertEquals(Circuit.OPEN, circuit(p + "/x"));
    assertEquals(Circuit.CLOSED, circuit(p));

    var viaY = answered(route("y", p));
    assertEquals(p, viaY.provider(), "the provider's other model still answers");
  }

  @Test
  void aProviderWideFaultTakesEveryModelOut() {
    answers.put("x", new CallResult.Failed(ProviderFailure.of(FailureKind.CONNECT_REFUSED, 0, "refused")));
    answers.put("y", answer());
    for (int i = 0; i < 5; i++) answered(route("x", p));
    assertEquals(Circuit.OPEN, circuit(p));

    var viaY = answered(route("y", p));
    assertEquals(q, viaY.provider());
    assertTrue(viaY.trace().attempts().get(0).detail().startsWith("circuit of provider " + p + " open"),
        viaY.trace().attempts().get(0).detail());
  }

  @Test
  void twoModelsOpenAtOnceCountAsAFaultAcrossTheProvider() {
    answers.put("x", new CallResult.Failed(ProviderFailure.of(FailureKind.SERVER_ERROR, 500, "boom")));
    answers.put("y", new CallResult.Failed(ProviderFailure.of(FailureKind.SERVER_ERROR, 500, "boom")));
    answers.put("w", answer());
    for (int i = 0; i < 5; i++) answered(route("x", p));
    for (int i = 0; i < 5; i++) answered(route("y", p));
    assertEquals(Circuit.OPEN, circuit(p + "/x"));
    assertEquals(Circuit.OPEN, circuit(p + "/y"));

    var viaW = answered(route("w", p));
    assertEquals(q, viaW.provider(), "a third model of the same provider is not tried");
    assertTrue(viaW.trace().attempts().get(0).detail().contains("a fault across the provider"));
  }

  @Test
  void twoModelsAtTheirOwnRateLimitsDoNotTakeTheProviderOut() {
    answers.put("x", rateLimited());
    answers.put("y", rateLimited());
    answers.put("w", answer());
    for (int i = 0; i < 10; i++) answered(route("x", p));
    for (int i = 0; i < 10; i++) answered(route("y", p));
    assertEquals(Circuit.OPEN, circuit(p + "/x"));
    assertEquals(Circuit.OPEN, circuit(p + "/y"));

    assertEquals(p, answered(route("w", p)).provider(), "rate limits are each model's own");
  }

  // ---- helpers -------------------------------------------------------------------------------

  private RouteOutcome.Answered answered(RouteOutcome outcome) {
    return assertInstanceOf(RouteOutcome.Answered.class, outcome, String.valueOf(outcome));
  }

  /** Routes one request to model {@code model} of {@code provider}, with z on q as the fallback. */
  private RouteOutcome route(String model, String provider) {
    var plan = new Plan("route", List.of(candidate(provider, model), candidate(q, "z")), Duration.ofSeconds(30), true);
    var replies = testKit.<RouteOutcome>createTestProbe();
    ObjectNode body = JSON.createObjectNode().put("model", "route");
    body.putArray("messages").addObject().put("role", "user").put("content", "hi");
    testKit.spawn(RequestCoordinator.create("req", new ChatRequest(body), plan, fleet, replies.ref()));
    var outcome = replies.receiveMessage();
    breakers.keySet().forEach(this::circuit);  // the outcomes told have been judged
    return outcome;
  }

  private Circuit circuit(String scope) {
    var probe = testKit.<BreakerState>createTestProbe();
    breakers.get(scope).tell(new ProviderBreaker.GetState(probe.ref()));
    return probe.receiveMessage().circuit();
  }

  private ProviderClient client(String provider) {
    return new ProviderClient() {
      @Override
      public String provider() {
        return provider;
      }

      @Override
      public CompletionStage<CallResult> complete(ChatRequest request, String upstreamModel) {
        return CompletableFuture.completedFuture(answers.get(upstreamModel));
      }

      @Override
      public CompletionStage<StreamOpening> stream(ChatRequest request, String upstreamModel) {
        return complete(request, upstreamModel).thenApply(RequestCoordinatorTest.FakeClient::asStream);
      }
    };
  }

  private static Candidate candidate(String provider, String model) {
    var settings = new ProviderSettings(provider, Protocol.OPENAI_COMPATIBLE, URI.create("http://127.0.0.1:1/v1"),
        Optional.empty(), false, Map.of(), Map.of(), Duration.ofSeconds(1), Duration.ofSeconds(5),
        Duration.ofSeconds(5), Duration.ofSeconds(5), 4, 16,
        BreakerSettings.defaults());
    return new Candidate(new CatalogueModel(provider + "-" + model, provider, model, 8_192), settings, Optional.empty());
  }

  private static CallResult answer() {
    ObjectNode body = JSON.createObjectNode().put("object", "chat.completion");
    body.putArray("choices");
    return new CallResult.Answered(new ChatResponse(body, Usage.none()));
  }

  private static CallResult rateLimited() {
    return new CallResult.Failed(new ProviderFailure(FailureKind.RATE_LIMITED, 429, "slow down", "", Optional.empty()));
  }
}
