package detour.simulator;

import akka.util.ByteString;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;

/**
 * Server-sent events as bytes: {@code data:} lines, optionally under an {@code event:} name, each
 * event ended by a blank line. The JSON is written on one line, so one event is one {@code data:}
 * line.
 */
final class SseWriter {

  private SseWriter() {}

  /** {@code data: <json>} and a blank line. */
  static ByteString data(JsonNode json) {
    return data(json.toString());
  }

  /** {@code data: <text>} and a blank line; {@code text} must not contain a line break. */
  static ByteString data(String text) {
    return utf8("data: " + text + "\n\n");
  }

  /** {@code event: <name>}, {@code data: <json>} and a blank line. */
  static ByteString event(String name, JsonNode json) {
    return event(name, json.toString());
  }

  /** {@code event: <name>}, {@code data: <text>} and a blank line. */
  static ByteString event(String name, String text) {
    return utf8("event: " + name + "\ndata: " + text + "\n\n");
  }

  /** The first half of {@code json}'s text: what a broken {@code data:} line carries. */
  static String cut(JsonNode json) {
    String text = json.toString();
    return text.substring(0, text.length() / 2);
  }

  private static ByteString utf8(String text) {
    return ByteString.fromArray(text.getBytes(StandardCharsets.UTF_8));
  }
}
