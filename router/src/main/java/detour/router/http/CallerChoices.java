package detour.router.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What a caller chose in its body beyond what the provider is sent, read once after {@link
 * ChatRequestReader} has checked it: the routes read these, never the raw body again.
 *
 * @param models the caller's own order (or subset) of the route's models, {@code models}; empty
 *     when absent or null, so the route's order stands
 * @param includeUsage whether a stream passes on the usage chunk ({@code stream_options.include_usage})
 */
record CallerChoices(Optional<List<String>> models, boolean includeUsage) {

  /** Reads a body that has passed the reader's checks. */
  static CallerChoices of(ObjectNode checked) {
    JsonNode models = checked.get("models");
    Optional<List<String>> order = Optional.empty();
    if (models != null && !models.isNull()) {
      List<String> ids = new ArrayList<>();
      models.forEach(id -> ids.add(id.asText()));
      order = Optional.of(List.copyOf(ids));
    }
    return new CallerChoices(order, checked.path("stream_options").path("include_usage").asBoolean(false));
  }
}
