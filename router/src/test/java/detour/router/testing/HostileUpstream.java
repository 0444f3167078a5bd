package detour.router.testing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * An upstream that answers every call with whatever the test scripted: any status, any headers,
 * any bytes. The provider simulator speaks its protocols faithfully; this one says what a hostile
 * or broken provider might, such as our own key echoed back in an error's message, code, type or
 * headers. On loopback, one scripted answer at a time.
 */
public final class HostileUpstream implements AutoCloseable {
  /** One answer: status, headers (a name may repeat), and the body's bytes. */
  public record Answer(int status, List<Map.Entry<String, String>> headers, byte[] body) {}

  private final HttpServer server;
  private final ExecutorService threads = Executors.newFixedThreadPool(2);
  private final AtomicReference<Answer> script = new AtomicReference<>(
      new Answer(500, List.of(), "{\"error\":{\"message\":\"nothing scripted\"}}".getBytes()));
  private final AtomicInteger calls = new AtomicInteger();
  private final AtomicReference<String> lastAuthorization = new AtomicReference<>();

  private HostileUpstream(HttpServer server) {
    this.server = server;
    server.createContext("/", this::answer);
    server.setExecutor(threads);
    server.start();
  }

  public static HostileUpstream start() {
    try {
      return new HostileUpstream(HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0));
    } catch (IOException failed) {
      throw new IllegalStateException("could not bind a loopback port", failed);
    }
  }

  /** The base URL of its OpenAI-compatible API. */
  public String baseUrl() {
    return "http://127.0.0.1:" + server.getAddress().getPort() + "/v1";
  }

  public void answerWith(Answer answer) {
    script.set(answer);
  }

  /** Calls it has received since it started. */
  public int calls() {
    return calls.get();
  }

  /** The Authorization header of the last call: proof that our key was sent to it. */
  public String lastAuthorization() {
    return lastAuthorization.get();
  }

  private void answer(HttpExchange exchange) throws IOException {
    try (exchange; InputStream body = exchange.getRequestBody()) {
      body.readAllBytes();
      calls.incrementAndGet();
      lastAuthorization.set(exchange.getRequestHeaders().getFirst("Authorization"));
      Answer answer = script.get();
      answer.headers().forEach(h -> exchange.getResponseHeaders().add(h.getKey(), h.getValue()));
      exchange.sendResponseHeaders(answer.status(), answer.body().length == 0 ? -1 : answer.body().length);
      if (answer.body().length > 0) exchange.getResponseBody().write(answer.body());
    }
  }

  @Override
  public void close() {
    server.stop(0);
    threads.shutdownNow();
  }
}
