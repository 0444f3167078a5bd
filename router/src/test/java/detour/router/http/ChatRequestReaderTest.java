package detour.router.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.util.ByteString;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ChatRequestReaderTest {
  static final ChatRequestReader reader = new ChatRequestReader(new ObjectMapper());
  static final String HI = "\"messages\": [{\"role\": \"user\", \"content\": \"hi\"}]";

  @Test
  void aRequestUsingEveryCheckedFieldWellIsRead() {
    var read = reader.read(utf8("{\"model\": \"default\", " + HI + ", \"stream\": true,"
        + " \"stream_options\": {\"include_usage\": true}, \"temperature\": 2, \"top_p\": 0.5, \"n\": 128,"
        + " \"presence_penalty\": -2, \"frequency_penalty\": 1.5, \"stop\": [\"a\", \"b\", \"c\", \"d\"],"
        + " \"logit_bias\": {\"50256\": -100, \"11\": 12.5}, \"user\": \"u-1\", \"seed\": -9223372036854775808,"
        + " \"max_tokens\": 2147483647, \"max_completion_tokens\": 10.0, \"logprobs\": true, \"top_logprobs\": 20,"
        + " \"parallel_tool_calls\": false, \"models\": [\"model-a\"],"
        + " \"tools\": [{\"type\": \"function\", \"function\": {\"name\": \"f\", \"parameters\": {\"type\": \"object\"},"
        + "   \"strict\": true}}, {\"type\": \"custom\", \"custom\": {\"name\": \"grammar\"}}],"
        + " \"tool_choice\": {\"type\": \"function\", \"function\": {\"name\": \"f\"}},"
        + " \"response_format\": {\"type\": \"json_schema\", \"json_schema\": {\"name\": \"s\", \"schema\": {}}},"
        + " \"unknown_field\": {\"passes\": [\"through\"]}}"));
    assertInstanceOf(ChatRequestReader.Valid.class, read);
  }

  @Test
  void theCallersChoicesAreReadOnceWithTheRequest() {
    var read = reader.read(utf8("{\"model\": \"default\", " + HI + ", \"stream\": true,"
        + " \"stream_options\": {\"include_usage\": true}, \"models\": [\"model-b\", \"model-a\"]}"));
    var choices = assertInstanceOf(ChatRequestReader.Valid.class, read).choices();
    assertEquals(new CallerChoices(Optional.of(List.of("model-b", "model-a")), true), choices);
  }

  @Test
  void withoutModelsOrStreamOptionsTheRouteOrderStandsAndUsageIsNotPassedOn() {
    var read = reader.read(utf8("{\"model\": \"default\", " + HI + ", \"models\": null}"));
    var choices = assertInstanceOf(ChatRequestReader.Valid.class, read).choices();
    assertEquals(new CallerChoices(Optional.empty(), false), choices);
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "\"tool_choice\": \"required\"",
      "\"tool_choice\": {\"type\": \"allowed_tools\", \"allowed_tools\": {\"mode\": \"auto\", \"tools\": [{\"type\": \"function\", \"function\": {\"name\": \"f\"}}]}}",
      "\"tool_choice\": {\"type\": \"custom\", \"custom\": {\"name\": \"grammar\"}}",
      "\"functions\": [{\"name\": \"f\", \"parameters\": {}}], \"function_call\": {\"name\": \"f\"}",
      "\"function_call\": \"auto\"",
      "\"response_format\": {\"type\": \"json_object\"}",
      "\"stop\": \"END\"",
      "\"tools\": []"})
  void theOtherFormsOfToolsAndFormatsAreRead(String field) {
    assertInstanceOf(ChatRequestReader.Valid.class, reader.read(utf8(withField(field))), field);
  }

  @Test
  void nullForAnOptionalFieldIsTakenAsAbsent() {
    String nulls = String.join(", ", "\"temperature\": null", "\"top_p\": null", "\"n\": null", "\"stop\": null",
        "\"logit_bias\": null", "\"user\": null", "\"seed\": null", "\"max_tokens\": null", "\"tools\": null",
        "\"tool_choice\": null", "\"response_format\": null", "\"logprobs\": null", "\"stream\": null",
        "\"stream_options\": null", "\"models\": null");
    assertInstanceOf(ChatRequestReader.Valid.class, reader.read(utf8("{\"model\": \"m\", " + HI + ", " + nulls
        + ", \"messages\": [{\"role\": \"user\", \"content\": \"hi\", \"name\": null, \"tool_calls\": null}]}")));
  }

  @Test
  void anAssistantTurnOfToolCallsAloneAndItsResultsAreRead() {
    assertInstanceOf(ChatRequestReader.Valid.class, reader.read(utf8("{\"model\": \"m\", \"messages\": ["
        + "{\"role\": \"user\", \"content\": [{\"type\": \"text\", \"text\": \"weather?\"},"
        + "  {\"type\": \"image_url\", \"image_url\": {\"url\": \"https://x/y.png\", \"detail\": \"low\"}}]},"
        + "{\"role\": \"assistant\", \"content\": null, \"tool_calls\": [{\"id\": \"call_1\", \"type\": \"function\","
        + "  \"function\": {\"name\": \"weather\", \"arguments\": \"{}\"}}]},"
        + "{\"role\": \"tool\", \"tool_call_id\": \"call_1\", \"content\": \"sunny\"}]}")));
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', textBlock = """
      model = 42                          | "model": 42                                 | model
      model = {}                          | "model": {}                                 | model
      messages = "hi"                     | "messages": "hi"                            | messages
      stream = "true"                     | "stream": "true"                            | stream
      temperature = "hot"                 | "temperature": "hot"                        | temperature
      top_p = true                        | "top_p": true                               | top_p
      n = "2"                             | "n": "2"                                    | n
      n = 1.5                             | "n": 1.5                                    | n
      max_tokens = 1e400                  | "max_tokens": 1e400                         | max_tokens
      max_completion_tokens = true        | "max_completion_tokens": true               | max_completion_tokens
      presence_penalty = []               | "presence_penalty": []                      | presence_penalty
      stop = 42                           | "stop": 42                                  | stop
      stop = ["a", 1]                     | "stop": ["a", 1]                            | stop[1]
      logit_bias = []                     | "logit_bias": []                            | logit_bias
      logit_bias value "x"                | "logit_bias": {"11": "x"}                   | logit_bias.11
      user = 42                           | "user": 42                                  | user
      seed = "s"                          | "seed": "s"                                 | seed
      logprobs = 1                        | "logprobs": 1                               | logprobs
      top_logprobs = "x"                  | "top_logprobs": "x"                         | top_logprobs
      parallel_tool_calls = "yes"         | "parallel_tool_calls": "yes"                | parallel_tool_calls
      tools = {}                          | "tools": {"type": "function"}               | tools
      a tool is a string                  | "tools": ["f"]                              | tools[0]
      a function name is a number         | "tools": [{"type": "function", "function": {"name": 1}}] | tools[0].function.name
      function parameters are a string    | "tools": [{"type": "function", "function": {"name": "f", "parameters": "{}"}}] | tools[0].function.parameters
      tool_choice = 42                    | "tool_choice": 42                           | tool_choice
      response_format = "json"            | "response_format": "json"                   | response_format
      json_schema.schema is a string      | "response_format": {"type": "json_schema", "json_schema": {"name": "s", "schema": "x"}} | response_format.json_schema.schema
      models = "model-a"                  | "models": "model-a"                         | models
      models = [1]                        | "models": [1]                               | models
      stream_options.include_usage = "y"  | "stream": true, "stream_options": {"include_usage": "y"} | stream_options.include_usage
      stream_options = "y"                | "stream": true, "stream_options": "y"       | stream_options
      """)
  void aFieldOfTheWrongTypeIsAnInvalidTypeNamingIt(String what, String field, String param) {
    assertRefused(withField(field), 400, "invalid_type", param);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', textBlock = """
      model is blank                      | "model": "  "                          | model
      messages = []                       | "messages": []                         | messages
      temperature above 2                 | "temperature": 2.01                    | temperature
      top_p below 0                       | "top_p": -0.1                          | top_p
      n = 0                               | "n": 0                                 | n
      n above 128                         | "n": 129                               | n
      presence_penalty above 2            | "presence_penalty": 3                  | presence_penalty
      frequency_penalty below -2          | "frequency_penalty": -2.5              | frequency_penalty
      five stop sequences                 | "stop": ["a", "b", "c", "d", "e"]      | stop
      a bias above 100                    | "logit_bias": {"11": 101}              | logit_bias.11
      a bias keyed by a word              | "logit_bias": {"hello": 1}             | logit_bias
      seed beyond a long                  | "seed": 18446744073709551616           | seed
      max_tokens = 0                      | "max_tokens": 0                        | max_tokens
      max_tokens beyond an int            | "max_tokens": 2147483648               | max_tokens
      top_logprobs above 20               | "top_logprobs": 21                     | top_logprobs
      a tool of an unknown type           | "tools": [{"type": "retrieval"}]       | tools[0].type
      a function with an empty name       | "tools": [{"type": "function", "function": {"name": ""}}] | tools[0].function.name
      tool_choice = "sometimes"           | "tool_choice": "sometimes"             | tool_choice
      tool_choice of an unknown type      | "tool_choice": {"type": "magic"}       | tool_choice.type
      allowed_tools of an unknown mode    | "tool_choice": {"type": "allowed_tools", "allowed_tools": {"mode": "any", "tools": []}} | tool_choice.allowed_tools.mode
      function_call = "required"          | "function_call": "required"            | function_call
      response_format of type xml         | "response_format": {"type": "xml"}     | response_format.type
      models = []                         | "models": []                           | models
      stream_options without stream       | "stream_options": {"include_usage": true} | stream_options
      """)
  void aValueOutOfItsRangeIsAnInvalidValueNamingIt(String what, String field, String param) {
    assertRefused(withField(field), 400, "invalid_value", param);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', textBlock = """
      no model                            | {"messages": [{"role": "user", "content": "hi"}]}                | model
      model null                          | {"model": null, "messages": [{"role": "user", "content": "hi"}]} | model
      no messages                         | {"model": "m"}                                                   | messages
      a message without role              | {"model": "m", "messages": [{"content": "hi"}]}                 | messages[0].role
      a user message without content      | {"model": "m", "messages": [{"role": "user"}]}                  | messages[0].content
      a tool result without tool_call_id  | {"model": "m", "messages": [{"role": "tool", "content": "x"}]}  | messages[0].tool_call_id
      a content part without type         | {"model": "m", "messages": [{"role": "user", "content": [{"text": "hi"}]}]} | messages[0].content[0].type
      a text part without text            | {"model": "m", "messages": [{"role": "user", "content": [{"type": "text"}]}]} | messages[0].content[0].text
      a tool without function             | {"model": "m", "messages": [{"role": "user", "content": "hi"}], "tools": [{"type": "function"}]} | tools[0].function
      a function without name             | {"model": "m", "messages": [{"role": "user", "content": "hi"}], "functions": [{"parameters": {}}]} | functions[0].name
      allowed_tools without tools         | {"model": "m", "messages": [{"role": "user", "content": "hi"}], "tool_choice": {"type": "allowed_tools", "allowed_tools": {"mode": "auto"}}} | tool_choice.allowed_tools.tools
      a json_schema without name          | {"model": "m", "messages": [{"role": "user", "content": "hi"}], "response_format": {"type": "json_schema", "json_schema": {}}} | response_format.json_schema.name
      """)
  void aMissingRequiredFieldIsNamed(String what, String body, String param) {
    assertRefused(body, 400, "missing_required_parameter", param);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', textBlock = """
      a message is a string               | "hi"                                                   | messages[0]
      role = 1                            | {"role": 1, "content": "hi"}                           | messages[0].role
      name = 42                           | {"role": "user", "content": "hi", "name": 42}          | messages[0].name
      tool_calls = "x"                    | {"role": "assistant", "content": "hi", "tool_calls": "x"} | messages[0].tool_calls
      tool call arguments are an object | {"role": "assistant", "tool_calls": [{"id": "c", "type": "function", "function": {"name": "f", "arguments": {}}}]} | messages[0].tool_calls[0].function.arguments
      content = 5                         | {"role": "user", "content": 5}                         | messages[0].content
      content = {"text": "hi"}            | {"role": "user", "content": {"text": "hi"}}            | messages[0].content
      a content part is a number          | {"role": "user", "content": [42]}                      | messages[0].content[0]
      the text of a text part is a number | {"role": "user", "content": [{"type": "text", "text": 5}]} | messages[0].content[0].text
      the type of a part is a number      | {"role": "user", "content": [{"type": 7}]}             | messages[0].content[0].type
      an image_url that is a string       | {"role": "user", "content": [{"type": "image_url", "image_url": "https://x"}]} | messages[0].content[0].image_url
      """)
  void aMessageOfTheWrongShapeIsAnInvalidTypeNamingThePlace(String what, String message, String param) {
    assertRefused("{\"model\": \"m\", \"messages\": [" + message + "]}", 400, "invalid_type", param);
  }

  @Test
  void anUnknownRoleIsAnInvalidValueListingTheRoles() {
    ApiError error = refused("{\"model\": \"m\", \"messages\": [{\"role\": \"wizard\", \"content\": \"hi\"}]}");
    assertEquals("invalid_value", error.code());
    assertEquals("messages[0].role", error.param());
    assertTrue(error.message().contains("'wizard'") && error.message().contains("'developer'"), error.message());
  }

  @Test
  void aWrongTypeIsSaidInOpenAisWords() {
    ApiError error = refused(withField("\"temperature\": \"hot\""));
    assertEquals("Invalid type for 'temperature': expected a number, but got a string instead.", error.message());
    assertEquals("Invalid value for 'temperature': 3 is above the maximum of 2.",
        refused(withField("\"temperature\": 3")).message());
  }

  @Test
  void aWholeNumberWrittenWithAPointIsAnInteger() {
    assertInstanceOf(ChatRequestReader.Valid.class, reader.read(utf8(withField("\"n\": 2.0, \"max_tokens\": 1e2"))));
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "{\"model\": \"m\", \"messages\": [", "{'model': 'm'}", "{\"model\": \"m\",}", "{\"model\": NaN}",
      "{\"a\": 1} {\"b\": 2}", "{\"a\": 1}xyz", "{\"a\": 1}]", "hello", "{\"a\": \"x\u0001y\"}"})
  void malformedJsonIsInvalidJson(String body) {
    ApiError error = refused(body);
    assertEquals("invalid_json", error.code(), error.message());
    assertTrue(error.message().startsWith("The request body is not valid JSON"), error.message());
  }

  @Test
  void aSecondDocumentIsRefusedWithWhereItStarts() {
    ApiError error = refused("{\"model\": \"m\", " + HI + "}\n{\"model\": \"other\"}");
    assertEquals("invalid_json", error.code());
    assertTrue(error.message().contains("(line 2, column 1)") && error.message().contains("more after the JSON object"),
        error.message());
  }

  @Test
  void whiteSpaceAfterTheObjectIsFine() {
    assertInstanceOf(ChatRequestReader.Valid.class, reader.read(utf8("{\"model\": \"m\", " + HI + "} \r\n\t ")));
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "   \n\t "})
  void anEmptyBodyIsInvalidJson(String body) {
    ApiError error = refused(body);
    assertEquals("invalid_json", error.code());
    assertTrue(error.message().contains("empty"), error.message());
  }

  @ParameterizedTest
  @ValueSource(strings = {"null", "42", "\"text\"", "[{\"model\": \"m\"}]", "true"})
  void aBodyThatIsNotAnObjectIsAnInvalidType(String body) {
    ApiError error = refused(body);
    assertEquals("invalid_type", error.code());
    assertTrue(error.message().contains("must be a JSON object"), error.message());
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({
      "a lone continuation byte, 80, continuation byte",
      "a truncated two-byte sequence, c328, cut short",
      "an overlong '/', c0af, overlong",
      "an overlong three-byte NUL, e08080, overlong",
      "an encoded surrogate, eda080, surrogate",
      "a byte never in UTF-8, ff, never occurs",
      "a code point beyond U+10FFFF, f4908080, beyond U+10FFFF",
      "a five-byte form, f888808080, never occurs",
      "a NUL, 00, NUL"})
  void invalidUtf8InAStringIsInvalidJsonSayingWhereAndWhy(String what, String hex, String reason) {
    byte[] before = "{\"model\": \"m\", \"messages\": [{\"role\": \"user\", \"content\": \"".getBytes(StandardCharsets.UTF_8);
    ApiError error = refused(concat(before, HexFormat.of().parseHex(hex), "\"}]}".getBytes(StandardCharsets.UTF_8)));
    assertEquals("invalid_json", error.code());
    assertTrue(error.message().contains("not valid UTF-8") && error.message().contains(reason)
        && error.message().contains("at byte " + before.length), error.message());
  }

  @Test
  void aSequenceCutByTheEndOfTheBodyIsRefused() {
    ApiError error = refused(concat(utf8Bytes("{\"model\": \"m\", " + HI + "}"), HexFormat.of().parseHex("e282")));
    assertTrue(error.message().contains("cut short by the end"), error.message());
  }

  @Test
  void utf8FromOneToFourBytesIsRead() {
    // é, €, a musical G clef (a surrogate pair in Java), and the last code point, U+10FFFF
    String text = "é € \uD834\uDD1E \uDBFF\uDFFF";
    var read = reader.read(utf8("{\"model\": \"m\", \"messages\": [{\"role\": \"user\", \"content\": \"" + text + "\"}]}"));
    assertEquals(text, ((ChatRequestReader.Valid) read).request().messages().get(0).get("content").asText());
  }

  @Test
  void aUtf16BodyIsRefusedRatherThanGuessed() {
    // Jackson alone would detect UTF-16 from the NULs and read it.
    ApiError error = refused(("{\"model\": \"m\", " + HI + "}").getBytes(StandardCharsets.UTF_16LE));
    assertEquals("invalid_json", error.code());
    assertTrue(error.message().contains("NUL"), error.message());
  }

  @Test
  void nestingUpToTheLimitIsRead() {
    // The root object is level 1.
    assertInstanceOf(ChatRequestReader.Valid.class, reader.read(utf8(withField("\"x\": " + nested(999)))));
  }

  @ParameterizedTest
  @ValueSource(ints = {1000, 100_000})
  void nestingBeyondTheLimitIsInvalidJsonNotACrash(int depth) {
    ApiError error = refused(withField("\"x\": " + nested(depth)));
    assertEquals("invalid_json", error.code());
    assertEquals(400, error.status().intValue());
    assertTrue(error.message().contains("nested more than 1000 deep"), error.message());
  }

  @Test
  void everyRefusalCarriesTheTypeAndACode() {
    for (String body : new String[] {"{", "[]", "{}", withField("\"n\": -1"), withField("\"n\": \"1\"")}) {
      ApiError error = refused(body);
      assertEquals("invalid_request_error", error.type());
      assertNotNull(error.code(), body);
    }
  }

  private static String nested(int depth) {
    return "[".repeat(depth) + "]".repeat(depth);
  }

  /** A valid request with one more field; a field given twice (messages) wins as the last. */
  private static String withField(String field) {
    return "{\"model\": \"m\", " + HI + ", " + field + "}";
  }

  private static void assertRefused(String body, int status, String code, String param) {
    ApiError error = refused(body);
    assertEquals(status, error.status().intValue(), error.message());
    assertEquals("invalid_request_error", error.type());
    assertEquals(code, error.code(), error.message());
    assertEquals(param, error.param(), error.message());
    assertTrue(error.message().contains("'" + param + "'"), "the message names the field: " + error.message());
  }

  private static ApiError refused(String body) {
    return refused(utf8Bytes(body));
  }

  private static ApiError refused(byte[] body) {
    var read = reader.read(ByteString.fromArray(body));
    return assertInstanceOf(ChatRequestReader.Invalid.class, read, "refused").error();
  }

  private static ByteString utf8(String body) {
    return ByteString.fromArray(utf8Bytes(body));
  }

  private static byte[] utf8Bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] concat(byte[]... parts) {
    var out = new ByteArrayOutputStream();
    for (byte[] part : parts) out.writeBytes(part);
    return out.toByteArray();
  }
}
