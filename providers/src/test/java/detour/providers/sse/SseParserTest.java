package detour.providers.sse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.Behaviors;
import akka.stream.javadsl.Sink;
import akka.stream.javadsl.Source;
import akka.util.ByteString;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** The event-stream parser against the standard's rules, fed in awkward pieces as a network would. */
class SseParserTest {
  private static final ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "sse-parser-test");

  @AfterAll
  static void stop() {
    system.terminate();
  }

  private static List<SseEvent> parse(String wire, int pieceSize, int maxLine) throws Exception {
    List<ByteString> pieces = new ArrayList<>();
    byte[] bytes = wire.getBytes(StandardCharsets.UTF_8);
    for (int i = 0; i < bytes.length; i += pieceSize) {
      pieces.add(ByteString.fromArray(bytes, i, Math.min(pieceSize, bytes.length - i)));
    }
    return Source.from(pieces).via(SseParser.flow(maxLine)).runWith(Sink.seq(), system)
        .toCompletableFuture().get(5, TimeUnit.SECONDS);
  }

  @Test
  void eventsEndAtABlankLineWhateverTheLineEndingsAndThePieces() throws Exception {
    String wire = "event: message_start\r\ndata: {\"a\":1}\r\n\r\ndata: {\"b\":2}\n\n";

    for (int piece : List.of(1, 3, 7, 1000)) {
      assertEquals(List.of(new SseEvent("message_start", "{\"a\":1}"), new SseEvent("", "{\"b\":2}")),
          parse(wire, piece, 1024), "pieces of " + piece);
    }
  }

  @Test
  void aBareCrEndsALineAsLfDoes() throws Exception {
    String wire = "event: delta\rdata: one\rdata: two\r\rdata: three\r\r";

    for (int piece : List.of(1, 2, 5, 1000)) {
      assertEquals(List.of(new SseEvent("delta", "one\ntwo"), new SseEvent("", "three")),
          parse(wire, piece, 1024), "pieces of " + piece);
    }
  }

  @Test
  void aCrlfSplitBetweenTwoPiecesEndsOneLineNotTwo() throws Exception {
    List<ByteString> pieces = List.of(ByteString.fromString("data: a\r"), ByteString.fromString("\ndata: b\r"),
        ByteString.fromString("\n\r"), ByteString.fromString("\n"));

    assertEquals(List.of(new SseEvent("", "a\nb")), Source.from(pieces).via(SseParser.flow(1024))
        .runWith(Sink.seq(), system).toCompletableFuture().get(5, TimeUnit.SECONDS));
  }

  @Test
  void lineEndingsMayBeMixedInOneStream() throws Exception {
    String wire = "data: lf\n\ndata: cr\r\rdata: crlf\r\n\r\ndata: x\rdata: y\r\n\n";

    assertEquals(List.of(new SseEvent("", "lf"), new SseEvent("", "cr"), new SseEvent("", "crlf"),
        new SseEvent("", "x\ny")), parse(wire, 3, 1024));
  }

  @Test
  void aMultiByteCharacterSplitBetweenPiecesArrivesWhole() throws Exception {
    assertEquals(List.of(new SseEvent("", "naïve — ✓")), parse("data: naïve — ✓\r\n\r\n", 1, 1024));
  }

  @Test
  void commentsAreIgnoredAndDataLinesJoinWithNewlines() throws Exception {
    String wire = ": keep-alive\n\ndata: first\ndata:second\nid: 7\nretry: 10\n\n";

    assertEquals(List.of(new SseEvent("", "first\nsecond")), parse(wire, 5, 1024));
  }

  @Test
  void anEventCutOffByTheEndOfTheStreamIsNotDispatched() throws Exception {
    assertEquals(List.of(new SseEvent("", "whole")), parse("data: whole\n\ndata: {\"cut", 4, 1024));
  }

  @Test
  void aLineLongerThanTheLimitFailsTheStreamRatherThanGrowTheBuffer() {
    var failure = assertThrows(ExecutionException.class, () -> parse("data: " + "x".repeat(200) + "\n\n", 16, 64));
    assertEquals(akka.stream.scaladsl.Framing.FramingException.class, failure.getCause().getClass());
  }
}
