package detour.router.http;

import akka.NotUsed;
import akka.http.javadsl.model.ContentType;
import akka.http.javadsl.model.ContentTypes;
import akka.http.javadsl.model.HttpEntities;
import akka.http.javadsl.model.HttpHeader;
import akka.http.javadsl.model.HttpResponse;
import akka.http.javadsl.model.MediaTypes;
import akka.http.javadsl.model.StatusCodes;
import akka.http.javadsl.model.headers.RawHeader;
import akka.japi.pf.PFBuilder;
import akka.stream.javadsl.Source;
import akka.util.ByteString;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import detour.providers.model.ProviderFailure;
import detour.router.coordinator.RouteOutcome;
import detour.router.coordinator.StreamFailures;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * Renders a streamed answer as OpenAI's server-sent events: {@code data: <chunk>} events ending in
 * {@code data: [DONE]}. The route trace travels where official SDKs ignore it: an SSE comment
 * before the first chunk, and a {@code detour} field on the chunk that carries the finish reason.
 * When the upstream breaks off mid-stream, the stream ends with an {@code error} event (which the
 * SDKs raise as an API error) and no {@code [DONE]}.
 */
final class StreamReplies {
  private static final ByteString DONE = ByteString.fromString("data: [DONE]\n\n");
  private static final ByteString EVENT_END = ByteString.fromString("\n\n");
  private static final ByteString DATA = ByteString.fromString("data: ");
  private static final ContentType EVENT_STREAM = ContentTypes.create(MediaTypes.TEXT_EVENT_STREAM);

  private final ObjectMapper json;
  private final Replies replies;

  StreamReplies(ObjectMapper json, Replies replies) {
    this.json = json;
    this.replies = replies;
  }

  /**
   * @param includeUsage whether the caller asked for the usage chunk ({@code
   *     stream_options.include_usage}); Detour always reads usage, but passes it on only then
   * @param interTokenTimeout the allowed silence, for the message of a stall
   */
  HttpResponse render(RouteOutcome.Streaming streaming, boolean includeUsage, Duration interTokenTimeout) {
    TraceBody traceBody = TraceBody.of(streaming.trace()).answeredBy(streaming.provider(), streaming.model());
    ObjectNode trace = json.valueToTree(traceBody);  // a tree: it goes into the upstream's chunks
    List<HttpHeader> headers = Replies.traceHeaders(streaming.trace());
    headers.add(RawHeader.create(Replies.PROVIDER, streaming.provider()));
    headers.add(RawHeader.create(Replies.MODEL, streaming.model()));
    headers.add(RawHeader.create("Cache-Control", "no-cache"));
    headers.add(RawHeader.create("X-Accel-Buffering", "no"));  // a proxy in front must not hold events back
    int[] sent = {0};
    Source<ByteString, NotUsed> events = Source.single(comment(trace))
        .concat(streaming.chunks()
            .mapConcat(chunk -> forCaller(chunk, includeUsage, trace))
            .map(chunk -> {
              sent[0]++;
              return event(chunk);
            }))
        .concat(Source.single(DONE))
        .recover(new PFBuilder<Throwable, ByteString>()
            .matchAny(broken -> errorEvent(broken, sent[0], interTokenTimeout, traceBody, streaming))
            .build());
    return HttpResponse.create().withStatus(StatusCodes.OK).addHeaders(headers)
        .withEntity(HttpEntities.createChunked(EVENT_STREAM, events));
  }

  /** The chunk as the caller sees it: usage only if asked for, the trace on the finishing chunk. */
  private List<ObjectNode> forCaller(ObjectNode chunk, boolean includeUsage, ObjectNode trace) {
    JsonNode usage = chunk.get("usage");
    if (usage != null && !includeUsage) {
      if (chunk.path("choices").isEmpty()) return List.of();  // the usage chunk the caller did not ask for
      chunk.remove("usage");
    }
    for (JsonNode choice : chunk.path("choices")) {
      if (choice.hasNonNull("finish_reason")) {
        chunk.set("detour", trace);
        break;
      }
    }
    return List.of(chunk);
  }

  private ByteString event(Object chunk) {
    try {
      return DATA.concat(ByteString.fromArrayUnsafe(json.writeValueAsBytes(chunk))).concat(EVENT_END);
    } catch (JsonProcessingException impossible) {
      throw new IllegalStateException("a JSON tree could not be written", impossible);
    }
  }

  private ByteString comment(ObjectNode trace) {
    try {
      return ByteString.fromString(": detour " + json.writeValueAsString(trace) + "\n\n");
    } catch (JsonProcessingException impossible) {
      throw new IllegalStateException("a JSON tree could not be written", impossible);
    }
  }

  /** The error event that ends a broken stream, in OpenAI's error format, with the trace. */
  private ByteString errorEvent(Throwable thrown, int chunksSent, Duration interTokenTimeout, TraceBody trace,
      RouteOutcome.Streaming streaming) {
    ProviderFailure failure = StreamFailures.classify(thrown, true, interTokenTimeout);
    ErrorBody body = replies.errorBody(new ApiError(StatusCodes.BAD_GATEWAY,
        "The stream from " + streaming.provider() + "/" + streaming.model() + " broke off after " + chunksSent + " chunks ("
            + failure.kind().name().toLowerCase(Locale.ROOT) + "): " + failure.message(),
        "server_error", null, "upstream_stream_broken"));
    return event(body.withTrace(trace));
  }
}
