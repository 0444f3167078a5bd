package detour.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;

/**
 * The three protocols as a test client speaks them: URL, credentials, a plain one-message body
 * (optionally with a declared tool), and how to recognise a stream's content events and its proper
 * end.
 */
enum Wire {
  OPENAI {
    @Override
    String url(SimulatedInstance instance, boolean stream) {
      return instance.baseUrl() + "/chat/completions";
    }

    @Override
    Map<String, String> credentials() {
      return Map.of("Authorization", "Bearer sk-test");
    }

    @Override
    String body(boolean stream, String extra) {
      return "{\"model\":\"gpt-test\",\"stream\":"
          + stream
          + extra
          + ",\"messages\":[{\"role\":\"user\",\"content\":\"Hello there\"}]}";
    }

    @Override
    String toolsField() {
      return ",\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"get_weather\","
          + "\"parameters\":{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"},"
          + "\"unit\":{\"type\":\"string\"}},\"required\":[\"city\",\"unit\"]}}}]";
    }

    @Override
    boolean isContent(SseEvents.Event event) {
      if (!event.isJson() || !event.json().has("choices")) {
        return false;
      }
      JsonNode choices = event.json().get("choices");
      if (choices.isEmpty()) {
        return false;
      }
      JsonNode delta = choices.get(0).get("delta");
      return (delta.path("content").isTextual() && !delta.get("content").asText().isEmpty())
          || delta.path("tool_calls").path(0).path("function").path("arguments").asText("").length()
              > 0;
    }

    @Override
    boolean isEnd(SseEvents.Event event) {
      return event.data().equals("[DONE]");
    }
  },

  ANTHROPIC {
    @Override
    String url(SimulatedInstance instance, boolean stream) {
      return "http://127.0.0.1:" + instance.port() + "/v1/messages";
    }

    @Override
    Map<String, String> credentials() {
      return Map.of("x-api-key", "sk-ant-test", "anthropic-version", "2023-06-01");
    }

    @Override
    String body(boolean stream, String extra) {
      return "{\"model\":\"claude-test\",\"max_tokens\":1024,\"stream\":"
          + stream
          + extra
          + ",\"messages\":[{\"role\":\"user\",\"content\":\"Hello there\"}]}";
    }

    @Override
    String toolsField() {
      return ",\"tools\":[{\"name\":\"get_weather\",\"description\":\"weather\","
          + "\"input_schema\":{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"},"
          + "\"unit\":{\"type\":\"string\"}},\"required\":[\"city\",\"unit\"]}}]";
    }

    @Override
    boolean isContent(SseEvents.Event event) {
      return "content_block_delta".equals(event.name());
    }

    @Override
    boolean isEnd(SseEvents.Event event) {
      return "message_stop".equals(event.name());
    }
  },

  GEMINI {
    @Override
    String url(SimulatedInstance instance, boolean stream) {
      return "http://127.0.0.1:"
          + instance.port()
          + "/v1beta/models/gemini-test:"
          + (stream ? "streamGenerateContent?alt=sse" : "generateContent");
    }

    @Override
    Map<String, String> credentials() {
      return Map.of("x-goog-api-key", "AIza-test");
    }

    @Override
    String body(boolean stream, String extra) {
      return "{\"contents\":[{\"role\":\"user\",\"parts\":[{\"text\":\"Hello there\"}]}]"
          + extra
          + "}";
    }

    @Override
    String toolsField() {
      return ",\"tools\":[{\"functionDeclarations\":[{\"name\":\"get_weather\","
          + "\"parameters\":{\"type\":\"OBJECT\",\"properties\":{\"city\":{\"type\":\"STRING\"},"
          + "\"unit\":{\"type\":\"STRING\"}},\"required\":[\"city\",\"unit\"]}}]}]";
    }

    @Override
    boolean isContent(SseEvents.Event event) {
      return event.isJson() && event.json().has("candidates");
    }

    @Override
    boolean isEnd(SseEvents.Event event) {
      return isContent(event) && event.json().at("/candidates/0/finishReason").isTextual();
    }
  };

  /** The chat URL. */
  abstract String url(SimulatedInstance instance, boolean stream);

  /** The headers that authenticate a request. */
  abstract Map<String, String> credentials();

  /** A one-message body ("Hello there"), with {@code extra} fields spliced in. */
  abstract String body(boolean stream, String extra);

  /** A tools field declaring get_weather(city, unit), to splice into {@link #body}. */
  abstract String toolsField();

  /** Whether the event carries a piece of the answer. */
  abstract boolean isContent(SseEvents.Event event);

  /** Whether the event is the protocol's proper end of stream. */
  abstract boolean isEnd(SseEvents.Event event);

  /** How many content events a result holds. */
  long contentCount(SseEvents.Result result) {
    return result.events().stream().filter(this::isContent).count();
  }

  /** Whether the result ends with the protocol's proper end. */
  boolean ended(SseEvents.Result result) {
    return !result.events().isEmpty() && isEnd(result.events().get(result.events().size() - 1));
  }
}
