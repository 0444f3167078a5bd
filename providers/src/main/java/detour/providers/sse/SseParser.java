package detour.providers.sse;

import akka.NotUsed;
import akka.stream.javadsl.Flow;
import akka.stream.scaladsl.Framing.FramingException;
import akka.util.ByteString;
import akka.util.ByteStringBuilder;
import java.nio.charset.StandardCharsets;
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
        .statefulMapConcat(() -> {
          Lines lines = new Lines(maxLineBytes);
          return lines::split;
        })
        .statefulMapConcat(() -> {
          Assembler assembler = new Assembler();
          return assembler::line;
        });
  }

  /**
   * Cuts bytes into lines at LF, CRLF or a lone CR, however the pieces fall (a CRLF may be split
   * between two). A line unfinished when the stream ends is dropped: it could dispatch nothing.
   */
  static final class Lines {
    private static final byte CR = '\r';
    private static final byte LF = '\n';
    private final int maxLineBytes;
    private final ByteStringBuilder line = new ByteStringBuilder();
    /** The last byte seen was a CR: an LF right after it ends no second line. */
    private boolean afterCr;

    Lines(int maxLineBytes) {
      this.maxLineBytes = maxLineBytes;
    }

    List<String> split(ByteString piece) {
      List<String> out = new ArrayList<>();
      int start = 0;
      for (int i = 0; i < piece.length(); i++) {
        byte b = piece.apply(i);
        if (b != CR && b != LF) continue;
        boolean crlfTail = b == LF && afterCr && i == start;  // the LF of a CRLF
        afterCr = b == CR;
        if (!crlfTail) out.add(take(piece.slice(start, i)));
        start = i + 1;
      }
      if (start < piece.length()) {
        afterCr = false;
        append(piece.slice(start, piece.length()));
      }
      return out;
    }

    private String take(ByteString end) {
      append(end);
      String text = line.result().decodeString(StandardCharsets.UTF_8);
      line.clear();
      return text;
    }

    private void append(ByteString bytes) {
      if (line.length() + bytes.length() > maxLineBytes) {
        throw new FramingException("an event-stream line longer than " + maxLineBytes + " bytes");
      }
      line.append(bytes);
    }
  }

  /** Collects the fields of one event until the blank line that ends it. */
  static final class Assembler {
    private String event = "";
    private final StringBuilder data = new StringBuilder();
    private boolean hasData;

    List<SseEvent> line(String line) {
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
