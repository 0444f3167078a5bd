package detour.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;

/**
 * A caller for the benchmarks: sends one chat request (whole or streamed) over loopback HTTP/1.1
 * with keep-alive, times it with {@link System#nanoTime()} from just before the send to the last
 * byte the caller needs, and reads Detour's route trace out of the answer. One request at a time.
 */
final class BenchCaller {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final HttpClient http = HttpClient.newBuilder()
      .version(HttpClient.Version.HTTP_1_1)  // no h2c upgrade dance on plain http
      .connectTimeout(Duration.ofSeconds(5))
      .build();
  private final Duration patience;

  /** @param patience how long one request may take before the caller gives up (above every timeout) */
  BenchCaller(Duration patience) {
    this.patience = patience;
  }

  /**
   * What one request gave the caller.
   *
   * @param streamed whether it was a streamed request
   * @param millis end to end: send to the whole body (or to the end of the stream)
   * @param firstContentMillis for a stream, send to the first content chunk; -1 when none came
   * @param status the HTTP status, or -1 when the call failed on the caller's side
   * @param provider the {@code x-detour-provider} header, or the provider of the trace
   * @param trace Detour's route trace ({@code detour} field, or the stream's {@code : detour} line), or null
   * @param done for a stream, whether it ended with {@code [DONE]}
   * @param errorEvent for a stream, the code of an in-stream error event, or null
   * @param errorEventMillis send to the error event, or -1
   * @param failure the caller-side exception, or null
   */
  record Sample(boolean streamed, double millis, double firstContentMillis, int status, String provider, JsonNode trace,
      boolean done, String errorEvent, double errorEventMillis, String failure) {

    /** The trace's attempt at {@code index}, or a missing node. */
    JsonNode attempt(int index) {
      return trace == null ? JsonNodeFactory.instance.missingNode() : trace.path("attempts").path(index);
    }

    int attempts() {
      return trace == null ? 0 : trace.path("attempts").size();
    }

    ObjectNode toJson() {
      ObjectNode node = JSON.createObjectNode();
      node.put("ms", round(millis));
      node.put("stream", streamed);
      if (firstContentMillis >= 0) node.put("first_content_ms", round(firstContentMillis));
      node.put("status", status);
      if (provider != null) node.put("provider", provider);
      if (trace != null) node.set("trace", trace);
      if (errorEvent != null) {
        node.put("error_event", errorEvent);
        node.put("error_event_ms", round(errorEventMillis));
      }
      if (streamed) node.put("done", done);
      if (failure != null) node.put("caller_failure", failure);
      return node;
    }
  }

  static double round(double ms) {
    return Math.round(ms * 1000) / 1000.0;
  }

  static String body(String model, boolean stream) {
    return "{\"model\":\"" + model + "\"," + (stream ? "\"stream\":true," : "")
        + "\"messages\":[{\"role\":\"user\",\"content\":\"Say hello.\"}]}";
  }

  /** Posts a whole (non-streamed) chat request to {@code url}. */
  Sample whole(String url, String model, Map<String, String> headers) {
    HttpRequest request = request(url, body(model, false), headers);
    long start = System.nanoTime();
    try {
      HttpResponse<byte[]> response = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
      double millis = (System.nanoTime() - start) / 1e6;
      JsonNode trace = null;
      try {
        JsonNode answer = JSON.readTree(response.body());
        if (answer.has("detour")) trace = answer.get("detour");
      } catch (IOException notJson) {
        // no trace: kept as null
      }
      String provider = response.headers().firstValue("x-detour-provider")
          .orElse(trace != null && trace.has("provider") ? trace.get("provider").asText() : null);
      return new Sample(false, millis, -1, response.statusCode(), provider, trace, false, null, -1, null);
    } catch (IOException failed) {
      return new Sample(false, (System.nanoTime() - start) / 1e6, -1, -1, null, null, false, null, -1, failed.toString());
    } catch (InterruptedException interrupted) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", interrupted);
    }
  }

  /**
   * Posts a streamed chat request and reads the event stream to its end, noting when the first
   * content chunk, {@code [DONE]} or an error event arrived.
   */
  Sample stream(String url, String model, Map<String, String> headers) {
    HttpRequest request = request(url, body(model, true), headers);
    long start = System.nanoTime();
    double firstContent = -1;
    double errorAt = -1;
    String errorCode = null;
    boolean done = false;
    JsonNode trace = null;
    int status = -1;
    String provider = null;
    try {
      HttpResponse<InputStream> response = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
      status = response.statusCode();
      provider = response.headers().firstValue("x-detour-provider").orElse(null);
      try (var lines = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
        String line;
        while ((line = lines.readLine()) != null) {
          if (line.startsWith(": detour ")) {
            trace = JSON.readTree(line.substring(": detour ".length()));
          } else if (line.startsWith("data: ")) {
            String data = line.substring("data: ".length());
            if (data.equals("[DONE]")) {
              done = true;
              continue;
            }
            JsonNode event;
            try {
              event = JSON.readTree(data);
            } catch (IOException notJson) {
              continue;
            }
            if (event.has("error")) {
              errorAt = (System.nanoTime() - start) / 1e6;
              errorCode = event.path("error").path("code").asText(event.path("error").path("type").asText("error"));
            } else if (firstContent < 0 && !event.path("choices").path(0).path("delta").path("content").asText("").isEmpty()) {
              firstContent = (System.nanoTime() - start) / 1e6;
            }
            if (event.has("detour") && event.get("detour").has("attempts")) trace = event.get("detour");
          }
        }
      }
      double millis = (System.nanoTime() - start) / 1e6;
      if (provider == null && trace != null && trace.has("provider")) provider = trace.get("provider").asText();
      return new Sample(true, millis, firstContent, status, provider, trace, done, errorCode,
          errorAt, null);
    } catch (IOException failed) {
      return new Sample(true, (System.nanoTime() - start) / 1e6, firstContent, status, provider,
          trace, done, errorCode, errorAt, failed.toString());
    } catch (InterruptedException interrupted) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", interrupted);
    }
  }

  /** Posts a JSON body with a bearer token (the admin API); returns the status and body. */
  Map.Entry<Integer, String> post(String url, String token, String json) {
    HttpRequest request = HttpRequest.newBuilder(URI.create(url))
        .header("Content-Type", "application/json")
        .header("Authorization", "Bearer " + token)
        .timeout(Duration.ofSeconds(15))
        .POST(HttpRequest.BodyPublishers.ofString(json))
        .build();
    try {
      HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
      return Map.entry(response.statusCode(), response.body());
    } catch (IOException failed) {
      return Map.entry(-1, failed.toString());
    } catch (InterruptedException interrupted) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", interrupted);
    }
  }

  private HttpRequest request(String url, String body, Map<String, String> headers) {
    HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(url))
        .header("Content-Type", "application/json")
        .timeout(patience)
        .POST(HttpRequest.BodyPublishers.ofString(body));
    headers.forEach(builder::header);
    return builder.build();
  }
}
