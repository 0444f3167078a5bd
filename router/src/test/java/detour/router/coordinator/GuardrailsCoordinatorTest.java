package detour.router.coordinator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.typed.ActorRef;
import akka.stream.javadsl.Sink;
import akka.stream.javadsl.Source;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.typesafe.config.ConfigFactory;
import detour.persistence.breaker.BreakerScope;
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
import detour.providers.model.Usage;
import detour.router.config.Candidate;
import detour.router.config.CatalogueModel;
import detour.router.config.Guardrails;
import detour.router.config.HedgePolicy;
import detour.router.config.Plan;
import detour.router.config.Price;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * A route's guardrails in the coordinator's walk, over fake clients that always answer: which
 * candidates are skipped before asking, with which reasons in the trace, and what the caller gets
 * when none is left.
 */
class GuardrailsCoordinatorTest {
  static final ActorTestKit testKit = ActorTestKit.create();
  static final ObjectMapper JSON = new ObjectMapper();

  @AfterAll
  static void shutDown() {
    testKit.shutdownTestKit();
  }

  /** A provider that always answers, and remembers whether it was asked. */
  record AnsweringClient(String provider, List<String> asked) implements ProviderClient {
    AnsweringClient(String provider) {
      this(provider, new CopyOnWriteArrayList<>());
    }

    @Override
    public CompletionStage<CallResult> complete(ChatRequest request, String upstreamModel) {
      asked.add(upstreamModel);
      ObjectNode body = JSON.createObjectNode().put("object", "chat.completion");
      body.putArray("choices").addObject().put("index", 0).put("finish_reason", "stop")
          .putObject("message").put("role", "assistant").put("content", "hi");
      return CompletableFuture.completedFuture(new CallResult.Answered(new ChatResponse(body, Usage.none())));
    }

    @Override
    public CompletionStage<StreamOpening> stream(ChatRequest request, String upstreamModel) {
      return complete(request, upstreamModel).thenApply(answered ->
          new StreamOpening.Opened(Source.from(CompletionChunks.of(((CallResult.Answered) answered).response().body()))));
    }
  }

  /** One model of a test chain, on its own provider {@code p-<id>}. */
  record Model(String id, int window, String family, int tier, Price price) {
    String provider() {
      return "p-" + id;
    }

    String scope() {
      return provider() + "/" + id;
    }
  }

  private final Map<String, AnsweringClient> clients = new HashMap<>();
  private ProviderFleet fleet;

  static final Guardrails STRICT = new Guardrails(true, 1024, Set.of("gpt", "claude"), 2, OptionalDouble.of(3.0),
      OptionalDouble.of(0.01), Optional.of(Duration.ofSeconds(5)));

  @Test
  void eachGuardrailSkipsItsCandidateBeforeAskingWithItsReasonInTheTrace() {
    List<Model> chain = List.of(
        new Model("llama", 128_000, "llama", 3, new Price(0.1, 0.4)),      // the primary: a family not allowed
        new Model("mini", 128_000, "gpt", 1, new Price(0.1, 0.4)),         // below the tier
        new Model("pricey", 128_000, "gpt", 2, new Price(5, 25)),          // blended $10 per million
        new Model("costly", 128_000, "gpt", 2, new Price(1, 5)),           // this request: over $0.01
        new Model("narrow", 4_096, "gpt", 2, new Price(0.1, 0.4)),         // the prompt does not fit
        new Model("slow", 128_000, "gpt", 2, new Price(0.1, 0.4)),         // p95 of 8 s
        new Model("good", 200_000, "claude", 3, new Price(0.1, 0.4)));
    Plan plan = plan(chain, STRICT);
    for (int i = 0; i < 25; i++) fleet.latency(BreakerScope.ofKey("p-slow/slow")).record(8_000);

    // "hello " x 5000: 5,000 one-token words, + 3 for the message + 3 for the reply; 2,000 reserved.
    var outcome = run(plan, request("hello ".repeat(5_000), 2_000, false));

    var answered = assertInstanceOf(RouteOutcome.Answered.class, outcome);
    assertEquals("good", answered.model());
    List<Attempt> trace = answered.trace().attempts();
    assertEquals(List.of(
        "its family 'llama' is not one of the route's families: claude, gpt",
        "its tier 1 is below the route's min-tier of 2",
        "its blended price of $10.00 per million tokens (3:1 input:output) exceeds the route's max-price-per-mtok of $3.00",
        "its estimated cost of $0.01501 for this request (~5006 prompt tokens, 2000 reserved for the answer) exceeds "
            + "the route's max-request-cost of $0.01",
        "prompt of ~5006 tokens + 2000 reserved exceeds the 4096-token window",
        "its observed p95 latency of 8s over its last 25 answers exceeds the route's max-p95-latency of 5s"),
        trace.subList(0, 6).stream().map(Attempt::detail).toList());
    assertTrue(trace.subList(0, 6).stream().allMatch(a -> a.result() == Attempt.Result.SKIPPED));
    assertEquals(Attempt.Result.ANSWERED, trace.get(6).result());
    for (Model skipped : chain.subList(0, 6)) {
      assertEquals(List.of(), clients.get(skipped.provider()).asked(), skipped.id() + " was never asked");
    }
  }

  @Test
  void aModelPassedOverForItsLatencyLeavesTheRequestRetryable() {
    List<Model> chain = List.of(new Model("slow", 128_000, "gpt", 2, new Price(0.1, 0.4)));
    Plan plan = plan(chain, STRICT);
    for (int i = 0; i < 25; i++) fleet.latency(BreakerScope.ofKey("p-slow/slow")).record(60_000);

    var exhausted = assertInstanceOf(RouteOutcome.Exhausted.class, run(plan, request("hi", 100, false)));
    assertTrue(exhausted.retryable(), "its latency may be back within the budget by the next try");
  }

  @Test
  void aModelWithTooFewLatencySamplesIsStillTried() {
    List<Model> chain = List.of(new Model("slow", 128_000, "gpt", 2, new Price(0.1, 0.4)));
    Plan plan = plan(chain, STRICT);
    for (int i = 0; i < 19; i++) fleet.latency(BreakerScope.ofKey("p-slow/slow")).record(60_000);

    var answered = assertInstanceOf(RouteOutcome.Answered.class, run(plan, request("hi", 100, false)));
    assertEquals("slow", answered.model());
  }

  @Test
  void whenTheGuardrailsLeaveNoCandidateTheRequestIsExhaustedWithEveryReason() {
    List<Model> chain = List.of(
        new Model("a", 128_000, "gpt", 2, new Price(1, 5)),
        new Model("b", 128_000, "claude", 2, new Price(3, 15)));
    Plan plan = plan(chain, STRICT);

    var exhausted = assertInstanceOf(RouteOutcome.Exhausted.class, run(plan, request("hi", 100_000, false)));

    assertEquals(Optional.empty(), exhausted.retryAt(), "no circuit to wait for: no Retry-After");
    assertFalse(exhausted.retryable(), "the same request is refused by the same guardrails again");
    List<Attempt> trace = exhausted.trace().attempts();
    assertEquals(List.of(Attempt.Result.SKIPPED, Attempt.Result.SKIPPED), trace.stream().map(Attempt::result).toList());
    assertEquals(List.of(
        "its estimated cost of $0.50 for this request (~7 prompt tokens, 100000 reserved for the answer) exceeds the "
            + "route's max-request-cost of $0.01",
        "its blended price of $6.00 per million tokens (3:1 input:output) exceeds the route's max-price-per-mtok of $3.00"),
        trace.stream().map(Attempt::detail).toList());
    assertEquals(0, exhausted.trace().triedCount());
    assertTrue(clients.values().stream().allMatch(c -> c.asked().isEmpty()));
  }

  @Test
  void noGuardrailsSkipNothingWhateverTheRequest() {
    List<Model> chain = List.of(new Model("narrow", 1_000, "llama", 1, new Price(50, 100)));
    Plan plan = plan(chain, Guardrails.NONE);
    var answered = assertInstanceOf(RouteOutcome.Answered.class, run(plan, request("hello ".repeat(5_000), 100_000, false)));
    assertEquals("narrow", answered.model());
  }

  @Test
  void eachSuccessRecordsItsLatencyForItsModel() {
    List<Model> chain = List.of(new Model("m", 128_000, "gpt", 2, new Price(0.1, 0.4)));
    Plan plan = plan(chain, Guardrails.NONE);
    assertInstanceOf(RouteOutcome.Answered.class, run(plan, request("hi", 10, false)));
    assertEquals(1, fleet.latency(BreakerScope.ofKey("p-m/m")).recorded());
    assertEquals(0, fleet.latency(BreakerScope.ofKey("p-m")).recorded(), "per model, not per provider");
  }

  @Test
  void aSuccessfulStreamRecordsItsTimeToFirstContentOnceItEnds() throws Exception {
    List<Model> chain = List.of(new Model("m", 128_000, "gpt", 2, new Price(0.1, 0.4)));
    Plan plan = plan(chain, Guardrails.NONE);
    var streaming = assertInstanceOf(RouteOutcome.Streaming.class, run(plan, request("hi", 10, true)));
    assertEquals(0, fleet.latency(BreakerScope.ofKey("p-m/m")).recorded(), "not before the stream has ended well");

    streaming.chunks().runWith(Sink.seq(), testKit.system()).toCompletableFuture().get(5, TimeUnit.SECONDS);

    testKit.createTestProbe().awaitAssert(Duration.ofSeconds(5), () -> {
      assertEquals(1, fleet.latency(BreakerScope.ofKey("p-m/m")).recorded());
      return null;
    });
  }

  private Plan plan(List<Model> models, Guardrails guardrails) {
    Map<String, ProviderClient> byName = new HashMap<>();
    Map<BreakerScope, ActorRef<ProviderBreaker.Command>> refs = new HashMap<>();
    List<Candidate> chain = new ArrayList<>();
    for (Model m : models) {
      var client = new AnsweringClient(m.provider());
      clients.put(m.provider(), client);
      byName.put(m.provider(), client);
      for (String scope : List.of(m.provider(), m.scope())) {
        refs.put(BreakerScope.ofKey(scope), testKit.<ProviderBreaker.Command>createTestProbe().ref());
      }
      var model = new CatalogueModel(m.id(), m.provider(), m.id(), m.window())
          .described(Optional.of(m.family()), OptionalInt.of(m.tier()), Optional.of(m.price()));
      chain.add(new Candidate(model, settings(m.provider()), Optional.empty()));
    }
    fleet = new ProviderFleet(byName, refs, BreakerView.detached());
    return new Plan("route", chain, Duration.ofSeconds(30), true, HedgePolicy.NONE, guardrails);
  }

  private RouteOutcome run(Plan plan, ChatRequest request) {
    var replies = testKit.<RouteOutcome>createTestProbe();
    testKit.spawn(RequestCoordinator.create("req-1", request, plan, fleet, replies.ref()));
    return replies.receiveMessage();
  }

  private static ChatRequest request(String text, int maxTokens, boolean stream) {
    ObjectNode body = JSON.createObjectNode().put("model", "route").put("max_tokens", maxTokens);
    if (stream) body.put("stream", true);
    body.putArray("messages").addObject().put("role", "user").put("content", text);
    return new ChatRequest(body);
  }

  private static ProviderSettings settings(String name) {
    return new ProviderSettings(name, Protocol.OPENAI_COMPATIBLE, URI.create("http://127.0.0.1:1/v1"),
        Optional.empty(), false, Map.of(), Map.of(), Duration.ofSeconds(1), Duration.ofSeconds(5),
        Duration.ofSeconds(5), Duration.ofSeconds(5), 4, 16, BreakerSettings.defaults().with(ConfigFactory.empty()));
  }
}
