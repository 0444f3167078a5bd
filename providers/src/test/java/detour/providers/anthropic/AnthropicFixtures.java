package detour.providers.anthropic;

import akka.actor.typed.ActorSystem;
import akka.stream.javadsl.Sink;
import akka.stream.javadsl.Source;
import akka.util.ByteString;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import detour.providers.client.StreamTranslator;
import detour.providers.sse.SseEvent;
import detour.providers.sse.SseParser;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** The recorded Anthropic bodies under fixtures/anthropic, read for the tests of this package. */
final class AnthropicFixtures {
  static final ObjectMapper JSON = new ObjectMapper();
  static final Instant NOW = Instant.parse("2026-01-05T09:00:00Z");
  static final InstantSource CLOCK = InstantSource.fixed(NOW);

  private AnthropicFixtures() {}

  static byte[] bytes(String name) {
    try (InputStream in = AnthropicFixtures.class.getResourceAsStream("/fixtures/anthropic/" + name)) {
      if (in == null) throw new IllegalArgumentException("no fixture " + name);
      return in.readAllBytes();
    } catch (IOException unreadable) {
      throw new UncheckedIOException(unreadable);
    }
  }

  static ObjectNode json(String name) {
    try {
      return (ObjectNode) JSON.readTree(bytes(name));
    } catch (IOException unreadable) {
      throw new UncheckedIOException(unreadable);
    }
  }

  /** A recorded event stream, through the SSE parser the transport uses. */
  static List<SseEvent> events(String name, ActorSystem<?> system) throws Exception {
    return events(ByteString.fromArray(bytes(name)), system);
  }

  static List<SseEvent> events(ByteString body, ActorSystem<?> system) throws Exception {
    return Source.single(body).via(SseParser.flow(1 << 20)).runWith(Sink.seq(), system)
        .toCompletableFuture().get(5, TimeUnit.SECONDS);
  }

  /** Every chunk a translator makes of the events, its closing included. */
  static List<ObjectNode> translate(StreamTranslator translator, List<SseEvent> events) {
    List<ObjectNode> chunks = new ArrayList<>();
    for (SseEvent event : events) {
      chunks.addAll(translator.onEvent(event));
    }
    chunks.addAll(translator.onClose());
    return chunks;
  }

  /** The text of all content deltas, in order. */
  static String content(List<? extends JsonNode> chunks) {
    StringBuilder text = new StringBuilder();
    for (JsonNode chunk : chunks) {
      JsonNode content = chunk.path("choices").path(0).path("delta").path("content");
      if (content.isTextual()) text.append(content.asText());
    }
    return text.toString();
  }
}
