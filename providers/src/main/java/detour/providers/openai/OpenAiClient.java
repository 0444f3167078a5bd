package detour.providers.openai;

import akka.actor.typed.ActorSystem;
import akka.event.Logging;
import akka.event.LoggingAdapter;
import akka.http.javadsl.Http;
import akka.http.javadsl.model.ContentTypes;
import akka.http.javadsl.model.HttpRequest;
import akka.http.javadsl.model.HttpResponse;
import akka.http.javadsl.model.headers.HttpCredentials;
import akka.http.javadsl.model.headers.RawHeader;
import akka.http.javadsl.settings.ConnectionPoolSettings;
import akka.stream.Materializer;
import akka.util.ByteString;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import detour.persistence.breaker.FailureKind;
import detour.providers.client.FailureClassifier;
import detour.providers.client.ProviderClient;
import detour.providers.client.ProviderPool;
import detour.providers.client.ProviderSettings;
import detour.providers.model.CallResult;
import detour.providers.model.ChatRequest;
import detour.providers.model.ChatResponse;
import detour.providers.model.ProviderFailure;
import detour.providers.model.Usage;
import java.io.IOException;
import java.time.ZonedDateTime;
import java.util.concurrent.CompletionStage;

/**
 * Calls an OpenAI-protocol upstream's {@code /chat/completions} over the provider's own pooled
 * connections. Thread-safe: one instance serves every request to that provider.
 */
public final class OpenAiClient implements ProviderClient {
  /** The largest answer read; Akka's own default for reading a body whole would be 8 MiB. */
  static final long MAX_ANSWER_BYTES = 64L * 1024 * 1024;

  private final ProviderSettings settings;
  private final Http http;
  private final ConnectionPoolSettings pool;
  private final Materializer materializer;
  private final LoggingAdapter log;
  private final ObjectMapper json;
  private final String completionsUrl;

  public OpenAiClient(ProviderSettings settings, ActorSystem<?> system, ObjectMapper json) {
    this.settings = settings;
    this.http = Http.get(system);
    this.pool = ProviderPool.settingsFor(settings, system);
    this.materializer = Materializer.matFromSystem(system);
    this.log = Logging.getLogger(system.classicSystem(), OpenAiClient.class);
    this.json = json;
    this.completionsUrl = settings.baseUrl() + "/chat/completions";
  }

  @Override
  public String provider() {
    return settings.name();
  }

  @Override
  public CompletionStage<CallResult> complete(ChatRequest request, String upstreamModel) {
    HttpRequest call;
    try {
      call = HttpRequest.POST(completionsUrl)
          .withEntity(ContentTypes.APPLICATION_JSON, json.writeValueAsBytes(request.bodyFor(upstreamModel)));
    } catch (IOException unwritable) {
      throw new IllegalStateException("a validated request could not be written as JSON", unwritable);
    }
    if (settings.apiKey().isPresent()) {
      call = call.addCredentials(HttpCredentials.createOAuth2BearerToken(settings.apiKey().get().reveal()));
    }
    for (var header : settings.extraHeaders().entrySet()) {
      call = call.addHeader(RawHeader.create(header.getKey(), header.getValue().reveal()));
    }
    return http.singleRequest(call, http.defaultClientHttpsContext(), pool, log)
        .thenCompose(response -> response.entity()
            .toStrict(settings.attemptTimeout().toMillis(), MAX_ANSWER_BYTES, materializer)
            .thenApply(entity -> read(response, entity.getData())))
        .exceptionally(thrown -> new CallResult.Failed(FailureClassifier.fromThrowable(thrown)));
  }

  private CallResult read(HttpResponse response, ByteString body) {
    int status = response.status().intValue();
    JsonNode parsed = parse(body);
    if (status >= 200 && status < 300) {
      if (!(parsed instanceof ObjectNode answer) || !answer.path("choices").isArray()) {
        return new CallResult.Failed(ProviderFailure.of(FailureKind.SERVER_ERROR, status,
            "the provider answered " + status + " with a body that is not a chat completion"));
      }
      return new CallResult.Answered(new ChatResponse(answer, usageOf(answer)));
    }
    String retryAfter = response.getHeader("Retry-After").map(h -> h.value()).orElse(null);
    return new CallResult.Failed(FailureClassifier.fromStatus(status, retryAfter, parsed, ZonedDateTime::now));
  }

  private JsonNode parse(ByteString body) {
    try {
      JsonNode node = json.readTree(body.toArrayUnsafe());
      return node == null ? MissingNode.getInstance() : node;
    } catch (IOException notJson) {
      return MissingNode.getInstance();
    }
  }

  private static Usage usageOf(JsonNode answer) {
    JsonNode usage = answer.path("usage");
    int prompt = usage.path("prompt_tokens").asInt(0);
    int completion = usage.path("completion_tokens").asInt(0);
    return new Usage(prompt, completion, usage.path("total_tokens").asInt(prompt + completion));
  }
}
