package detour.persistence;

/**
 * Makes text that came from outside (a caller, an operator, an upstream, an old journal) safe to
 * put in a log line or a terminal report: a newline there would forge a line, an escape sequence
 * would drive the operator's terminal. Every module writes such text through {@link #escape}; the
 * admin API refuses what {@link #hasControl} finds before anything is journaled.
 *
 * <p>Escaped: every control and format character (Unicode categories Cc and Cf: {@code \n},
 * {@code \r}, {@code \t}, NUL, BEL, ESC, DEL, the C1 range, zero-width and bidirectional marks),
 * the line and paragraph separators U+2028 and U+2029, and the backslash and double quote, so that
 * an escaped value cannot pass for an escape or close a {@code key="value"} field. The rest,
 * accents and scripts included, is left as it is.
 */
public final class LogText {
  private LogText() {}

  /**
   * The text with every character {@link #isControl} finds written as {@code \n}, {@code \r},
   * {@code \t} or {@code \}{@code uXXXX}, and {@code \} and {@code "} preceded by a backslash;
   * null stays null (a log line prints it as {@code null}).
   */
  public static String escape(String text) {
    if (text == null || !needsEscape(text)) return text;
    StringBuilder out = new StringBuilder(text.length() + 16);
    for (int i = 0; i < text.length(); ) {
      int codePoint = text.codePointAt(i);
      int width = Character.charCount(codePoint);
      if (codePoint == '\\' || codePoint == '"') {
        out.append('\\').append((char) codePoint);
      } else if (codePoint == '\n') {
        out.append("\\n");
      } else if (codePoint == '\r') {
        out.append("\\r");
      } else if (codePoint == '\t') {
        out.append("\\t");
      } else if (isControl(codePoint)) {
        // A supplementary format character (the tags from U+E0001) is written as its two halves.
        for (int j = i; j < i + width; j++) out.append(String.format("\\u%04x", (int) text.charAt(j)));
      } else {
        out.appendCodePoint(codePoint);
      }
      i += width;
    }
    return out.toString();
  }

  /** Whether the text holds a character {@link #isControl} finds. */
  public static boolean hasControl(String text) {
    return text.codePoints().anyMatch(LogText::isControl);
  }

  /** A control or format character (Cc, Cf), or U+2028 / U+2029: none belongs on a log line. */
  public static boolean isControl(int codePoint) {
    int type = Character.getType(codePoint);
    return type == Character.CONTROL || type == Character.FORMAT
        || type == Character.LINE_SEPARATOR || type == Character.PARAGRAPH_SEPARATOR;
  }

  private static boolean needsEscape(String text) {
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '\\' || c == '"') return true;
    }
    return hasControl(text);
  }
}
