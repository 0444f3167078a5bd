package detour.router.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * One TCP connection to a local port, written and read byte by byte: for what an HTTP client
 * library will not send (a head trickled in pieces, a malformed request, pipelined requests).
 * Every read is bounded by a timeout.
 */
public final class RawConnection implements AutoCloseable {
  private final Socket socket;
  private final InputStream in;
  private final OutputStream out;
  /** What {@link #readUntilClosed} has read so far. */
  private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

  private RawConnection(Socket socket) throws IOException {
    this.socket = socket;
    this.in = socket.getInputStream();
    this.out = socket.getOutputStream();
  }

  public static RawConnection open(int port) throws IOException {
    var socket = new Socket(InetAddress.getLoopbackAddress(), port);
    socket.setTcpNoDelay(true);
    return new RawConnection(socket);
  }

  public void send(String text) throws IOException {
    out.write(text.getBytes(StandardCharsets.ISO_8859_1));
    out.flush();
  }

  /** An HTTP response as it came off the wire; header names lower-cased. */
  public record Response(int status, Map<String, String> headers, String body) {}

  /** Reads one response, whose body has a Content-Length (every answer of Detour's but a stream). */
  public Response readResponse(Duration patience) throws IOException {
    socket.setSoTimeout((int) patience.toMillis());
    String statusLine = readLine();
    if (statusLine == null) throw new IOException("the connection closed before a response");
    Map<String, String> headers = new LinkedHashMap<>();
    for (String line = readLine(); line != null && !line.isEmpty(); line = readLine()) {
      int colon = line.indexOf(':');
      headers.put(line.substring(0, colon).trim().toLowerCase(Locale.ROOT), line.substring(colon + 1).trim());
    }
    int length = Integer.parseInt(headers.getOrDefault("content-length", "0"));
    byte[] body = in.readNBytes(length);
    return new Response(Integer.parseInt(statusLine.split(" ")[1]), headers, new String(body, StandardCharsets.UTF_8));
  }

  /**
   * True once the other side has closed the connection (end of stream, or a reset), false if it
   * is still open after {@code patience}; bytes that arrive meanwhile are read and dropped.
   */
  public boolean closedWithin(Duration patience) throws IOException {
    socket.setSoTimeout((int) patience.toMillis());
    try {
      while (in.read() >= 0) {
        // skip what is still on its way
      }
      return true;
    } catch (SocketTimeoutException stillOpen) {
      return false;
    } catch (IOException reset) {
      return true;
    }
  }

  /**
   * Everything the other side sends until it closes the connection, if it closes it within
   * {@code patience}; empty if it is still open then (what came is kept for the next call).
   */
  public Optional<String> readUntilClosed(Duration patience) throws IOException {
    socket.setSoTimeout((int) patience.toMillis());
    try {
      for (int b = in.read(); b >= 0; b = in.read()) bytes.write(b);
    } catch (SocketTimeoutException stillOpen) {
      return Optional.empty();
    } catch (IOException reset) {
      // closed with a reset: what came before it is what it sent
    }
    return Optional.of(bytes.toString(StandardCharsets.UTF_8));
  }

  private String readLine() throws IOException {
    var line = new ByteArrayOutputStream();
    for (int b = in.read(); b >= 0; b = in.read()) {
      if (b == '\n') return line.toString(StandardCharsets.ISO_8859_1).replaceAll("\r$", "");
      line.write(b);
    }
    return line.size() == 0 ? null : line.toString(StandardCharsets.ISO_8859_1);
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
