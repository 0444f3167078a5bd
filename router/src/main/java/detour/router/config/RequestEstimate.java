package detour.router.config;

import com.fasterxml.jackson.databind.JsonNode;
import detour.providers.model.ChatRequest;
import java.util.Map;
import java.util.OptionalLong;

/**
 * How many tokens a request will take, estimated before asking any provider, from its text alone:
 * no tokenizer, one pass over the characters, no allocation. Read by the route's guardrails (the
 * context-window check and the request-cost ceiling); computed once per request, on first use, so
 * a route without those guardrails never pays for it.
 *
 * <p>The text estimate approximates OpenAI's own tokenizers (o200k, cl100k), the most compact in
 * common use: a word of Latin letters is one token per 10 letters or part of them, a word of other
 * alphabetic scripts (Cyrillic, Greek, Arabic, Devanagari…) one per 5; each Chinese, Japanese or
 * Korean character 0.6 of a token; digits one token per 3; a run of punctuation one per 3; a run
 * of more than one white-space character one token; any other character (emoji) one token.
 * Measured against jtokkit's o200k and cl100k counts on 33 sample texts (see
 * {@code RequestEstimateTest} and docs/routing.md), it lies between 16 % below and 14 % above both
 * for English prose, code, JSON, CSV, Markdown, HTML, YAML, SQL and logs, and never more than 15 %
 * above either for any sample; it counts fewer tokens than the tokenizers for most other languages
 * (down to a quarter of cl100k's count for Hindi or Greek) and for base64 (half). A high estimate could skip a
 * model that would have taken the prompt; a low one only lets the provider refuse it, which the
 * coordinator already handles.
 *
 * <p>Per message {@value #TOKENS_PER_MESSAGE} tokens of framing are added, and
 * {@value #REPLY_PRIMER} for the reply's (OpenAI's published accounting); each image part
 * {@value #TOKENS_PER_IMAGE} tokens, the least any major provider charges for one (OpenAI's
 * {@code detail: low}; a large image costs up to about 1,600); tool definitions are counted by the
 * text of their names, descriptions and schemas. Audio and file parts are not counted.
 */
public final class RequestEstimate {
  public static final int TOKENS_PER_MESSAGE = 3;
  public static final int REPLY_PRIMER = 3;
  public static final int TOKENS_PER_IMAGE = 85;

  private final JsonNode body;
  private long promptTokens = -1;
  private final OptionalLong maxOutputTokens;

  private RequestEstimate(JsonNode body, long promptTokens, OptionalLong maxOutputTokens) {
    this.body = body;
    this.promptTokens = promptTokens;
    this.maxOutputTokens = maxOutputTokens;
  }

  /** The estimate of a request; its text is read on the first call to {@link #promptTokens()}. */
  public static RequestEstimate of(ChatRequest request) {
    JsonNode body = request.body();
    return new RequestEstimate(body, -1, outputCap(body));
  }

  /** A fixed estimate, for tests. */
  public static RequestEstimate of(long promptTokens, OptionalLong maxOutputTokens) {
    return new RequestEstimate(null, promptTokens, maxOutputTokens);
  }

  /**
   * The prompt's tokens, estimated: messages, tools and images. Computed once; a coordinator is
   * the only one to read it, one message at a time.
   */
  public long promptTokens() {
    if (promptTokens < 0) promptTokens = promptTokens(body);
    return promptTokens;
  }

  /**
   * The caller's cap on the answer: {@code max_completion_tokens}, else {@code max_tokens}; empty
   * when it set neither (or not as a positive whole number).
   */
  public OptionalLong maxOutputTokens() {
    return maxOutputTokens;
  }

  private static OptionalLong outputCap(JsonNode body) {
    OptionalLong cap = positive(body.path("max_completion_tokens"));
    return cap.isPresent() ? cap : positive(body.path("max_tokens"));
  }

  private static OptionalLong positive(JsonNode number) {
    return number.isIntegralNumber() && number.canConvertToLong() && number.asLong() > 0
        ? OptionalLong.of(number.asLong()) : OptionalLong.empty();
  }

  private static long promptTokens(JsonNode body) {
    double tokens = REPLY_PRIMER;
    for (JsonNode message : body.path("messages")) {
      tokens += TOKENS_PER_MESSAGE;
      tokens += textTokens(message.path("name").asText(""));
      JsonNode content = message.path("content");
      if (content.isTextual()) {
        tokens += textTokens(content.textValue());
      } else {
        for (JsonNode part : content) {
          switch (part.path("type").asText("")) {
            case "text" -> tokens += textTokens(part.path("text").asText(""));
            case "image_url" -> tokens += TOKENS_PER_IMAGE;
            default -> { }  // audio and files: not counted
          }
        }
      }
      for (JsonNode call : message.path("tool_calls")) {
        tokens += textTokens(call.path("function").path("name").asText(""));
        tokens += textTokens(call.path("function").path("arguments").asText(""));
      }
    }
    tokens += treeTokens(body.path("tools")) + treeTokens(body.path("functions"));
    return (long) Math.ceil(tokens);
  }

  /** The text of a JSON tree: its field names, strings and numbers; structure costs a token a field. */
  private static double treeTokens(JsonNode node) {
    if (node.isTextual()) return textTokens(node.textValue());
    if (node.isNumber() || node.isBoolean()) return 1;
    double tokens = 0;
    if (node.isObject()) {
      for (var fields = node.fields(); fields.hasNext(); ) {
        Map.Entry<String, JsonNode> field = fields.next();
        tokens += 1 + textTokens(field.getKey()) + treeTokens(field.getValue());
      }
    } else if (node.isArray()) {
      for (JsonNode element : node) tokens += treeTokens(element);
    }
    return tokens;
  }

  /** The estimated tokens of one text (see the class comment for the rules and their error). */
  public static double textTokens(CharSequence text) {
    double tokens = 0;
    int i = 0;
    int n = text.length();
    while (i < n) {
      char c = text.charAt(i);
      if (Character.isHighSurrogate(c)) {  // emoji and other characters beyond the BMP
        tokens += 1;
        i += 2;
      } else if (isWordChar(c)) {
        int latin = 0;
        int other = 0;
        for (; i < n && isWordChar(text.charAt(i)); i++) {
          if (text.charAt(i) < 0x250) latin++; else other++;
        }
        tokens += Math.ceil(latin / 10.0 + other / 5.0);
      } else if (isCjk(c)) {
        tokens += 0.6;
        i++;
      } else if (c >= '0' && c <= '9') {
        int digits = 0;
        for (; i < n && text.charAt(i) >= '0' && text.charAt(i) <= '9'; i++) digits++;
        tokens += Math.ceil(digits / 3.0);
      } else if (Character.isWhitespace(c)) {
        int spaces = 0;
        for (; i < n && Character.isWhitespace(text.charAt(i)); i++) spaces++;
        if (spaces > 1) tokens += 1;  // a single space belongs to the next word's token
      } else {
        int marks = 1;
        for (i++; i < n && isPunctuation(text.charAt(i)); i++) marks++;
        tokens += Math.ceil(marks / 3.0);
      }
    }
    return tokens;
  }

  /** A letter (or a combining mark) of a script that separates its words with spaces. */
  private static boolean isWordChar(char c) {
    if (c < 0x80) return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    if (Character.isLetter(c)) return !isCjk(c);
    int type = Character.getType(c);
    return type == Character.NON_SPACING_MARK || type == Character.COMBINING_SPACING_MARK;
  }

  /** Chinese, Japanese and Korean characters, tokenized character by character. */
  private static boolean isCjk(char c) {
    if (c < 0x1100) return false;
    Character.UnicodeScript script = Character.UnicodeScript.of(c);
    return script == Character.UnicodeScript.HAN || script == Character.UnicodeScript.HIRAGANA
        || script == Character.UnicodeScript.KATAKANA || script == Character.UnicodeScript.HANGUL;
  }

  private static boolean isPunctuation(char c) {
    return !Character.isHighSurrogate(c) && !isWordChar(c) && !isCjk(c) && !Character.isWhitespace(c)
        && !(c >= '0' && c <= '9');
  }
}
