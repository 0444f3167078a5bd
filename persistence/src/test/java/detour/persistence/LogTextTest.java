package detour.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class LogTextTest {

  @Test
  void aLineBreakCannotForgeALogLine() {
    String forged = "ana\n2026-01-05 09:00:00 INFO breaker=a circuit=CLOSED";
    String escaped = LogText.escape(forged);
    assertEquals("ana\\n2026-01-05 09:00:00 INFO breaker=a circuit=CLOSED", escaped);
    assertFalse(escaped.contains("\n"));
  }

  @ParameterizedTest(name = "U+{0}")
  @CsvSource({
      "000d, \\r", "0009, \\t", "0000, \\u0000", "0007, \\u0007", "001b, \\u001b", "007f, \\u007f",
      "0085, \\u0085", "200b, \\u200b", "202e, \\u202e", "2028, \\u2028", "2029, \\u2029", "feff, \\ufeff"})
  void everyControlAndFormatCharacterIsWrittenAsAnEscape(String hex, String expected) {
    String c = Character.toString(Integer.parseInt(hex, 16));
    assertEquals("a" + expected + "b", LogText.escape("a" + c + "b"));
    assertTrue(LogText.hasControl("a" + c + "b"));
  }

  @Test
  void aTerminalEscapeSequenceIsDisarmed() {
    assertEquals("\\u001b[2J\\u001b]0;owned\\u0007", LogText.escape("\u001b[2J\u001b]0;owned\u0007"));
  }

  @Test
  void aSupplementaryFormatCharacterIsEscapedAsItsTwoHalves() {
    assertEquals("x\\udb40\\udc01y", LogText.escape("x" + Character.toString(0xE0001) + "y"));
  }

  @Test
  void quotesAndBackslashesAreEscapedSoAValueStaysInItsField() {
    assertEquals("x\\\" operator=\\\"eve", LogText.escape("x\" operator=\"eve"));
    assertEquals("C:\\\\dir \\\\n", LogText.escape("C:\\dir \\n"));
  }

  @Test
  void ordinaryTextIsLeftAsItIsAndNullStaysNull() {
    String text = "Ana Müller, Łódź, 東京: provider maintenance (ticket #42) — 50 % of traffic 🚦";
    assertSame(text, LogText.escape(text));
    assertFalse(LogText.hasControl(text));
    assertNull(LogText.escape(null));
  }
}
