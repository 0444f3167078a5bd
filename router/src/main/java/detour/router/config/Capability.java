package detour.router.config;

import com.fasterxml.jackson.databind.JsonNode;
import detour.providers.model.ChatRequest;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * What a request may need of a model beyond plain text chat. The catalogue declares each model's
 * (all of them when it says nothing); a candidate lacking one the request uses is passed over.
 */
public enum Capability {
  /** Function calling: tools, tool calls, tool results. */
  TOOLS,
  /** Image inputs. */
  IMAGES,
  /** {@code response_format: json_object}. */
  JSON,
  /** {@code response_format: json_schema}. */
  JSON_SCHEMA,
  /** {@code stream: true}. */
  STREAMING;

  /** The name in configuration: {@code json-schema}. */
  public String configName() {
    return name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  public static Capability fromConfig(String name) {
    for (Capability c : values()) {
      if (c.configName().equals(name)) return c;
    }
    throw new IllegalArgumentException("unknown capability '" + name + "'; known: "
        + Arrays.stream(values()).map(Capability::configName).collect(Collectors.joining(", ")));
  }

  /** What this request uses. Reads only the request's structure, never its text. */
  public static Set<Capability> neededBy(ChatRequest request) {
    Set<Capability> needs = EnumSet.noneOf(Capability.class);
    JsonNode body = request.body();
    if (request.stream()) needs.add(STREAMING);
    if (body.path("tools").size() > 0 || body.path("functions").size() > 0) needs.add(TOOLS);
    String format = body.path("response_format").path("type").asText("");
    if (format.equals("json_object")) needs.add(JSON);
    if (format.equals("json_schema")) needs.add(JSON_SCHEMA);
    for (JsonNode message : body.path("messages")) {
      String role = message.path("role").asText("");
      if (role.equals("tool") || role.equals("function") || message.path("tool_calls").size() > 0) needs.add(TOOLS);
      for (JsonNode part : message.path("content")) {
        if (part.path("type").asText("").equals("image_url")) needs.add(IMAGES);
      }
    }
    return needs;
  }
}
