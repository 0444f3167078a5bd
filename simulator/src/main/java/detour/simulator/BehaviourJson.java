package detour.simulator;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** Reads and writes {@link Behaviour}s as the control endpoint's JSON. */
final class BehaviourJson {

  private BehaviourJson() {}

  /** The behaviour as control JSON; shape fields appear only when they differ from the default. */
  static ObjectNode render(Behaviour behaviour) {
    ObjectNode node = SimulatorJson.MAPPER.createObjectNode();
    node.put("mode", behaviour.mode());
    if (behaviour instanceof Behaviour.ErrorStatus e) {
      node.put("status", e.status());
    } else if (behaviour instanceof Behaviour.RateLimit r) {
      r.retryAfterSeconds().ifPresent(seconds -> node.put("retry_after_seconds", seconds));
    } else if (behaviour instanceof Behaviour.Slow s) {
      node.put("delay_ms", s.delayMs());
    } else if (behaviour instanceof Behaviour.FailNext f) {
      node.put("count", f.count());
      node.put("status", f.status());
    } else if (behaviour instanceof Behaviour.FailFraction f) {
      node.put("fraction", f.fraction());
      node.put("status", f.status());
      node.put("seed", f.seed());
    } else if (behaviour instanceof Behaviour.StreamDrop d) {
      node.put("after_chunks", d.afterChunks());
    } else if (behaviour instanceof Behaviour.StallFirstToken s) {
      s.ms().ifPresent(ms -> node.put("ms", ms));
    } else if (behaviour instanceof Behaviour.StallBetween s) {
      node.put("after_chunks", s.afterChunks());
      s.ms().ifPresent(ms -> node.put("ms", ms));
    } else if (behaviour instanceof Behaviour.ContextLength c) {
      c.limitTokens().ifPresent(limit -> node.put("limit_tokens", limit));
    } else if (behaviour instanceof Behaviour.StreamError e) {
      node.put("after_chunks", e.afterChunks());
    } else if (behaviour instanceof Behaviour.EchoError e) {
      node.put("status", e.status());
      node.put("text", e.text());
    }
    behaviour.shape().write(node);
    return node;
  }

  /**
   * Parses control JSON text.
   *
   * @throws IllegalArgumentException when the text is not JSON or not a valid behaviour
   */
  static Behaviour parse(String json) {
    JsonNode node;
    try {
      node = SimulatorJson.MAPPER.readTree(json);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(
          "the body is not valid JSON: " + e.getOriginalMessage(), e);
    }
    return parse(node);
  }

  /**
   * Parses control JSON.
   *
   * @throws IllegalArgumentException when the node is not a valid behaviour
   */
  static Behaviour parse(JsonNode node) {
    if (node == null || !node.isObject()) {
      throw new IllegalArgumentException(
          "a behaviour is a JSON object such as {\"mode\":\"error\",\"status\":503}");
    }
    JsonNode mode = node.get("mode");
    if (mode == null || !mode.isTextual()) {
      throw new IllegalArgumentException(
          "field 'mode' is missing or not a string; expected one of " + Behaviour.MODES);
    }
    BehaviourFields f = new BehaviourFields(node, mode.asText());
    Behaviour parsed =
        switch (mode.asText()) {
          case "ok" -> new Behaviour.Ok(StreamShape.read(f));
          case "error" -> Behaviour.error(f.integer("status"));
          case "rate-limit" -> new Behaviour.RateLimit(f.optionalInteger("retry_after_seconds"));
          case "hang" -> Behaviour.hang();
          case "slow" -> new Behaviour.Slow(f.longInteger("delay_ms"), StreamShape.read(f));
          case "reset" -> Behaviour.reset();
          case "fail-next" -> Behaviour.failNext(f.integer("count"), f.integer("status"));
          case "fail-fraction" ->
              Behaviour.failFraction(
                  f.number("fraction"), f.integer("status"), f.longInteger("seed"));
          case "stream-drop" ->
              new Behaviour.StreamDrop(f.integer("after_chunks"), StreamShape.read(f));
          case "stall-first-token" ->
              new Behaviour.StallFirstToken(f.optionalLong("ms"), StreamShape.read(f));
          case "stall-between" ->
              new Behaviour.StallBetween(
                  f.integer("after_chunks"), f.optionalLong("ms"), StreamShape.read(f));
          case "malformed" -> new Behaviour.Malformed(StreamShape.read(f));
          case "context-length" -> new Behaviour.ContextLength(f.optionalInteger("limit_tokens"));
          case "overloaded" -> Behaviour.overloaded();
          case "stream-error" ->
              new Behaviour.StreamError(f.integer("after_chunks"), StreamShape.read(f));
          case "echo-error" -> Behaviour.echoError(f.integer("status"), f.string("text"));
          default ->
              throw new IllegalArgumentException(
                  "unknown mode '" + mode.asText() + "'; expected one of " + Behaviour.MODES);
        };
    f.rejectUnread();
    return parsed;
  }
}
