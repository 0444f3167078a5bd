package detour.simulator;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * One HTTP/1.1 exchange on a plain socket, for responses cut in the middle: it keeps every byte
 * that arrived before the connection ended, which an HTTP client may drop when it reports the
 * failure, and tells whether the body was complete (final chunk, or the full Content-Length).
 */
final class RawHttp {

  private RawHttp() {}

  /** What came back: status, the (de-chunked) body bytes, and whether the body was complete. */
  record Response(int status, byte[] body, boolean complete, Optional<IOException> failure) {

    /** The body read as server-sent events. */
    SseEvents.Result events() {
      return SseEvents.readAll(new ByteArrayInputStream(body));
    }
  }

  /** Sends {@code body} to {@code target} (path and query) and reads until the connection ends. */
  static Response post(int port, String target, Map<String, String> headers, String body)
      throws IOException {
    byte[] content = body.getBytes(StandardCharsets.UTF_8);
    try (Socket socket = new Socket("127.0.0.1", port)) {
      socket.setSoTimeout((int) SimClient.TIMEOUT.toMillis());
      StringBuilder head =
          new StringBuilder("POST ")
              .append(target)
              .append(" HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n")
              .append("Content-Type: application/json\r\nContent-Length: ")
              .append(content.length)
              .append("\r\n");
      headers.forEach((name, value) -> head.append(name).append(": ").append(value).append("\r\n"));
      OutputStream out = socket.getOutputStream();
      out.write(head.append("\r\n").toString().getBytes(StandardCharsets.US_ASCII));
      out.write(content);
      out.flush();

      ByteArrayOutputStream received = new ByteArrayOutputStream();
      Optional<IOException> failure = Optional.empty();
      InputStream in = socket.getInputStream();
      byte[] buffer = new byte[8192];
      try {
        for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
          received.write(buffer, 0, n);
        }
      } catch (IOException e) {
        failure = Optional.of(e);
      }
      return parse(received.toByteArray(), failure);
    }
  }

  private static Response parse(byte[] raw, Optional<IOException> failure) {
    String text = new String(raw, StandardCharsets.ISO_8859_1);
    int headEnd = text.indexOf("\r\n\r\n");
    if (headEnd < 0) {
      return new Response(0, new byte[0], false, failure);
    }
    String[] lines = text.substring(0, headEnd).split("\r\n");
    int status = Integer.parseInt(lines[0].split(" ")[1]);
    String lowerHead = text.substring(0, headEnd).toLowerCase(Locale.ROOT);
    int position = headEnd + 4;
    if (!lowerHead.contains("transfer-encoding: chunked")) {
      byte[] body = Arrays.copyOfRange(raw, position, raw.length);
      int length = -1;
      for (String line : lines) {
        if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
          length = Integer.parseInt(line.substring("content-length:".length()).strip());
        }
      }
      return new Response(status, body, length == body.length, failure);
    }
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    while (true) {
      int lineEnd = text.indexOf("\r\n", position);
      if (lineEnd < 0) {
        return new Response(status, body.toByteArray(), false, failure);
      }
      int size = Integer.parseInt(text.substring(position, lineEnd).strip(), 16);
      if (size == 0) {
        return new Response(status, body.toByteArray(), true, failure);
      }
      int dataStart = lineEnd + 2;
      if (dataStart + size + 2 > raw.length) {
        return new Response(status, body.toByteArray(), false, failure);
      }
      body.write(raw, dataStart, size);
      position = dataStart + size + 2;
    }
  }
}
