package detour.providers.sse;

import akka.NotUsed;
import akka.stream.javadsl.Flow;
import akka.stream.javadsl.Framing;
import akka.stream.javadsl.FramingTruncation;
import akka.util.ByteString;
import java.util.ArrayList;
import java.util.List;

/**
 * Parses a {@code text/event-stream} body into events, as the HTML Living Standard's event-stream
 * interpretation says: lines end in LF, CRLF or CR; {@code :} starts a comment; a blank line
 * dispatches the event if it has data; an event cut off by the end of the stream is discarded.
 */
public final class SseParser {
  private SseParser() {}

  /**
   * @param maxLineBytes the longest line accepted; a longer one fails the stream (an upstream that
   *     sends a megabyte without a newline is broken, and must not make us buffer without bound)
   */
  public static Flow<ByteString, SseEvent, NotUsed> flow(int maxLineBytes) {
    return Flow.of(ByteString.class)
        .via(Framing.delimiter(ByteString.fromString("\n"), maxLineBytes, FramingTruncation.ALLOW))
        .statefulMapConcat(() -> {
          Assembler assembler = new Assembler();
          return line -> assembler.line(line.utf8String());
        });
  }

  /** Collects the fields of one event until the blank line that ends it. */
  static final class Assembler {
    private String event = "";
    private final StringBuilder data = new StringBuilder();
    private boolean hasData;

    List<SseEvent> line(String raw) {
      String line = raw.endsWith("\r") ? raw.substring(0, raw.length() - 1) : raw;
      if (line.isEmpty()) return dispatch();
      if (line.charAt(0) == ':') return List.of();
      int colon = line.indexOf(':');
      String field = colon < 0 ? line : line.substring(0, colon);
      String value = colon < 0 ? "" : line.substring(colon + 1);
      if (value.startsWith(" ")) value = value.substring(1);
      if (field.equals("data")) {
        if (hasData) data.append('\n');
        data.append(value);
        hasData = true;
      } else if (field.equals("event")) {
        event = value;
      }
      return List.of();  // id and retry mean nothing to a one-shot request
    }

    private List<SseEvent> dispatch() {
      List<SseEvent> out = new ArrayList<>(1);
      if (hasData) out.add(new SseEvent(event, data.toString()));
      event = "";
      data.setLength(0);
      hasData = false;
      return out;
    }
  }
}
