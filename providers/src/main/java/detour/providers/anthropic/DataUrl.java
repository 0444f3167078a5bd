package detour.providers.anthropic;

import java.util.Locale;
import java.util.Optional;

/**
 * A base64 {@code data:} URL split into its media type and payload: how OpenAI callers inline
 * images and files, and what Anthropic wants as separate {@code media_type} and {@code data}.
 *
 * @param mediaType the media type, lower case ({@code image/png})
 * @param data the base64 payload, as it was
 */
record DataUrl(String mediaType, String data) {
  /** Reads {@code data:<media type>[;params];base64,<data>}; anything else is empty. */
  static Optional<DataUrl> parse(String url) {
    if (url == null || !url.regionMatches(true, 0, "data:", 0, 5)) return Optional.empty();
    int comma = url.indexOf(',');
    if (comma < 0) return Optional.empty();
    String[] header = url.substring(5, comma).split(";");
    boolean base64 = false;
    for (int i = 1; i < header.length; i++) {
      if (header[i].trim().equalsIgnoreCase("base64")) base64 = true;
    }
    String mediaType = header[0].trim().toLowerCase(Locale.ROOT);
    if (!base64 || mediaType.isEmpty()) return Optional.empty();
    return Optional.of(new DataUrl(mediaType, url.substring(comma + 1)));
  }
}
