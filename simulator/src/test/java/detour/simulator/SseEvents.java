package detour.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A test-side server-sent-events reader: events (optional {@code event:} name and {@code data:}),
 * when each arrived, and how the stream ended (cleanly, or with an I/O failure when the server cut
 * it).
 */
final class SseEvents {

  private static final ObjectMapper JSON = new ObjectMapper();

  /** One event; {@code name} is null when the event had no {@code event:} line. */
  record Event(String name, String data, long arrivedNanos) {

    /** The data as JSON. */
    JsonNode json() {
      try {
        return JSON.readTree(data);
      } catch (IOException e) {
        throw new UncheckedIOException("not JSON: " + data, e);
      }
    }

    /** Whether the data is valid JSON. */
    boolean isJson() {
      try {
        JSON.readTree(data);
        return true;
      } catch (IOException e) {
        return false;
      }
    }
  }

  /** What a stream delivered: its complete events, and the failure that ended it, if any. */
  record Result(List<Event> events, Optional<IOException> failure) {

    /** The event names, in order (null for unnamed events). */
    List<String> names() {
      return events.stream().map(Event::name).toList();
    }

    /** The data of every event, in order. */
    List<String> data() {
      return events.stream().map(Event::data).toList();
    }
  }

  private SseEvents() {}

  /** Reads events until the stream ends or fails; closes the stream. */
  static Result readAll(InputStream body) {
    return read(body, Integer.MAX_VALUE);
  }

  /**
   * Reads until {@code count} events have arrived (or the stream ends or fails); leaves the stream
   * open when the count is reached.
   */
  static Result read(InputStream body, int count) {
    List<Event> events = new ArrayList<>();
    BufferedReader reader = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8));
    String name = null;
    StringBuilder data = null;
    try {
      for (String line = reader.readLine(); line != null; line = reader.readLine()) {
        if (line.isEmpty()) {
          if (data != null) {
            events.add(new Event(name, data.toString(), System.nanoTime()));
            if (events.size() >= count) {
              return new Result(events, Optional.empty());
            }
          }
          name = null;
          data = null;
        } else if (line.startsWith("event:")) {
          name = line.substring("event:".length()).strip();
        } else if (line.startsWith("data:")) {
          String value = line.substring("data:".length()).stripLeading();
          data = data == null ? new StringBuilder(value) : data.append('\n').append(value);
        }
      }
      reader.close();
      return new Result(events, Optional.empty());
    } catch (IOException e) {
      return new Result(events, Optional.of(e));
    }
  }
}
