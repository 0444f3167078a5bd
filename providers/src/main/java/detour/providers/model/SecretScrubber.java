package detour.providers.model;

import java.util.Set;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.regex.Pattern;

/**
 * Removes what looks like a credential from upstream error text before it can reach a log, a trace
 * or the journal, and bounds its length. Upstreams echo keys in errors ("Incorrect API key
 * provided: sk-abc...") more often than one would hope.
 */
public final class SecretScrubber {
  /** Error samples longer than this are cut: evidence, not a transcript. */
  public static final int MAX_LENGTH = 300;

  private static final Pattern CREDENTIALS = Pattern.compile(
      "(?i)(bearer\\s+)[A-Za-z0-9._~+/=-]+"
          + "|sk-[A-Za-z0-9_-]{6,}"
          + "|gsk_[A-Za-z0-9]{10,}"
          + "|\\b[0-9a-f]{32}\\b"
          + "|AIza[0-9A-Za-z_-]{10,}"
          + "|((?:api[-_]?key|key|token|secret|password)\\s*[=:]\\s*)[^\\s&\"',;]+");

  /** What an upstream's error code or type may look like to be passed on: a short word, nothing more. */
  private static final Pattern TOKEN = Pattern.compile("[A-Za-z0-9_.-]{1,64}");

  private SecretScrubber() {}

  /** Every configured secret, so that one no pattern knows is still removed wherever it is echoed. */
  private static final Set<String> KNOWN = new CopyOnWriteArraySet<>();

  /** Called for every configured key and header value; short values are not worth matching. */
  static void remember(String secret) {
    if (secret != null && secret.length() >= 8) KNOWN.add(secret);
  }

  public static String scrub(String text) {
    if (text == null || text.isEmpty()) return "";
    for (String secret : KNOWN) {
      if (text.contains(secret)) text = text.replace(secret, "***");
    }
    String cleaned = CREDENTIALS.matcher(text).replaceAll(match -> {
      String prefix = match.group(1) != null ? match.group(1) : match.group(2) != null ? match.group(2) : "";
      return java.util.regex.Matcher.quoteReplacement(prefix + "***");
    });
    return cleaned.length() <= MAX_LENGTH ? cleaned : cleaned.substring(0, MAX_LENGTH) + "…";
  }

  /**
   * An upstream's error code or type ({@code context_length_exceeded}, {@code RESOURCE_EXHAUSTED})
   * as a short token: scrubbed first, then kept only if it is 1 to 64 letters, digits, {@code _},
   * {@code .} or {@code -}; anything else (a sentence, a masked key, a bearer header) becomes empty.
   * Callers see it as the {@code code} of Detour's error, so it must be a code and nothing else.
   */
  public static String token(String code) {
    String scrubbed = scrub(code);
    return TOKEN.matcher(scrubbed).matches() ? scrubbed : "";
  }
}
