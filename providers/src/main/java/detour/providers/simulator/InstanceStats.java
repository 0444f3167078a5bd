package detour.providers.simulator;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A snapshot of one instance's counters. {@code requests} counts every {@code POST
 * /v1/chat/completions} received (control calls excluded); the outcome counts say what became of
 * them. A request refused as malformed counts in {@code requests} and {@code invalid}, in no fault
 * outcome. A failure whose status is 429 (from any mode) counts as {@code rateLimited}, any other
 * failure status as {@code error}; a slow answer counts as {@code ok}.
 */
public record InstanceStats(
    String instance,
    long requests,
    long ok,
    long error,
    long rateLimited,
    long hung,
    long reset,
    long invalid) {

  /**
   * The stats endpoint's JSON: {@code {"instance":"a","requests":12,"outcomes":{"ok":10,"error":2,
   * "rate_limited":0,"hung":0,"reset":0},"invalid":0}}.
   */
  public ObjectNode toJsonNode() {
    ObjectNode root = SimulatorJson.MAPPER.createObjectNode();
    root.put("instance", instance);
    root.put("requests", requests);
    ObjectNode outcomes = root.putObject("outcomes");
    outcomes.put("ok", ok);
    outcomes.put("error", error);
    outcomes.put("rate_limited", rateLimited);
    outcomes.put("hung", hung);
    outcomes.put("reset", reset);
    root.put("invalid", invalid);
    return root;
  }
}
