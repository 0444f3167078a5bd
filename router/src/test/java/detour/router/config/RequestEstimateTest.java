package detour.router.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.EncodingType;
import detour.providers.model.ChatRequest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.Locale;
import java.util.OptionalLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The prompt-size estimate, and its error measured against OpenAI's tokenizers (jtokkit's o200k,
 * GPT-4o's and GPT-4.1's, and cl100k, GPT-4's) on the texts under {@code token-samples/}: English
 * ({@code en-}), code ({@code code-}), data and markup ({@code data-}), other languages ({@code
 * lang-}) and text that tokenizes badly ({@code other-}). The table it prints is the one in
 * docs/routing.md.
 */
class RequestEstimateTest {
  static final ObjectMapper JSON = new ObjectMapper();
  static Encoding o200k;
  static Encoding cl100k;
  static List<Sample> samples;

  record Sample(String name, String text, double estimate, int o200kTokens, int cl100kTokens) {
    double overO200k() {
      return estimate / o200kTokens;
    }

    double overCl100k() {
      return estimate / cl100kTokens;
    }
  }

  @BeforeAll
  static void measure() throws IOException, URISyntaxException {
    var registry = Encodings.newDefaultEncodingRegistry();
    o200k = registry.getEncoding(EncodingType.O200K_BASE);
    cl100k = registry.getEncoding(EncodingType.CL100K_BASE);
    Path dir = Paths.get(RequestEstimateTest.class.getResource("/token-samples").toURI());
    try (Stream<Path> files = Files.list(dir)) {
      samples = files.sorted().map(RequestEstimateTest::sample).toList();
    }
    System.out.println("sample                        chars  estimate  o200k  cl100k  est/o200k  est/cl100k");
    for (Sample s : samples) {
      System.out.printf(Locale.ROOT, "%-28s %6d %9.0f %6d %7d %10.2f %11.2f%n", s.name(), s.text().length(),
          s.estimate(), s.o200kTokens(), s.cl100kTokens(), s.overO200k(), s.overCl100k());
    }
  }

  private static Sample sample(Path file) {
    try {
      String text = Files.readString(file);
      return new Sample(file.getFileName().toString(), text, RequestEstimate.textTokens(text),
          o200k.countTokensOrdinary(text), cl100k.countTokensOrdinary(text));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Test
  void theMeasurementCoversEveryKindOfSample() {
    for (String kind : List.of("en-", "code-", "data-", "lang-", "other-")) {
      assertTrue(samples.stream().filter(s -> s.name().startsWith(kind)).count() >= 2, kind);
    }
  }

  @Test
  void neverExceedsEitherTokenizersCountByMoreThanFifteenPercent() {
    for (Sample s : samples) {
      assertTrue(s.overO200k() <= 1.15 && s.overCl100k() <= 1.15,
          s.name() + " estimated at " + s.estimate() + " for " + s.o200kTokens() + " (o200k) and "
              + s.cl100kTokens() + " (cl100k)");
    }
  }

  @Test
  void theWindowCheckNeverSkipsAPromptThatFitsEitherTokenizer() {
    // What the guardrail judges by: the estimate times the safety factor, never above the real count.
    for (Sample s : samples) {
      double judged = Guardrails.WINDOW_SAFETY_FACTOR * s.estimate();
      assertTrue(judged <= Math.min(s.o200kTokens(), s.cl100kTokens()), s.name() + ": judged as " + judged);
    }
  }

  @Test
  void isWithinAFifthOfBothTokenizersForEnglishCodeAndData() {
    for (Sample s : samples) {
      if (!(s.name().startsWith("en-") || s.name().startsWith("code-") || s.name().startsWith("data-"))) continue;
      for (double ratio : new double[] {s.overO200k(), s.overCl100k()}) {
        assertTrue(ratio >= 0.80 && ratio <= 1.20, s.name() + " off by " + ratio);
      }
    }
  }

  @Test
  void countsOtherScriptsAndBase64OnTheLowSafeSide() {
    for (Sample s : samples) {
      if (s.name().startsWith("lang-") || s.name().startsWith("other-")) {
        assertTrue(s.overCl100k() <= 1.0, s.name() + " over cl100k by " + s.overCl100k());
      }
    }
    Sample base64 = samples.stream().filter(s -> s.name().equals("other-base64.txt")).findFirst().orElseThrow();
    assertTrue(base64.overO200k() < 0.6, "base64 is counted at half or so: " + base64.overO200k());
  }

  @Test
  void aRequestCountsItsMessagesFramingAndTheReplyPrimer() {
    var estimate = RequestEstimate.of(request("""
        {"model": "r", "messages": [
          {"role": "system", "content": "Be brief."},
          {"role": "user", "content": "Hello there"}]}"""));
    // "Be brief." = 2 words + 1 mark = 3; "Hello there" = 2; 2 messages x 3 + 3 for the reply.
    assertEquals(3 + 2 + 2 * RequestEstimate.TOKENS_PER_MESSAGE + RequestEstimate.REPLY_PRIMER, estimate.promptTokens());
  }

  @Test
  void anImageCostsAFixedAmountWhateverTheSizeOfItsData() {
    String data = "data:image/png;base64," + "iVBORw0KGgo".repeat(10_000);
    var estimate = RequestEstimate.of(request("""
        {"model": "r", "messages": [{"role": "user", "content": [
          {"type": "text", "text": "What is this?"},
          {"type": "image_url", "image_url": {"url": "%s"}}]}]}""".formatted(data)));
    long text = (long) Math.ceil(RequestEstimate.textTokens("What is this?"));
    assertEquals(text + RequestEstimate.TOKENS_PER_IMAGE + RequestEstimate.TOKENS_PER_MESSAGE + RequestEstimate.REPLY_PRIMER,
        estimate.promptTokens());
  }

  @Test
  void toolDefinitionsAndToolCallsCount() {
    String plain = """
        {"model": "r", "messages": [{"role": "user", "content": "Weather in Lyon?"}]}""";
    String withTools = """
        {"model": "r", "messages": [{"role": "user", "content": "Weather in Lyon?"},
          {"role": "assistant", "content": null, "tool_calls": [{"id": "c1", "type": "function",
            "function": {"name": "get_weather", "arguments": "{\\"city\\": \\"Lyon\\"}"}}]}],
         "tools": [{"type": "function", "function": {"name": "get_weather",
            "description": "The current weather in a city.",
            "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}}]}""";
    long without = RequestEstimate.of(request(plain)).promptTokens();
    long with = RequestEstimate.of(request(withTools)).promptTokens();
    assertTrue(with > without + 20, without + " then " + with);
  }

  @Test
  void theAnswersCapIsMaxCompletionTokensElseMaxTokens() {
    assertEquals(OptionalLong.of(500), RequestEstimate.of(request("""
        {"model": "r", "max_completion_tokens": 500, "max_tokens": 9000, "messages": []}""")).maxOutputTokens());
    assertEquals(OptionalLong.of(9000), RequestEstimate.of(request("""
        {"model": "r", "max_tokens": 9000, "messages": []}""")).maxOutputTokens());
    assertEquals(OptionalLong.empty(), RequestEstimate.of(request("""
        {"model": "r", "messages": []}""")).maxOutputTokens());
    assertEquals(OptionalLong.empty(), RequestEstimate.of(request("""
        {"model": "r", "max_tokens": "lots", "messages": []}""")).maxOutputTokens());
  }

  @Test
  void textRulesCountWordsByLengthDigitsByThreesAndCjkByCharacter() {
    assertEquals(1, RequestEstimate.textTokens("hello"));
    assertEquals(2, RequestEstimate.textTokens("internationalization"));  // 20 letters
    assertEquals(3, RequestEstimate.textTokens("1234567"));  // 3 + 3 + 1 digits
    assertEquals(0.6 * 4, RequestEstimate.textTokens("你好世界"), 1e-9);
    assertEquals(2, RequestEstimate.textTokens("привет"));  // 6 Cyrillic letters: one per five, rounded up
    assertEquals(3, RequestEstimate.textTokens("здравствуйте"));
    assertEquals(1, RequestEstimate.textTokens("🎉"));
    assertEquals(0, RequestEstimate.textTokens(""));
  }

  private static ChatRequest request(String json) {
    try {
      return new ChatRequest((ObjectNode) JSON.readTree(json));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
