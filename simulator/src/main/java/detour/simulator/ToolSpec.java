package detour.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The tool a simulated answer calls: the first tool the request declares, called with deterministic
 * arguments, one field per required property of its parameter schema, each the string {@code "sim"}
 * (an empty object when the schema requires nothing).
 */
public record ToolSpec(String name, List<String> requiredProperties) {

  /** The value given to every argument. */
  public static final String ARGUMENT_VALUE = "sim";

  public ToolSpec {
    Objects.requireNonNull(name, "name");
    requiredProperties = List.copyOf(requiredProperties);
  }

  /** The tool named {@code name} whose JSON schema is {@code schema} (may be null). */
  static ToolSpec of(String name, JsonNode schema) {
    List<String> required = new ArrayList<>();
    JsonNode names = schema == null ? null : schema.get("required");
    if (names != null && names.isArray()) {
      for (JsonNode property : names) {
        if (property.isTextual() && !required.contains(property.asText())) {
          required.add(property.asText());
        }
      }
    }
    return new ToolSpec(name, required);
  }

  /** The call's arguments as a JSON object. */
  public ObjectNode arguments() {
    ObjectNode arguments = SimulatorJson.MAPPER.createObjectNode();
    requiredProperties.forEach(property -> arguments.put(property, ARGUMENT_VALUE));
    return arguments;
  }

  /** The call's arguments as JSON text, as OpenAI's {@code function.arguments} carries them. */
  public String argumentsJson() {
    return arguments().toString();
  }
}
