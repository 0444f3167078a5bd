package detour.providers.anthropic;

/**
 * Anthropic's {@code stop_reason} as OpenAI's {@code finish_reason}. A turn that paused or was
 * stopped by a stop sequence ended normally as far as an OpenAI caller can tell; a reason Anthropic
 * adds later reads as {@code stop}.
 */
final class AnthropicStopReasons {
  private AnthropicStopReasons() {}

  /**
   * @param stopReason Anthropic's reason, null when it gave none
   * @param calledTools whether the answer holds tool calls of the caller's tools (a {@code tool_use}
   *     stop for Detour's own JSON tool is an ordinary end)
   */
  static String finishReason(String stopReason, boolean calledTools) {
    if (stopReason == null) return "stop";
    return switch (stopReason) {
      case "max_tokens", "model_context_window_exceeded" -> "length";
      case "tool_use" -> calledTools ? "tool_calls" : "stop";
      case "refusal" -> "content_filter";
      default -> "stop";  // end_turn, stop_sequence, pause_turn
    };
  }
}
