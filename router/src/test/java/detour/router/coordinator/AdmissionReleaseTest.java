package detour.router.coordinator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.NotUsed;
import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.ManualTime;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.ActorRef;
import akka.stream.javadsl.Sink;
import akka.stream.javadsl.Source;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.typesafe.config.ConfigFactory;
import detour.persistence.breaker.BreakerScope;
import detour.persistence.breaker.FailureKind;
import detour.providers.breaker.BreakerSettings;
import detour.providers.breaker.BreakerView;
import detour.providers.breaker.ProviderBreaker;
import detour.providers.client.Protocol;
import detour.providers.client.ProviderClient;
import detour.providers.client.ProviderSettings;
import detour.providers.model.CallResult;
import detour.providers.model.ChatRequest;
import detour.providers.model.ChatResponse;
import detour.providers.model.ChunkWriter;
import detour.providers.model.ProviderFailure;
import detour.providers.model.StreamOpening;
import detour.providers.model.Usage;
import detour.router.config.Candidate;
import detour.router.config.CatalogueModel;
import detour.router.config.Plan;
import detour.router.config.Unusable;
import java.net.URI;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * Every way a request can end gives its place under {@code detour.http.max-in-flight} back, once:
 * the coordinators' parent watches each coordinator and releases on its termination.
 */
class AdmissionReleaseTest {
  static final ActorTestKit testKit = ActorTestKit.create(ManualTime.config().withFallback(ConfigFactory.load()));
  static final ManualTime time = ManualTime.get(testKit.system());
  static final ObjectMapper JSON = new ObjectMapper();
  static final Duration DEADLINE = Duration.ofSeconds(30);

  private final Admission admission = new Admission(8);

  @AfterAll
  static void shutDown() {
    testKit.shutdownTestKit();
  }

  /** A provider that answers whole requests by {@code calls} and streams by {@code streams}. */
  record Client(String provider, Supplier<CompletionStage<CallResult>> calls,
      Supplier<Source<ObjectNode, NotUsed>> streams, boolean brokenCapabilityCheck) implements ProviderClient {
    @Override
    public CompletionStage<CallResult> complete(ChatRequest request, String upstreamModel) {
      return calls.get();
    }

    @Override
    public CompletionStage<StreamOpening> stream(ChatRequest request, String upstreamModel) {
      return CompletableFuture.completedFuture(new StreamOpening.Opened(streams.get()));
    }

    @Override
    public Optional<String> cannotExpress(ChatRequest request) {
      if (brokenCapabilityCheck) throw new IllegalStateException("a bug in the client");
      return Optional.empty();
    }
  }

  static Client answering() {
    return new Client("p", () -> CompletableFuture.completedFuture(answer()), Source::empty, false);
  }

  @Test
  void anAnsweredRequestGivesItsPlaceBack() {
    assertInstanceOf(RouteOutcome.Answered.class, run(answering(), Optional.empty(), false).receiveMessage());
    assertAllPlacesFree();
  }

  @Test
  void anExhaustedRequestGivesItsPlaceBack() {
    var failing = new Client("p", () -> CompletableFuture.completedFuture(
        new CallResult.Failed(ProviderFailure.of(FailureKind.SERVER_ERROR, 500, "boom"))), Source::empty, false);
    assertInstanceOf(RouteOutcome.Exhausted.class, run(failing, Optional.empty(), false).receiveMessage());
    assertAllPlacesFree();
  }

  @Test
  void aRequestWhoseEveryCandidateIsSkippedGivesItsPlaceBack() {
    // The coordinator answers and stops inside its own set-up: its PostStop never runs.
    var outcome = run(answering(), Optional.of("no api-key is configured"), false).receiveMessage();
    assertEquals(0, outcome.trace().triedCount());
    assertAllPlacesFree();
  }

  @Test
  void aRequestAbandonedAtItsDeadlineGivesItsPlaceBack() {
    var hung = new Client("p", CompletableFuture::new, Source::empty, false);
    var replies = run(hung, Optional.empty(), false);
    replies.expectNoMessage(Duration.ofMillis(50));
    assertEquals(1, admission.inProgress(), "held while the attempt runs");
    time.timePasses(DEADLINE);
    assertInstanceOf(RouteOutcome.DeadlineExceeded.class, replies.receiveMessage());
    assertAllPlacesFree();
  }

  @Test
  void aStreamTheCallerLeavesGivesItsPlaceBackOnlyOnceItIsClosed() throws Exception {
    var endless = new Client("p", CompletableFuture::new,
        () -> Source.repeat(new ChunkWriter("r", 0, "m").content("word ")).mapMaterializedValue(m -> NotUsed.getInstance()),
        false);
    var streaming = assertInstanceOf(RouteOutcome.Streaming.class, run(endless, Optional.empty(), true).receiveMessage());
    assertEquals(1, admission.inProgress(), "an open stream holds its place");
    streaming.chunks().take(3).runWith(Sink.ignore(), testKit.system()).toCompletableFuture().get();
    assertAllPlacesFree();
  }

  @Test
  void aCoordinatorThatCrashesWhileSettingUpGivesItsPlaceBack() {
    var broken = new Client("p", () -> CompletableFuture.completedFuture(answer()), Source::empty, true);
    run(broken, Optional.empty(), false).expectNoMessage(Duration.ofMillis(50));
    assertAllPlacesFree();
  }

  @Test
  void aCoordinatorThatCrashesLaterGivesItsPlaceBack() {
    // A call that completes with neither a result nor a failure: a bug that fails the coordinator
    // while it handles the attempt's end, after its set-up.
    var broken = new Client("p", () -> CompletableFuture.completedFuture(null), Source::empty, false);
    run(broken, Optional.empty(), false).expectNoMessage(Duration.ofMillis(50));
    assertAllPlacesFree();
  }

  @Test
  void aPlaceIsGivenBackOnceHoweverManyLearnTheRequestIsOver() {
    var place = admission.tryAdmit().orElseThrow();
    var other = admission.tryAdmit().orElseThrow();
    place.release();
    place.release();
    assertEquals(1, admission.inProgress(), "the second release of one place is a no-op");
    other.release();
    assertEquals(0, admission.inProgress());
  }

  private void assertAllPlacesFree() {
    testKit.createTestProbe().awaitAssert(() -> {
      assertEquals(0, admission.inProgress(), "places still held");
      return null;
    });
    assertTrue(admission.tryAdmit().isPresent());
  }

  /** Runs one request through the coordinators' parent, with its place taken as the HTTP layer does. */
  private TestProbe<RouteOutcome> run(Client client, Optional<String> unusable, boolean stream) {
    Map<BreakerScope, ActorRef<ProviderBreaker.Command>> refs = new HashMap<>();
    for (var scope : List.of(BreakerScope.provider("p"), BreakerScope.model("p", "up"))) {
      refs.put(scope, testKit.<ProviderBreaker.Command>createTestProbe().ref());
    }
    var fleet = new ProviderFleet(Map.of("p", client), refs, BreakerView.detached());
    var candidate = new Candidate(new CatalogueModel("m", "p", "up", 8_192), settings(),
        unusable.map(Unusable::provider));
    var plan = new Plan("route", List.of(candidate), DEADLINE, false);
    ObjectNode body = JSON.createObjectNode().put("model", "route").put("stream", stream);
    body.putArray("messages").addObject().put("role", "user").put("content", "hi");
    var replies = testKit.<RouteOutcome>createTestProbe();
    var coordinators = testKit.spawn(Coordinators.create(fleet));
    coordinators.tell(new Coordinators.Coordinate("req", new ChatRequest(body), plan, replies.ref(),
        admission.tryAdmit().orElseThrow()));
    return replies;
  }

  static CallResult answer() {
    ObjectNode body = JSON.createObjectNode().put("object", "chat.completion");
    body.putArray("choices");
    return new CallResult.Answered(new ChatResponse(body, Usage.none()));
  }

  private static ProviderSettings settings() {
    return new ProviderSettings("p", Protocol.OPENAI_COMPATIBLE, URI.create("http://127.0.0.1:1/v1"),
        Optional.empty(), false, Map.of(), Map.of(), Duration.ofSeconds(1), Duration.ofSeconds(60),
        Duration.ofSeconds(60), Duration.ofSeconds(60), 4, 16, BreakerSettings.defaults().with(ConfigFactory.empty()));
  }
}
