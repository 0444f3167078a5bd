package detour.providers.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Objects;

/**
 * A caller's chat-completions request, already validated at the edge. It keeps the caller's JSON
 * whole, so that every field an OpenAI-protocol upstream understands reaches it unchanged; the
 * body is never mutated after validation (see {@link #bodyFor(String)}).
 *
 * @param body the caller's request body, OpenAI format
 */
public record ChatRequest(ObjectNode body) {
  public ChatRequest {
    Objects.requireNonNull(body, "body");
  }

  /** What the caller asked for: a route name or a catalogue model id. */
  public String model() {
    return body.path("model").asText("");
  }

  public boolean stream() {
    return body.path("stream").asBoolean(false);
  }

  public int messageCount() {
    return body.path("messages").size();
  }

  /**
   * The body to send upstream, naming the upstream's own model, without the fields meant for
   * Detour alone ({@code models}). A shallow copy: the caller's nodes are shared, not cloned, since
   * neither side mutates them.
   */
  public ObjectNode bodyFor(String upstreamModel) {
    ObjectNode copy = body.objectNode();
    copy.setAll(body);
    copy.put("model", upstreamModel);
    copy.remove(DETOUR_FIELDS);
    return copy;
  }

  /** Request fields Detour reads and no upstream should see. */
  public static final List<String> DETOUR_FIELDS = List.of("models");

  /** The message list, for size estimates; never logged. */
  public JsonNode messages() {
    return body.path("messages");
  }
}
