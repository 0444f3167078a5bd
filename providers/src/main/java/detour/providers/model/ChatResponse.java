package detour.providers.model;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Objects;

/**
 * A complete answer from an upstream, in OpenAI's {@code chat.completion} format.
 *
 * @param body the completion as the upstream sent it (its {@code model} names the upstream's model)
 * @param usage the tokens it reported
 */
public record ChatResponse(ObjectNode body, Usage usage) {
  public ChatResponse {
    Objects.requireNonNull(body, "body");
    Objects.requireNonNull(usage, "usage");
  }
}
