package detour.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * Test-side access to a simulated instance over real HTTP/1.1: chat requests in each protocol
 * ({@link Wire}), the control API, and bounded polling for counters that another thread moves.
 */
final class SimClient {

  static final ObjectMapper JSON = new ObjectMapper();
  static final Duration TIMEOUT = Duration.ofSeconds(10);

  final HttpClient http =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(TIMEOUT).build();

  /** The request a protocol sends; {@code body} null means the wire's plain one-message body. */
  HttpRequest request(SimulatedInstance instance, Wire wire, boolean stream, String body) {
    HttpRequest.Builder builder =
        HttpRequest.newBuilder(URI.create(wire.url(instance, stream)))
            .timeout(TIMEOUT)
            .header("Content-Type", "application/json");
    wire.credentials().forEach(builder::header);
    String json = body != null ? body : wire.body(stream, "");
    return builder.POST(BodyPublishers.ofString(json)).build();
  }

  /** A non-streamed chat in {@code wire}'s protocol, with its plain body or {@code body}. */
  HttpResponse<String> chat(SimulatedInstance instance, Wire wire, String body) {
    return send(request(instance, wire, false, body));
  }

  /** A streamed chat; the body is left for the caller to read (and close). */
  HttpResponse<InputStream> stream(SimulatedInstance instance, Wire wire, String body) {
    try {
      return http.send(request(instance, wire, true, body), BodyHandlers.ofInputStream());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** A streamed chat read to its end. */
  SseEvents.Result streamAll(SimulatedInstance instance, Wire wire, String body) {
    HttpResponse<InputStream> response = stream(instance, wire, body);
    if (response.statusCode() != 200) {
      throw new AssertionError("stream answered " + response.statusCode());
    }
    return SseEvents.readAll(response.body());
  }

  /** A control call; {@code body} may be null. */
  HttpResponse<String> control(
      SimulatedInstance instance, String method, String path, String body) {
    return send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + instance.port() + path))
            .timeout(TIMEOUT)
            .header("Content-Type", "application/json")
            .method(method, body == null ? BodyPublishers.noBody() : BodyPublishers.ofString(body))
            .build());
  }

  /** Puts a behaviour in force over the control API and checks it was accepted. */
  void behave(SimulatedInstance instance, String json) {
    HttpResponse<String> response = control(instance, "PUT", "/_simulator/behaviour", json);
    if (response.statusCode() != 200) {
      throw new AssertionError("behaviour " + json + " refused: " + response.body());
    }
  }

  HttpResponse<String> send(HttpRequest request) {
    try {
      return http.send(request, BodyHandlers.ofString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  static JsonNode json(String text) {
    try {
      return JSON.readTree(text);
    } catch (IOException e) {
      throw new UncheckedIOException("not JSON: " + text, e);
    }
  }

  /** Polls, up to 5 s, for a condition the simulator's threads make true. */
  static void awaitTrue(BooleanSupplier condition, String what) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting until " + what);
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(2));
    }
  }
}
