package detour.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Set;

/**
 * The last chat request an instance received, as {@code GET /_simulator/last-request} shows it:
 * {@code {"path":..,"query":{..},"headers":{..},"body":{..}}}. Credentials are replaced by {@value
 * #REDACTED} when it is recorded, so they are never kept, but their presence stays visible: the
 * {@code authorization}, {@code proxy-authorization}, {@code x-api-key}, {@code x-goog-api-key} and
 * {@code api-key} headers and the {@code key} query parameter. A body that is not JSON is shown as
 * a string.
 */
final class LastRequest {

  /** What a credential's value is replaced by. */
  static final String REDACTED = "<redacted>";

  private static final Set<String> SECRET_HEADERS =
      Set.of("authorization", "proxy-authorization", "x-api-key", "x-goog-api-key", "api-key");

  private static final Set<String> SECRET_PARAMETERS = Set.of("key");

  private LastRequest() {}

  /** The redacted JSON of {@code call}. */
  static ObjectNode of(ChatCall call) {
    ObjectNode root = SimulatorJson.MAPPER.createObjectNode();
    root.put("path", call.path());
    root.set("query", redacted(call.query(), SECRET_PARAMETERS));
    root.set("headers", redacted(call.headers(), SECRET_HEADERS));
    root.set("body", body(call.body()));
    return root;
  }

  private static ObjectNode redacted(Map<String, String> values, Set<String> secrets) {
    ObjectNode node = SimulatorJson.MAPPER.createObjectNode();
    values.forEach((name, value) -> node.put(name, secrets.contains(name) ? REDACTED : value));
    return node;
  }

  private static JsonNode body(byte[] body) {
    try {
      JsonNode json = SimulatorJson.MAPPER.readTree(body);
      if (json != null && !json.isMissingNode()) {
        return json;
      }
    } catch (IOException e) {
      // Not JSON: shown as text below.
    }
    return SimulatorJson.MAPPER.getNodeFactory().textNode(new String(body, StandardCharsets.UTF_8));
  }
}
