package detour.providers.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SecretScrubberTest {

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {
      "Incorrect API key provided: sk-proj-AbCdEf1234567890xyz.",
      "Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.payload.signature was rejected",
      "API key not valid: AIzaSyA1234567890abcdefghijklmnop",
      "invalid api_key=supersecretvalue123 for this project",
      "token: abcdefghijk987654321 expired",
      "Groq says gsk_ABCDEFGHIJKLMNOPQRSTUVWX is wrong",
      "Azure key 0123456789abcdef0123456789abcdef is not valid"})
  void credentialsInUpstreamTextAreMasked(String text) {
    String scrubbed = SecretScrubber.scrub(text);
    assertTrue(scrubbed.contains("***"), scrubbed);
    for (String secret : new String[] {"AbCdEf1234567890xyz", "payload.signature", "A1234567890abcdefghijklmnop",
        "supersecretvalue123", "abcdefghijk987654321", "ABCDEFGHIJKLMNOPQRSTUVWX", "0123456789abcdef0123456789abcdef"}) {
      assertFalse(scrubbed.contains(secret), scrubbed);
    }
  }

  @Test
  void aConfiguredSecretIsMaskedWhateverItsShape() {
    Secret.of("plain-words-as-a-key");
    assertEquals("your key *** was refused", SecretScrubber.scrub("your key plain-words-as-a-key was refused"));
  }

  @Test
  void ordinaryErrorTextIsLeftAsItIs() {
    String text = "The server had an error while processing your request. Sorry about that!";
    assertEquals(text, SecretScrubber.scrub(text));
  }

  @Test
  void longTextIsCutSoEvidenceStaysEvidence() {
    String scrubbed = SecretScrubber.scrub("x".repeat(5_000));
    assertEquals(SecretScrubber.MAX_LENGTH + 1, scrubbed.length());
    assertTrue(scrubbed.endsWith("…"));
  }

  @Test
  void aSecretNeverPrintsItself() {
    Secret secret = Secret.of("sk-never-print-me-123456");
    assertEquals("Secret[***]", secret.toString());
    assertEquals("sk-never-print-me-123456", secret.reveal());
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"context_length_exceeded", "RESOURCE_EXHAUSTED", "overloaded_error", "invalid-api-key",
      "v1.quota", "a"})
  void aCodeThatIsAShortTokenIsKept(String code) {
    assertEquals(code, SecretScrubber.token(code));
  }

  @ParameterizedTest(name = "'{0}'")
  @ValueSource(strings = {
      "Bearer sk-proj-AbCdEf1234567890xyz",  // a header, echoed
      "sk-proj-AbCdEf1234567890xyz",  // a bare key is a token by its characters: scrubbed first, so dropped
      "0123456789abcdef0123456789abcdef",
      "invalid api key",  // a sentence is no code
      "code\nX-Forged: yes",
      "ünïcode",
      ""})
  void anythingElseIsDropped(String code) {
    assertEquals("", SecretScrubber.token(code));
  }

  @Test
  void aCodeLongerThanSixtyFourCharactersIsDropped() {
    assertEquals("x".repeat(64), SecretScrubber.token("x".repeat(64)));
    assertEquals("", SecretScrubber.token("x".repeat(65)));
    assertEquals("", SecretScrubber.token(null));
  }

  @Test
  void aConfiguredKeyAsACodeIsDropped() {
    Secret.of("Plain_Token_Shaped_Key_42");
    assertEquals("", SecretScrubber.token("Plain_Token_Shaped_Key_42"));
  }
}
