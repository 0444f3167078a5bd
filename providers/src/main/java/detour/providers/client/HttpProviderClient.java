package detour.providers.client;

import akka.NotUsed;
import akka.actor.typed.ActorSystem;
import akka.event.Logging;
import akka.event.LoggingAdapter;
import akka.http.javadsl.Http;
import akka.http.javadsl.model.ContentTypes;
import akka.http.javadsl.model.HttpHeader;
import akka.http.javadsl.model.HttpRequest;
import akka.http.javadsl.model.HttpResponse;
import akka.http.javadsl.model.MediaTypes;
import akka.http.javadsl.model.headers.RawHeader;
import akka.http.javadsl.settings.ConnectionPoolSettings;
import akka.japi.pf.PFBuilder;
import akka.stream.Materializer;
import akka.stream.javadsl.Source;
import akka.util.ByteString;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import detour.providers.model.CallResult;
import detour.providers.model.ChatRequest;
import detour.providers.model.CompletionChunks;
import detour.providers.model.ProviderFailure;
import detour.providers.model.ProviderStreamException;
import detour.providers.model.Secret;
import detour.providers.model.StreamOpening;
import detour.providers.sse.SseParser;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Calls one provider over its own pooled connections, in whatever protocol its {@link
 * ProtocolCodec} speaks: the transport is the same for all of them. Thread-safe: one instance
 * serves every request to that provider.
 */
public final class HttpProviderClient implements ProviderClient {
  /** The largest answer read whole; Akka's own default would be 8 MiB. */
  static final long MAX_ANSWER_BYTES = 64L * 1024 * 1024;
  /** The longest line of an event stream; a chunk is a few hundred bytes, a Gemini one a few KB. */
  static final int MAX_SSE_LINE_BYTES = 1024 * 1024;
  /** The most of an error answer read, when a stream was refused. */
  static final long MAX_ERROR_BYTES = 1024 * 1024;

  private final ProviderSettings settings;
  private final ProtocolCodec codec;
  private final Http http;
  private final ConnectionPoolSettings pool;
  private final Materializer materializer;
  private final LoggingAdapter log;
  private final ObjectMapper json;
  private final List<HttpHeader> fixedHeaders;
  /**
   * The largest request body this provider has answered with a 2xx, on this node since it started:
   * a broken connection on a body no larger is not about its size.
   */
  private final AtomicLong largestAnswered = new AtomicLong();

  public HttpProviderClient(ProviderSettings settings, ProtocolCodec codec, ActorSystem<?> system, ObjectMapper json) {
    this.settings = settings;
    this.codec = codec;
    this.http = Http.get(system);
    this.pool = ProviderPool.settingsFor(settings, system);
    this.materializer = Materializer.matFromSystem(system);
    this.log = Logging.getLogger(system.classicSystem(), HttpProviderClient.class);
    this.json = json;
    this.fixedHeaders = headers(codec.headers(settings.apiKey()), settings.extraHeaders());
  }

  @Override
  public String provider() {
    return settings.name();
  }

  @Override
  public Optional<String> cannotExpress(ChatRequest request) {
    return codec.cannotExpress(request);
  }

  @Override
  public CompletionStage<CallResult> complete(ChatRequest request, String upstreamModel) {
    HttpRequest call = call(request, upstreamModel, false);
    long bodyBytes = bodyBytes(call);
    CompletableFuture<HttpResponse> sent = send(call);
    return sent
        .thenCompose(response -> {
          tookIn(response, bodyBytes);
          return Stages.plain(response.entity()
                  .toStrict(settings.attemptTimeout().toMillis(), MAX_ANSWER_BYTES, materializer))
              .thenApply(entity -> read(response, entity.getData(), upstreamModel));
        })
        .exceptionally(thrown -> new CallResult.Failed(failure(thrown, sent, bodyBytes)));
  }

  @Override
  public CompletionStage<StreamOpening> stream(ChatRequest request, String upstreamModel) {
    HttpRequest call = call(request, upstreamModel, true);
    long bodyBytes = bodyBytes(call);
    CompletableFuture<HttpResponse> sent = send(call);
    return sent
        .thenCompose(response -> opening(response, upstreamModel, bodyBytes))
        .exceptionally(thrown -> new StreamOpening.Failed(failure(thrown, sent, bodyBytes)));
  }

  /**
   * Why a call failed without a readable answer. No answer at all: by its cause, then by the size
   * of the body it was sending ({@link FailureClassifier#withBodySize}). An error status whose body
   * could not be read: by the status, the provider's own word.
   */
  private ProviderFailure failure(Throwable thrown, CompletableFuture<HttpResponse> sent, long bodyBytes) {
    ProviderFailure failure = FailureClassifier.fromThrowable(thrown);
    if (sent.isCompletedExceptionally()) {
      return FailureClassifier.withBodySize(failure, bodyBytes, largestAnswered.get());
    }
    HttpResponse response = sent.join();
    int status = response.status().intValue();
    if (status >= 200 && status < 300) return failure;
    return codec.failure(status, response.getHeader("Retry-After").map(h -> h.value()), MissingNode.getInstance());
  }

  @Override
  public ProviderFailure judgedBySize(ProviderFailure noAnswer, ChatRequest request, String upstreamModel) {
    if (!FailureClassifier.SIZE_SENSITIVE.contains(noAnswer.kind())) return noAnswer;
    long bodyBytes = bodyBytes(call(request, upstreamModel, request.stream()));  // written again: a failure is rare
    return FailureClassifier.withBodySize(noAnswer, bodyBytes, largestAnswered.get());
  }

  private static long bodyBytes(HttpRequest call) {
    return call.entity().getContentLengthOption().orElse(0L);
  }

  private CompletionStage<StreamOpening> opening(HttpResponse response, String upstreamModel, long bodyBytes) {
    tookIn(response, bodyBytes);
    int status = response.status().intValue();
    boolean eventStream = response.entity().getContentType().mediaType().equals(MediaTypes.TEXT_EVENT_STREAM);
    if (status >= 200 && status < 300 && eventStream) {
      return CompletableFuture.completedFuture(
          new StreamOpening.Opened(chunks(response.entity().getDataBytes(), upstreamModel)));
    }
    // An error, or an upstream that answered whole although asked to stream: read it whole.
    return Stages.plain(response.entity().toStrict(settings.attemptTimeout().toMillis(), MAX_ERROR_BYTES,
            materializer))
        .thenApply(entity -> {
          CallResult whole = read(response, entity.getData(), upstreamModel);
          return whole instanceof CallResult.Answered answered
              ? new StreamOpening.Opened(Source.from(CompletionChunks.of(answered.response().body())))
              : new StreamOpening.Failed(((CallResult.Failed) whole).failure());
        });
  }

  /**
   * The upstream's events as OpenAI chunks. A transport failure mid-stream (reset, closed) fails
   * the chunks with the classified failure; so does the translator's verdict on what arrived.
   */
  private Source<ObjectNode, NotUsed> chunks(Source<ByteString, ?> bytes, String upstreamModel) {
    StreamTranslator translator = codec.streamTranslator(upstreamModel);
    return bytes
        .via(SseParser.flow(MAX_SSE_LINE_BYTES))
        .mapConcat(translator::onEvent)
        // Not concat: it demands from its second source at once, which would call onClose first.
        .concatLazy(Source.lazySource(() -> Source.from(translator.onClose())))
        .mapError(new PFBuilder<Throwable, Throwable>()
            .match(ProviderStreamException.class, same -> same)
            .matchAny(broken -> new ProviderStreamException(FailureClassifier.fromThrowable(broken)))
            .build())
        .mapMaterializedValue(ignored -> NotUsed.getInstance());
  }

  /** A 2xx status says the provider took in the whole body: no larger body is outsized for it. */
  private void tookIn(HttpResponse response, long bodyBytes) {
    int status = response.status().intValue();
    if (status >= 200 && status < 300) largestAnswered.accumulateAndGet(bodyBytes, Math::max);
  }

  /** The request on this provider's pool; what follows runs on the thread that gets the answer. */
  private CompletableFuture<HttpResponse> send(HttpRequest call) {
    return Stages.plain(http.singleRequest(call, http.defaultClientHttpsContext(), pool, log));
  }

  private HttpRequest call(ChatRequest request, String upstreamModel, boolean stream) {
    byte[] body;
    try {
      body = json.writeValueAsBytes(codec.requestBody(request, upstreamModel, stream));
    } catch (IOException unwritable) {
      throw new IllegalStateException("a validated request could not be written as JSON", unwritable);
    }
    return HttpRequest.POST(settings.endpoint(codec.path(upstreamModel, stream)))
        .withEntity(ContentTypes.APPLICATION_JSON, body)
        .addHeaders(fixedHeaders);
  }

  private CallResult read(HttpResponse response, ByteString body, String upstreamModel) {
    int status = response.status().intValue();
    JsonNode parsed = parse(body);
    if (status >= 200 && status < 300) {
      return codec.answer(status, parsed, upstreamModel);
    }
    Optional<String> retryAfter = response.getHeader("Retry-After").map(h -> h.value());
    return new CallResult.Failed(codec.failure(status, retryAfter, parsed));
  }

  private JsonNode parse(ByteString body) {
    try {
      JsonNode node = json.readTree(body.toArrayUnsafe());
      return node == null ? MissingNode.getInstance() : node;
    } catch (IOException notJson) {
      return MissingNode.getInstance();
    }
  }

  private static List<HttpHeader> headers(Map<String, String> protocol, Map<String, Secret> extra) {
    List<HttpHeader> all = new ArrayList<>();
    protocol.forEach((name, value) -> all.add(RawHeader.create(name, value)));
    extra.forEach((name, value) -> all.add(RawHeader.create(name, value.reveal())));
    return List.copyOf(all);
  }
}
