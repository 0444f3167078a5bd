package detour.router.coordinator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.Done;
import akka.NotUsed;
import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.ManualTime;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.ActorRef;
import akka.stream.javadsl.Keep;
import akka.stream.javadsl.Sink;
import akka.stream.javadsl.Source;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.typesafe.config.ConfigFactory;
import detour.persistence.breaker.BreakerScope;
import detour.persistence.breaker.FailureKind;
import detour.providers.breaker.BreakerSettings;
import detour.providers.breaker.BreakerState;
import detour.providers.breaker.BreakerView;
import detour.providers.breaker.ProviderBreaker;
import detour.providers.client.Protocol;
import detour.providers.client.ProviderClient;
import detour.providers.client.ProviderSettings;
import detour.providers.model.CallResult;
import detour.providers.model.ChatRequest;
import detour.providers.model.ChunkWriter;
import detour.providers.model.ProviderFailure;
import detour.providers.model.ProviderStreamException;
import detour.providers.model.StreamOpening;
import detour.providers.model.Usage;
import detour.router.config.Candidate;
import detour.router.config.Capability;
import detour.router.config.CatalogueModel;
import detour.router.config.Guardrails;
import detour.router.config.HedgePolicy;
import detour.router.config.Plan;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The coordinator's streamed path over fake streaming clients, on manual time: where the commit
 * point lies, what fails over before it, and what the caller and the breakers see after it.
 */
class StreamingCoordinatorTest {
  static final ActorTestKit testKit = ActorTestKit.create(ManualTime.config().withFallback(ConfigFactory.load()));
  static final ManualTime time = ManualTime.get(testKit.system());
  static final ObjectMapper JSON = new ObjectMapper();
  static final Duration FIRST_TOKEN = Duration.ofSeconds(2);
  static final Duration INTER_TOKEN = Duration.ofSeconds(3);

  private final Map<String, TestProbe<ProviderBreaker.Command>> breakers = new HashMap<>();

  @AfterAll
  static void shutDown() {
    testKit.shutdownTestKit();
  }

  @BeforeEach
  void clearBreakers() {
    breakers.clear();
  }

  /** A provider whose every stream is made by {@code streams}, and which counts streams cancelled. */
  record StreamingClient(String provider, Supplier<Source<ObjectNode, NotUsed>> streams, List<Done> cancelled)
      implements ProviderClient {
    StreamingClient(String provider, Supplier<Source<ObjectNode, NotUsed>> streams) {
      this(provider, streams, new ArrayList<>());
    }

    @Override
    public CompletionStage<CallResult> complete(ChatRequest request, String upstreamModel) {
      throw new AssertionError("a streamed request must be streamed");
    }

    @Override
    public CompletionStage<StreamOpening> stream(ChatRequest request, String upstreamModel) {
      Source<ObjectNode, NotUsed> chunks = streams.get().watchTermination((mat, ended) -> {
        ended.thenRun(() -> { synchronized (cancelled) { cancelled.add(Done.getInstance()); } });
        return mat;
      });
      return CompletableFuture.completedFuture(new StreamOpening.Opened(chunks));
    }

    int ended() {
      synchronized (cancelled) {
        return cancelled.size();
      }
    }
  }

  static ChunkWriter writer(String model) {
    return new ChunkWriter("chatcmpl-1", 0, model);
  }

  static Source<ObjectNode, NotUsed> answer(String model, String... texts) {
    ChunkWriter w = writer(model);
    List<ObjectNode> chunks = new ArrayList<>();
    chunks.add(w.role());
    for (String text : texts) chunks.add(w.content(text));
    chunks.add(w.finish("stop"));
    chunks.add(w.usage(Usage.of(7, texts.length, 0)));
    return Source.from(chunks);
  }

  static ProviderStreamException broken(FailureKind kind) {
    return new ProviderStreamException(ProviderFailure.of(kind, 200, "broke: " + kind));
  }

  @Test
  void aStreamThatBreaksBeforeItsFirstContentFailsOverWithoutTheCallerSeeingIt() throws Exception {
    var first = new StreamingClient("p1", () -> Source.single(writer("up-p1").role())
        .concat(Source.failed(broken(FailureKind.OVERLOADED))));
    var second = new StreamingClient("p2", () -> answer("up-p2", "Hel", "lo"));

    var streaming = assertInstanceOf(RouteOutcome.Streaming.class, run(List.of(first, second), request(false)));

    assertEquals("p2", streaming.provider());
    assertEquals("Hello", text(read(streaming)));
    assertEquals(FailureKind.OVERLOADED, breakers.get("p1/up-p1").expectMessageClass(ProviderBreaker.RecordFailure.class)
        .failure().kind());
    assertEquals(Attempt.Result.FAILED, streaming.trace().attempts().get(0).result());
  }

  @Test
  void aStallBeforeTheFirstTokenFailsOverAtTheFirstTokenTimeoutAndCancelsTheStalledUpstream() throws Exception {
    var stalled = new StreamingClient("p1", () -> Source.single(writer("up-p1").role()).concat(Source.never()));
    var second = new StreamingClient("p2", () -> answer("up-p2", "late but fine"));
    var replies = start(List.of(stalled, second), request(false));

    replies.expectNoMessage(Duration.ofMillis(100));
    time.timePasses(FIRST_TOKEN);
    var streaming = assertInstanceOf(RouteOutcome.Streaming.class, replies.receiveMessage());

    assertEquals("p2", streaming.provider());
    assertEquals("late but fine", text(read(streaming)));
    var stall = breakers.get("p1/up-p1").expectMessageClass(ProviderBreaker.RecordFailure.class);
    assertEquals(FailureKind.FIRST_TOKEN_TIMEOUT, stall.failure().kind());
    // The stream's end is reported through a CompletionStage callback, on another thread.
    testKit.createTestProbe().awaitAssert(Duration.ofSeconds(5), () -> {
      assertEquals(1, stalled.ended(), "the stalled upstream's request is cancelled, not left running");
      return null;
    });
  }

  @Test
  void aBreakAfterTheFirstContentFailsTheCallersStreamAndTellsTheBreaker() throws Exception {
    CompletableFuture<ObjectNode> cut = new CompletableFuture<>();
    var breaking = new StreamingClient("p1", () -> Source.from(List.of(writer("up-p1").role(),
            writer("up-p1").content("Hal")))
        .concat(Source.completionStage(cut)));
    var unused = new StreamingClient("p2", () -> answer("up-p2", "never"));

    var streaming = assertInstanceOf(RouteOutcome.Streaming.class, run(List.of(breaking, unused), request(false)));
    cut.completeExceptionally(broken(FailureKind.CONNECTION_RESET));

    assertEquals("p1", streaming.provider());
    var thrown = readFailure(streaming);
    assertInstanceOf(ProviderStreamException.class, thrown);
    var told = breakers.get("p1").expectMessageClass(ProviderBreaker.RecordFailure.class);
    assertEquals(FailureKind.CONNECTION_RESET, told.failure().kind());
    assertEquals(0, unused.ended(), "after the commit point there is no failover");
  }

  @Test
  void aStallBetweenTokensEndsTheStreamAtTheInterTokenTimeout() throws Exception {
    var stalling = new StreamingClient("p1", () -> Source.from(List.of(writer("up-p1").role(),
        writer("up-p1").content("Hal"))).concat(Source.never()));
    var streaming = assertInstanceOf(RouteOutcome.Streaming.class,
        run(List.of(stalling, new StreamingClient("p2", () -> answer("up-p2", "x"))), request(false)));

    var reading = streaming.chunks().runWith(Sink.seq(), testKit.system()).toCompletableFuture();
    time.timePasses(INTER_TOKEN);
    var thrown = assertFailed(reading);
    assertEquals(FailureKind.INTER_TOKEN_TIMEOUT, StreamFailures.classify(thrown, true, INTER_TOKEN).kind());
    var told = breakers.get("p1/up-p1").expectMessageClass(ProviderBreaker.RecordFailure.class);
    assertEquals(FailureKind.INTER_TOKEN_TIMEOUT, told.failure().kind());
  }

  @Test
  void aCompletedStreamIsOneSuccessForEachCircuit() throws Exception {
    var streaming = assertInstanceOf(RouteOutcome.Streaming.class,
        run(List.of(new StreamingClient("p1", () -> answer("up-p1", "a", "b", "c"))), request(false)));

    List<ObjectNode> chunks = read(streaming);

    assertEquals("abc", text(chunks));
    assertEquals(3, chunks.get(chunks.size() - 1).path("usage").path("completion_tokens").asInt());
    breakers.get("p1").expectMessageClass(ProviderBreaker.RecordSuccess.class);
    breakers.get("p1/up-p1").expectMessageClass(ProviderBreaker.RecordSuccess.class);
  }

  @Test
  void theCallerLeavingMidStreamCancelsTheUpstreamAndIsNobodysFault() throws Exception {
    var endless = new StreamingClient("p1", () -> Source.from(List.of(writer("up-p1").role(),
        writer("up-p1").content("one"))).concat(Source.repeat(writer("up-p1").content("more"))
            .throttle(1, Duration.ofMillis(1))));
    var streaming = assertInstanceOf(RouteOutcome.Streaming.class,
        run(List.of(endless), request(false)));

    List<ObjectNode> firstTwo = streaming.chunks().take(2).runWith(Sink.seq(), testKit.system())
        .toCompletableFuture().get(5, TimeUnit.SECONDS);

    assertEquals(2, firstTwo.size());
    breakers.get("p1").expectNoMessage(Duration.ofMillis(200));
    breakers.get("p1/up-p1").expectNoMessage(Duration.ofMillis(10));
    testKit.createTestProbe().awaitAssert(Duration.ofSeconds(5), () -> {
      assertEquals(1, endless.ended(), "the upstream is cancelled");
      return null;
    });
  }

  @Test
  void aCandidateLackingWhatTheRequestUsesIsSkippedWithTheReason() throws Exception {
    var noTools = new StreamingClient("p1", () -> answer("up-p1", "no"));
    var tools = new StreamingClient("p2", () -> answer("up-p2", "yes"));
    Map<String, EnumSet<Capability>> capabilities = Map.of(
        "p1", EnumSet.of(Capability.STREAMING), "p2", EnumSet.allOf(Capability.class));

    var streaming = assertInstanceOf(RouteOutcome.Streaming.class,
        run(List.of(noTools, tools), request(true), capabilities));

    assertEquals("p2", streaming.provider());
    Attempt skipped = streaming.trace().attempts().get(0);
    assertEquals(Attempt.Result.SKIPPED, skipped.result());
    assertTrue(skipped.detail().contains("tools"), skipped.detail());
    assertEquals(0, noTools.ended());
  }

  @Test
  void aProbeGrantedAfterAnotherCandidateCommittedIsGivenBackUnused() throws Exception {
    // p1 streams its first content only when told; meanwhile the hedge asks half-open p2 for its probe.
    CompletableFuture<ObjectNode> firstContent = new CompletableFuture<>();
    var slow = new StreamingClient("p1", () -> Source.single(writer("up-p1").role())
        .concat(Source.completionStage(firstContent)).concat(answer("up-p1")));
    var halfOpen = new StreamingClient("p2", () -> answer("up-p2", "never"));
    var view = BreakerView.detached();
    view.publish(BreakerScope.ofKey("p2"), BreakerState.halfOpen(0));
    var replies = start(List.of(slow, halfOpen), request(false), view,
        new HedgePolicy(Optional.of(Duration.ofSeconds(1)), false));

    breakers.get("p2").expectNoMessage(Duration.ofMillis(100));
    time.timePasses(Duration.ofSeconds(1));
    var ask = breakers.get("p2").expectMessageClass(ProviderBreaker.AskForProbe.class);
    firstContent.complete(writer("up-p1").content("first"));
    var streaming = replies.expectMessageClass(RouteOutcome.Streaming.class);
    ask.replyTo().tell(new ProviderBreaker.ProbeGranted());

    var givenBack = breakers.get("p2").expectMessageClass(ProviderBreaker.RecordFailure.class);
    assertEquals(FailureKind.CANCELLED, givenBack.failure().kind());
    assertTrue(givenBack.probe(), "it frees the probe permit");
    assertEquals("p1", streaming.provider());
    assertEquals("first", text(read(streaming)));
    assertEquals(0, halfOpen.ended(), "p2 was never called");
  }

  private RouteOutcome run(List<StreamingClient> clients, ChatRequest request) {
    return start(clients, request, Map.of()).receiveMessage();
  }

  private RouteOutcome run(List<StreamingClient> clients, ChatRequest request,
      Map<String, EnumSet<Capability>> capabilities) {
    return start(clients, request, capabilities).receiveMessage();
  }

  private TestProbe<RouteOutcome> start(List<StreamingClient> clients, ChatRequest request) {
    return start(clients, request, Map.of());
  }

  private TestProbe<RouteOutcome> start(List<StreamingClient> clients, ChatRequest request,
      Map<String, EnumSet<Capability>> capabilities) {
    return start(clients, request, capabilities, BreakerView.detached(), HedgePolicy.NONE);
  }

  private TestProbe<RouteOutcome> start(List<StreamingClient> clients, ChatRequest request, BreakerView view,
      HedgePolicy hedge) {
    return start(clients, request, Map.of(), view, hedge);
  }

  private TestProbe<RouteOutcome> start(List<StreamingClient> clients, ChatRequest request,
      Map<String, EnumSet<Capability>> capabilities, BreakerView view, HedgePolicy hedge) {
    Map<String, ProviderClient> byName = new HashMap<>();
    Map<BreakerScope, ActorRef<ProviderBreaker.Command>> refs = new HashMap<>();
    List<Candidate> chain = new ArrayList<>();
    for (StreamingClient client : clients) {
      byName.put(client.provider(), client);
      for (String scope : List.of(client.provider(), client.provider() + "/up-" + client.provider())) {
        var probe = testKit.<ProviderBreaker.Command>createTestProbe();
        breakers.put(scope, probe);
        refs.put(BreakerScope.ofKey(scope), probe.ref());
      }
      var model = new CatalogueModel("m-" + client.provider(), client.provider(), "up-" + client.provider(), 8_192,
          capabilities.getOrDefault(client.provider(), EnumSet.allOf(Capability.class)));
      chain.add(new Candidate(model, settings(client.provider()), Optional.empty()));
    }
    var fleet = new ProviderFleet(byName, refs, view);
    var plan = new Plan("route", chain, Duration.ofSeconds(30), true, hedge, Guardrails.NONE);
    var replies = testKit.<RouteOutcome>createTestProbe();
    testKit.spawn(RequestCoordinator.create("req-1", request, plan, fleet, replies.ref()));
    return replies;
  }

  private static ChatRequest request(boolean withTools) {
    ObjectNode body = JSON.createObjectNode().put("model", "route").put("stream", true);
    body.putArray("messages").addObject().put("role", "user").put("content", "hi");
    if (withTools) {
      body.putArray("tools").addObject().put("type", "function").putObject("function").put("name", "lookup");
    }
    return new ChatRequest(body);
  }

  private static List<ObjectNode> read(RouteOutcome.Streaming streaming) throws Exception {
    return streaming.chunks().runWith(Sink.seq(), testKit.system()).toCompletableFuture().get(5, TimeUnit.SECONDS);
  }

  private static Throwable readFailure(RouteOutcome.Streaming streaming) {
    return assertFailed(streaming.chunks().runWith(Sink.seq(), testKit.system()).toCompletableFuture());
  }

  private static Throwable assertFailed(CompletableFuture<?> reading) {
    try {
      reading.get(5, TimeUnit.SECONDS);
    } catch (ExecutionException expected) {
      return expected.getCause();
    } catch (Exception other) {
      throw new AssertionError("the stream neither ended nor failed", other);
    }
    throw new AssertionError("the stream ended without the failure");
  }

  private static String text(List<ObjectNode> chunks) {
    StringBuilder text = new StringBuilder();
    for (ObjectNode chunk : chunks) text.append(chunk.path("choices").path(0).path("delta").path("content").asText(""));
    return text.toString();
  }

  private static ProviderSettings settings(String name) {
    return new ProviderSettings(name, Protocol.OPENAI_COMPATIBLE, URI.create("http://127.0.0.1:1/v1"),
        Optional.empty(), false, Map.of(), Map.of(), Duration.ofSeconds(1), Duration.ofSeconds(60),
        FIRST_TOKEN, INTER_TOKEN, 4, 16, BreakerSettings.defaults().with(ConfigFactory.empty()));
  }
}
