package detour.simulator;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A snapshot of one instance's counters. {@code requests} counts every chat request received, on
 * any of the three protocols (control calls excluded), and {@code openai}, {@code anthropic} and
 * {@code gemini} split it by protocol. The outcome counts say what became of them: each request
 * counts once, in {@code invalid}, in {@code dropped}, or in one outcome.
 *
 * <ul>
 *   <li>{@code invalid}: refused as malformed or without credentials, before any behaviour;
 *   <li>{@code ok}: answered with 200 (slow answers and fail-next / fail-fraction passes too);
 *   <li>{@code error} / {@code rateLimited}: a failure status, 429 (from any mode) counting as rate
 *       limited; context-length and overloaded answers count as errors;
 *   <li>{@code hung}, {@code reset}: as those modes;
 *   <li>{@code stalled}: answered under {@code stall-first-token} or {@code stall-between};
 *   <li>{@code malformed}: answered under {@code malformed};
 *   <li>{@code streamError}: answered under {@code stream-error};
 *   <li>{@code dropped}: cut on purpose under {@code stream-drop}, streamed or not.
 * </ul>
 *
 * <p>{@code streams} counts the valid requests that asked for a stream. {@code cancelled} counts
 * the requests whose client closed the connection (or cancelled the response) before the answer, or
 * the whole stream, had been sent; a cancelled request also counts in its outcome.
 */
public record InstanceStats(
    String instance,
    long requests,
    long ok,
    long error,
    long rateLimited,
    long hung,
    long reset,
    long invalid,
    long stalled,
    long malformed,
    long streamError,
    long openai,
    long anthropic,
    long gemini,
    long streams,
    long cancelled,
    long dropped) {

  /**
   * The stats endpoint's JSON: {@code {"instance":"a","requests":12,"outcomes":{"ok":10,"error":2,
   * "rate_limited":0,"hung":0,"reset":0,"stalled":0,"malformed":0,"stream_error":0},"invalid":0,
   * "openai":12,"anthropic":0,"gemini":0,"streams":3,"cancelled":0,"dropped":0}}.
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
    outcomes.put("stalled", stalled);
    outcomes.put("malformed", malformed);
    outcomes.put("stream_error", streamError);
    root.put("invalid", invalid);
    root.put("openai", openai);
    root.put("anthropic", anthropic);
    root.put("gemini", gemini);
    root.put("streams", streams);
    root.put("cancelled", cancelled);
    root.put("dropped", dropped);
    return root;
  }
}
