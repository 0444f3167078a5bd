package detour.simulator;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The shape of an answer, optional fields of the modes that answer with 200: how many content
 * chunks a stream sends and how fast, and how long the answer's text is.
 *
 * <ul>
 *   <li>{@code chunks} (1..10000, default 5): content chunks of a stream (text pieces, or tool-call
 *       argument fragments); fewer when the text has fewer characters;
 *   <li>{@code chunk_interval_ms} (default 0): the pause between two content chunks;
 *   <li>{@code first_token_ms} (default 0): the pause between the stream's opening events (sent
 *       with the headers) and its first content chunk;
 *   <li>{@code answer_bytes} (0..16 MiB, default 0 = the short natural sentence): the length of the
 *       answer's text in characters (ASCII, so bytes), streamed or not, for benchmarks; the
 *       sentence is repeated or cut to fit.
 * </ul>
 *
 * <p>In the control JSON a field equal to its default is not rendered, so {@code {"mode":"ok"}}
 * stays as it always was.
 */
public record StreamShape(int chunks, long chunkIntervalMs, long firstTokenMs, int answerBytes) {

  /** The default number of content chunks in a stream. */
  public static final int DEFAULT_CHUNKS = 5;

  /** The most content chunks a stream may be asked for. */
  public static final int MAX_CHUNKS = 10_000;

  /** The longest answer text that may be asked for. */
  public static final int MAX_ANSWER_BYTES = 16 * 1024 * 1024;

  /** Five chunks, no pauses, the natural answer. */
  public static final StreamShape DEFAULT = new StreamShape(DEFAULT_CHUNKS, 0, 0, 0);

  public StreamShape {
    if (chunks < 1 || chunks > MAX_CHUNKS) {
      throw new IllegalArgumentException(
          "chunks must be between 1 and " + MAX_CHUNKS + ", not " + chunks);
    }
    if (chunkIntervalMs < 0) {
      throw new IllegalArgumentException(
          "chunk_interval_ms must be 0 or more, not " + chunkIntervalMs);
    }
    if (firstTokenMs < 0) {
      throw new IllegalArgumentException("first_token_ms must be 0 or more, not " + firstTokenMs);
    }
    if (answerBytes < 0 || answerBytes > MAX_ANSWER_BYTES) {
      throw new IllegalArgumentException(
          "answer_bytes must be between 0 and " + MAX_ANSWER_BYTES + ", not " + answerBytes);
    }
  }

  /** This shape with {@code chunks} content chunks. */
  public StreamShape withChunks(int chunks) {
    return new StreamShape(chunks, chunkIntervalMs, firstTokenMs, answerBytes);
  }

  /** This shape with {@code ms} between content chunks. */
  public StreamShape withChunkIntervalMs(long ms) {
    return new StreamShape(chunks, ms, firstTokenMs, answerBytes);
  }

  /** This shape with {@code ms} before the first content chunk. */
  public StreamShape withFirstTokenMs(long ms) {
    return new StreamShape(chunks, chunkIntervalMs, ms, answerBytes);
  }

  /** This shape with an answer text of about {@code bytes} characters. */
  public StreamShape withAnswerBytes(int bytes) {
    return new StreamShape(chunks, chunkIntervalMs, firstTokenMs, bytes);
  }

  /** Reads the optional shape fields; absent ones take their defaults. */
  static StreamShape read(BehaviourFields fields) {
    return new StreamShape(
        fields.optionalInteger("chunks").orElse(DEFAULT.chunks),
        fields.optionalLong("chunk_interval_ms").orElse(DEFAULT.chunkIntervalMs),
        fields.optionalLong("first_token_ms").orElse(DEFAULT.firstTokenMs),
        fields.optionalInteger("answer_bytes").orElse(DEFAULT.answerBytes));
  }

  /** Writes the fields that differ from the default into {@code node}. */
  void write(ObjectNode node) {
    if (chunks != DEFAULT.chunks) {
      node.put("chunks", chunks);
    }
    if (chunkIntervalMs != DEFAULT.chunkIntervalMs) {
      node.put("chunk_interval_ms", chunkIntervalMs);
    }
    if (firstTokenMs != DEFAULT.firstTokenMs) {
      node.put("first_token_ms", firstTokenMs);
    }
    if (answerBytes != DEFAULT.answerBytes) {
      node.put("answer_bytes", answerBytes);
    }
  }
}
