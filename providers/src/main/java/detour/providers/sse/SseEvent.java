package detour.providers.sse;

/**
 * One server-sent event as an upstream sent it.
 *
 * @param event its {@code event:} field, empty when it had none (OpenAI and Gemini send none)
 * @param data its {@code data:} lines joined with newlines
 */
public record SseEvent(String event, String data) {
  public SseEvent {
    event = event == null ? "" : event;
    data = data == null ? "" : data;
  }
}
