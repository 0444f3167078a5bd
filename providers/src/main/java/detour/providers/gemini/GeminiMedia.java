package detour.providers.gemini;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.util.Locale;
import java.util.Map;

/**
 * Turns OpenAI's media content parts ({@code image_url}, {@code input_audio}, {@code file}) into
 * Gemini parts: bytes sent along ({@code data:} URLs, base64 audio) become {@code inlineData};
 * an http(s) image URL becomes {@code fileData}, which Gemini fetches itself and which needs a
 * MIME type, guessed from the URL's extension. An image whose type cannot be told, or that Gemini
 * does not read (GIF, SVG), is refused rather than sent to fail there.
 */
final class GeminiMedia {
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  /** The image types Gemini reads, by file extension. */
  private static final Map<String, String> IMAGE_TYPES = Map.of(
      "png", "image/png",
      "jpg", "image/jpeg",
      "jpeg", "image/jpeg",
      "webp", "image/webp",
      "heic", "image/heic",
      "heif", "image/heif");

  /** OpenAI's {@code input_audio.format} values and their MIME types. */
  private static final Map<String, String> AUDIO_TYPES = Map.of(
      "wav", "audio/wav",
      "mp3", "audio/mp3");

  private GeminiMedia() {}

  /** An {@code image_url} part's {@code image_url} object (or bare URL string) as a Gemini part. */
  static ObjectNode image(JsonNode imageUrl) {
    String url = imageUrl.isTextual() ? imageUrl.asText() : imageUrl.path("url").asText("");
    if (url.startsWith("data:")) return inline(url, "an image");
    String scheme = schemeOf(url);
    if (!scheme.equals("http") && !scheme.equals("https")) {
      throw new CannotExpress("an image_url that is neither a data: URL nor an http(s) URL");
    }
    String extension = extensionOf(url);
    String mimeType = IMAGE_TYPES.get(extension);
    if (mimeType == null) {
      throw new CannotExpress("an image URL whose type Gemini cannot be told from its extension ('"
          + (extension.isEmpty() ? "none" : extension) + "'; Gemini reads png, jpeg, webp, heic, heif)");
    }
    ObjectNode part = NODES.objectNode();
    part.putObject("fileData").put("mimeType", mimeType).put("fileUri", url);
    return part;
  }

  /** An {@code input_audio} part: base64 bytes and a format. */
  static ObjectNode audio(JsonNode inputAudio) {
    String mimeType = AUDIO_TYPES.get(inputAudio.path("format").asText(""));
    String data = inputAudio.path("data").asText("");
    if (mimeType == null || data.isEmpty()) {
      throw new CannotExpress("an input_audio part without base64 data in wav or mp3 format");
    }
    return inlineData(mimeType, data);
  }

  /** A {@code file} part: only bytes sent along; a file uploaded to OpenAI ({@code file_id}) is not here. */
  static ObjectNode file(JsonNode file) {
    String data = file.path("file_data").asText("");
    if (data.startsWith("data:")) return inline(data, "a file");
    if (!data.isEmpty() && file.path("filename").asText("").toLowerCase(Locale.ROOT).endsWith(".pdf")) {
      return inlineData("application/pdf", data);
    }
    throw new CannotExpress(file.has("file_id")
        ? "a file part naming an OpenAI file_id, which only OpenAI can read"
        : "a file part whose data is neither a data: URL nor a named PDF");
  }

  /** {@code data:<type>;base64,<bytes>} as {@code inlineData}; any other data URL is refused. */
  private static ObjectNode inline(String dataUrl, String what) {
    int comma = dataUrl.indexOf(',');
    String header = comma < 0 ? "" : dataUrl.substring("data:".length(), comma);
    if (comma < 0 || !header.endsWith(";base64") || header.length() == ";base64".length()) {
      throw new CannotExpress(what + " in a data: URL that is not '<type>;base64'");
    }
    String mimeType = header.substring(0, header.length() - ";base64".length());
    int parameters = mimeType.indexOf(';');
    if (parameters >= 0) mimeType = mimeType.substring(0, parameters);
    return inlineData(mimeType.toLowerCase(Locale.ROOT), dataUrl.substring(comma + 1));
  }

  private static ObjectNode inlineData(String mimeType, String base64) {
    ObjectNode part = NODES.objectNode();
    part.putObject("inlineData").put("mimeType", mimeType).put("data", base64);
    return part;
  }

  private static String schemeOf(String url) {
    int colon = url.indexOf(':');
    return colon < 0 ? "" : url.substring(0, colon).toLowerCase(Locale.ROOT);
  }

  /** The extension of the URL's path, lower case; empty when none. Query and fragment are ignored. */
  private static String extensionOf(String url) {
    String path;
    try {
      path = URI.create(url).getPath();
    } catch (IllegalArgumentException notAUri) {
      return "";
    }
    if (path == null) return "";
    int slash = path.lastIndexOf('/');
    int dot = path.lastIndexOf('.');
    return dot > slash ? path.substring(dot + 1).toLowerCase(Locale.ROOT) : "";
  }
}
