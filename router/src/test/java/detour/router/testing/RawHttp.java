package detour.router.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * HTTP/1.1 over a bare socket, for requests no HTTP client will send: broken framing, abusive
 * headers, odd versions, smuggling attempts, a client that trickles its headers. Loopback only;
 * every read is bounded in time.
 */
public final class RawHttp {
  private RawHttp() {}

  /**
   * What came back. {@code status} is 0 when no response (or no parsable one) arrived.
   *
   * @param raw every byte the server sent, for checks that nothing leaked anywhere in it
   * @param closed whether the server closed the connection (or reset it) within the patience
   * @param millis from the first byte sent to the response's end or the close, whichever came last
   */
  public record Response(int status, List<Map.Entry<String, String>> headers, byte[] body, byte[] raw,
      boolean closed, long millis) {
    public String header(String name) {
      return headers.stream().filter(h -> h.getKey().equalsIgnoreCase(name)).map(Map.Entry::getValue)
          .findFirst().orElse(null);
    }

    public String bodyText() {
      return new String(body, StandardCharsets.UTF_8);
    }

    public String rawText() {
      return new String(raw, StandardCharsets.UTF_8);
    }
  }

  /**
   * Sends {@code request} (written from another thread, so that a server that answers before it has
   * read everything is heard) and reads until a whole response has arrived or the server closes.
   */
  public static Response exchange(int port, byte[] request, Duration patience) {
    long started = System.nanoTime();
    try (Socket socket = connect(port, patience)) {
      CompletableFuture<Void> sent = CompletableFuture.runAsync(() -> {
        try {
          OutputStream out = socket.getOutputStream();
          out.write(request);
          out.flush();
        } catch (IOException refused) {
          // the server stopped reading (it answered early, or closed): what it said is read below
        }
      });
      Response response = read(socket, patience, started);
      sent.cancel(true);
      return response;
    } catch (IOException failed) {
      throw new IllegalStateException("could not talk to 127.0.0.1:" + port, failed);
    }
  }

  /**
   * Sends {@code head}, then one byte of {@code trickle} every {@code every}, for as long as the
   * server keeps the connection open, {@code patience} at most; {@code meanwhile} runs after each
   * byte of the trickle (to move a test's manual time, say: after every byte, so that a server-side
   * timer armed only once the first bytes have crossed the socket is still moved past its deadline).
   */
  public static Response trickle(int port, byte[] head, byte trickle, Duration every, Duration patience,
      Runnable meanwhile) {
    long started = System.nanoTime();
    try (Socket socket = connect(port, patience)) {
      OutputStream out = socket.getOutputStream();
      out.write(head);
      out.flush();
      socket.setSoTimeout((int) Math.max(1, every.toMillis()));
      ByteArrayOutputStream got = new ByteArrayOutputStream();
      byte[] buffer = new byte[8192];
      while (elapsed(started).compareTo(patience) < 0) {
        try {
          out.write(trickle);
          out.flush();
        } catch (IOException closedByServer) {
          return parse(got.toByteArray(), true, started);
        }
        meanwhile.run();
        try {
          int n = socket.getInputStream().read(buffer);
          if (n < 0) return parse(got.toByteArray(), true, started);
          got.write(buffer, 0, n);
        } catch (SocketTimeoutException nothingYet) {
          // keep trickling
        } catch (IOException reset) {
          return parse(got.toByteArray(), true, started);
        }
      }
      return parse(got.toByteArray(), false, started);
    } catch (IOException failed) {
      throw new IllegalStateException("could not talk to 127.0.0.1:" + port, failed);
    }
  }

  private static Socket connect(int port, Duration patience) throws IOException {
    Socket socket = new Socket();
    socket.connect(new InetSocketAddress("127.0.0.1", port), (int) patience.toMillis());
    return socket;
  }

  private static Response read(Socket socket, Duration patience, long started) throws IOException {
    ByteArrayOutputStream got = new ByteArrayOutputStream();
    byte[] buffer = new byte[65536];
    InputStream in = socket.getInputStream();
    while (true) {
      long left = patience.minus(elapsed(started)).toMillis();
      if (left <= 0) return parse(got.toByteArray(), false, started);
      socket.setSoTimeout((int) left);
      int n;
      try {
        n = in.read(buffer);
      } catch (SocketTimeoutException timedOut) {
        return parse(got.toByteArray(), false, started);
      } catch (IOException reset) {
        return parse(got.toByteArray(), true, started);
      }
      if (n < 0) return parse(got.toByteArray(), true, started);
      got.write(buffer, 0, n);
      Response whole = parse(got.toByteArray(), false, started);
      if (whole.status() != 0 && complete(whole, got.size())) return whole;
    }
  }

  /** Whether the bytes so far hold the whole response, by its Content-Length or its last chunk. */
  private static boolean complete(Response r, int received) {
    String length = r.header("Content-Length");
    String encoding = r.header("Transfer-Encoding");
    if (encoding != null && encoding.toLowerCase(Locale.ROOT).contains("chunked")) {
      return r.rawText().endsWith("0\r\n\r\n");
    }
    if (length != null) {
      int head = indexOf(r.raw(), "\r\n\r\n".getBytes(StandardCharsets.US_ASCII)) + 4;
      return received - head >= Integer.parseInt(length.trim());
    }
    return false;  // read until the server closes
  }

  private static Response parse(byte[] raw, boolean closed, long started) {
    long millis = elapsed(started).toMillis();
    int end = indexOf(raw, "\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
    if (end < 0) return new Response(0, List.of(), new byte[0], raw, closed, millis);
    String[] lines = new String(raw, 0, end, StandardCharsets.ISO_8859_1).split("\r\n");
    String[] statusLine = lines[0].split(" ", 3);
    int status;
    try {
      status = statusLine.length >= 2 && statusLine[0].startsWith("HTTP/") ? Integer.parseInt(statusLine[1]) : 0;
    } catch (NumberFormatException notHttp) {
      status = 0;
    }
    List<Map.Entry<String, String>> headers = new ArrayList<>();
    for (int i = 1; i < lines.length; i++) {
      int colon = lines[i].indexOf(':');
      if (colon > 0) headers.add(Map.entry(lines[i].substring(0, colon).trim(), lines[i].substring(colon + 1).trim()));
    }
    byte[] body = java.util.Arrays.copyOfRange(raw, end + 4, raw.length);
    boolean chunked = headers.stream().anyMatch(h -> h.getKey().equalsIgnoreCase("Transfer-Encoding")
        && h.getValue().toLowerCase(Locale.ROOT).contains("chunked"));
    return new Response(status, headers, chunked ? unchunk(body) : body, raw, closed, millis);
  }

  private static byte[] unchunk(byte[] body) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int at = 0;
    while (at < body.length) {
      int lineEnd = indexOf(body, "\r\n".getBytes(StandardCharsets.US_ASCII), at);
      if (lineEnd < 0) break;
      String size = new String(body, at, lineEnd - at, StandardCharsets.US_ASCII).split(";")[0].trim();
      int n;
      try {
        n = Integer.parseInt(size, 16);
      } catch (NumberFormatException cut) {
        break;
      }
      if (n == 0) break;
      int from = lineEnd + 2;
      out.write(body, from, Math.min(n, body.length - from));
      at = from + n + 2;
    }
    return out.toByteArray();
  }

  private static int indexOf(byte[] haystack, byte[] needle) {
    return indexOf(haystack, needle, 0);
  }

  private static int indexOf(byte[] haystack, byte[] needle, int from) {
    outer:
    for (int i = from; i <= haystack.length - needle.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) continue outer;
      }
      return i;
    }
    return -1;
  }

  private static Duration elapsed(long startedNanos) {
    return Duration.ofNanos(System.nanoTime() - startedNanos);
  }
}
