package detour.providers.anthropic;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * Turns the content of one OpenAI message (a string, or an array of parts) into Anthropic content
 * blocks: text, images, PDF documents. It also says which parts have no Anthropic block, so that
 * {@link AnthropicLimits} refuses exactly what this class cannot translate.
 */
final class AnthropicContent {
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  /** The image types Anthropic's image blocks accept. */
  static final Set<String> IMAGE_TYPES = Set.of("image/jpeg", "image/png", "image/gif", "image/webp");
  static final String PDF = "application/pdf";

  private AnthropicContent() {}

  /**
   * The blocks one message's content becomes. Empty text is left out, since Anthropic refuses
   * empty text blocks; parts {@link #unsupported} names are left out too (never reached: such a
   * request is not sent).
   */
  static ArrayNode blocks(JsonNode content) {
    ArrayNode blocks = NODES.arrayNode();
    if (content.isTextual()) {
      addText(blocks, content.asText());
    } else if (content.isArray()) {
      for (JsonNode part : content) {
        block(part).ifPresent(blocks::add);
      }
    }
    return blocks;
  }

  /** The text of a content made of text only (system and tool messages), parts joined. */
  static String text(JsonNode content) {
    if (content.isTextual()) return content.asText();
    StringBuilder text = new StringBuilder();
    for (JsonNode part : content) {
      String piece = part.path("text").asText("");
      if (piece.isEmpty()) piece = part.path("refusal").asText("");
      if (piece.isEmpty()) continue;
      if (text.length() > 0) text.append('\n');
      text.append(piece);
    }
    return text.toString();
  }

  /** Why a part of a message's content cannot be sent to Anthropic, if it cannot. */
  static Optional<String> unsupported(JsonNode content) {
    if (!content.isArray()) return Optional.empty();
    for (JsonNode part : content) {
      Optional<String> why = unsupportedPart(part);
      if (why.isPresent()) return why;
    }
    return Optional.empty();
  }

  private static Optional<String> unsupportedPart(JsonNode part) {
    String type = part.path("type").asText("");
    switch (type) {
      case "text", "refusal":
        return Optional.empty();
      case "image_url": {
        String url = part.path("image_url").path("url").asText("");
        Optional<DataUrl> data = DataUrl.parse(url);
        if (data.isPresent()) {
          return IMAGE_TYPES.contains(data.get().mediaType()) ? Optional.empty()
              : Optional.of("Anthropic takes JPEG, PNG, GIF and WebP images only, not " + data.get().mediaType());
        }
        return isHttp(url) ? Optional.empty()
            : Optional.of("an image_url that is neither an http(s) URL nor a base64 data: URL");
      }
      case "file": {
        JsonNode file = part.path("file");
        if (file.hasNonNull("file_id")) {
          return Optional.of("file_id references OpenAI's file store, which Anthropic cannot read");
        }
        Optional<DataUrl> data = DataUrl.parse(file.path("file_data").asText(""));
        return data.isPresent() && data.get().mediaType().equals(PDF) ? Optional.empty()
            : Optional.of("Anthropic takes files as PDF only, given as a base64 data: URL");
      }
      case "input_audio":
        return Optional.of("Anthropic takes no audio input");
      default:
        return Optional.of("a content part of type '" + type + "'");
    }
  }

  private static Optional<ObjectNode> block(JsonNode part) {
    switch (part.path("type").asText("")) {
      case "text":
        return textBlock(part.path("text").asText(""));
      case "refusal":
        return textBlock(part.path("refusal").asText(""));
      case "image_url":
        return image(part.path("image_url").path("url").asText(""));
      case "file":
        return DataUrl.parse(part.path("file").path("file_data").asText(""))
            .filter(data -> data.mediaType().equals(PDF))
            .map(data -> base64Block("document", data));
      default:
        return Optional.empty();
    }
  }

  private static Optional<ObjectNode> image(String url) {
    Optional<DataUrl> data = DataUrl.parse(url);
    if (data.isPresent()) {
      return data.filter(d -> IMAGE_TYPES.contains(d.mediaType())).map(d -> base64Block("image", d));
    }
    if (!isHttp(url)) return Optional.empty();
    ObjectNode block = NODES.objectNode().put("type", "image");
    block.putObject("source").put("type", "url").put("url", url);
    return Optional.of(block);
  }

  private static ObjectNode base64Block(String type, DataUrl data) {
    ObjectNode block = NODES.objectNode().put("type", type);
    block.putObject("source").put("type", "base64").put("media_type", data.mediaType()).put("data", data.data());
    return block;
  }

  private static void addText(ArrayNode blocks, String text) {
    textBlock(text).ifPresent(blocks::add);
  }

  private static Optional<ObjectNode> textBlock(String text) {
    return text.isEmpty() ? Optional.empty() : Optional.of(NODES.objectNode().put("type", "text").put("text", text));
  }

  private static boolean isHttp(String url) {
    String lower = url.toLowerCase(Locale.ROOT);
    return lower.startsWith("https://") || lower.startsWith("http://");
  }
}
