package detour.simulator;

import akka.NotUsed;
import akka.actor.typed.ActorSystem;
import akka.http.javadsl.Http;
import akka.http.javadsl.model.HttpMethod;
import akka.http.javadsl.model.HttpMethods;
import akka.http.javadsl.model.HttpRequest;
import akka.http.javadsl.model.HttpResponse;
import akka.http.javadsl.settings.ServerSettings;
import akka.stream.KillSwitches;
import akka.stream.Materializer;
import akka.stream.SharedKillSwitch;
import akka.stream.TLSProtocol.SslTlsInbound;
import akka.stream.TLSProtocol.SslTlsOutbound;
import akka.stream.javadsl.BidiFlow;
import akka.stream.javadsl.Flow;
import akka.stream.javadsl.Sink;
import akka.stream.javadsl.TLSPlacebo;
import akka.stream.javadsl.Tcp;
import akka.util.ByteString;
import com.fasterxml.jackson.databind.node.ObjectNode;
import detour.simulator.ErrorAnswer.Refused;
import detour.simulator.SimConnection.Exchange;
import detour.simulator.SimulatedAnswers.ChatRequest;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;

/**
 * One named simulated provider on its own loopback port: the behaviour in force, exact request
 * counters, and the handling of its HTTP surface.
 *
 * <ul>
 *   <li>{@code POST /v1/chat/completions} (OpenAI), {@code POST /v1/messages} (Anthropic), {@code
 *       POST /v1beta/models/{model}:generateContent} and {@code :streamGenerateContent?alt=sse}
 *       (Gemini): the simulated endpoints, each in its own wire format ({@link Dialect}), all
 *       answered as the one behaviour in force says ({@link ChatResponder});
 *   <li>{@code GET|PUT /_simulator/behaviour}: read or replace the behaviour (JSON of {@link
 *       Behaviour});
 *   <li>{@code GET /_simulator/stats}: the counters, as {@link InstanceStats#toJsonNode()} plus the
 *       behaviour;
 *   <li>{@code GET /_simulator/last-request}: the last chat request received, credentials redacted
 *       ({@link LastRequest}); 404 before the first;
 *   <li>{@code POST /_simulator/reset}: behaviour back to ok, counters to zero, last request
 *       forgotten.
 * </ul>
 *
 * <p>A chat body declared larger than {@code akka.http.server.parsing.max-content-length} (Akka's
 * default, 8 MiB) is answered with the protocol's 413 and not read, whatever the behaviour, as a
 * provider's front end answers a body beyond its limit.
 *
 * <p>How {@code reset} mode drops a connection: the instance binds with Akka Streams' {@link Tcp}
 * and serves each accepted connection with its own stack, handler ({@code mapAsync(1)} over {@code
 * handle}) over Akka HTTP's {@linkplain Http#serverLayer server layer} over the socket, with a
 * per-connection {@link SharedKillSwitch} wrapped around the socket. In reset mode the handler
 * aborts that kill switch; the TCP stage sees its input fail and aborts the socket, so the client
 * gets a TCP RST and no byte of HTTP ({@code Connection reset}, or an {@code IOException} from an
 * HTTP client). Only that connection is affected; the instance keeps accepting. (Failing or
 * completing the handler flow of an {@code Http.newServerAt(..).connectionSource()} connection does
 * not work: Akka HTTP turns either into a 500 response.) Going through the server layer directly
 * also means no idle timeout is applied to connections, which hang mode wants. A connection whose
 * client closes its side while an answer is unfinished is closed too ({@link SimConnection}), and
 * that request counts as cancelled. A response cut on purpose ({@code stream-drop}) ends the
 * connection's output in the middle of the response, in stream order ({@link
 * SimConnection#cutter()}).
 *
 * <p>Thread-safe: requests run concurrently, the behaviour is swapped atomically and the counters
 * are atomic, so they are exact.
 */
public final class SimulatedInstance {

  private static final long BODY_TIMEOUT_MS = 30_000;

  /** The listen backlog: generous, as benchmarks open many connections at once. */
  private static final int BACKLOG = 1024;

  private final String name;
  private final ActorSystem<?> system;
  private final Materializer materializer;
  private final BidiFlow<HttpResponse, ByteString, ByteString, HttpRequest, NotUsed> httpLayer;
  private final AtomicReference<ActiveBehaviour> active =
      new AtomicReference<>(new ActiveBehaviour(Behaviour.ok()));
  private final InstanceCounters counters = new InstanceCounters();
  private final ChatResponder responder;
  private final AtomicReference<ObjectNode> lastRequest = new AtomicReference<>();

  private final AtomicLong openConnections = new AtomicLong();
  /** The largest chat body read: {@code akka.http.server.parsing.max-content-length}, 8 MiB. */
  private final long maxBodyBytes;

  private volatile Tcp.ServerBinding binding;

  private SimulatedInstance(String name, ActorSystem<?> system) {
    this.name = name;
    this.system = system;
    this.materializer = Materializer.matFromSystem(system);
    this.responder = new ChatResponder(name, system, counters);
    ServerSettings server = ServerSettings.create(system.classicSystem());
    this.maxBodyBytes = server.getParserSettings().getMaxContentLength();
    this.httpLayer = Http.get(system).serverLayer(server).atop(tlsPlacebo());
  }

  /** Binds a new instance to {@code 127.0.0.1:port} (0 picks a free port) on {@code system}. */
  static CompletionStage<SimulatedInstance> start(String name, int port, ActorSystem<?> system) {
    SimulatedInstance instance = new SimulatedInstance(name, system);
    return Tcp.get(system)
        .bind("127.0.0.1", port, BACKLOG, List.of(), false, Optional.empty())
        .to(Sink.foreach(instance::serve))
        .run(instance.materializer)
        .thenApply(
            bound -> {
              instance.binding = bound;
              return instance;
            });
  }

  /**
   * Serves one TCP connection: the handler, over Akka HTTP's server layer, over the socket, with a
   * kill switch around the socket that reset mode pulls.
   */
  private void serve(Tcp.IncomingConnection tcp) {
    SimConnection connection =
        new SimConnection(KillSwitches.shared("sim-" + name + "-connection"));
    Flow<ByteString, ByteString, NotUsed> socket =
        Flow.of(ByteString.class)
            .via(connection.cutter())
            .via(connection.killSwitch.flow())
            .via(tcp.flow())
            .via(connection.killSwitch.flow())
            .watchTermination(
                (notUsed, readSideDone) -> {
                  AkkaStages.plain(readSideDone).whenComplete(
                      (done, failure) -> connection.clientClosed.complete(null));
                  return notUsed;
                });
    Flow<HttpRequest, HttpResponse, NotUsed> handler =
        Flow.of(HttpRequest.class)
            .mapAsync(1, request -> handle(request, connection))
            .watchTermination(
                (notUsed, done) -> {
                  openConnections.incrementAndGet();
                  AkkaStages.plain(done).whenComplete((d, e) -> openConnections.decrementAndGet());
                  return notUsed;
                });
    handler.join(httpLayer.join(socket)).run(materializer);
  }

  /** Stops accepting connections; open connections live on until the actor system stops. */
  CompletionStage<?> unbind() {
    Tcp.ServerBinding bound = binding;
    return bound == null ? CompletableFuture.completedFuture(null) : bound.unbind();
  }

  /** How many client connections are open right now. */
  long openConnections() {
    return openConnections.get();
  }

  /** The instance's name, as given at start. */
  public String name() {
    return name;
  }

  /** The loopback port it listens on. */
  public int port() {
    return binding.localAddress().getPort();
  }

  /** The OpenAI base URL of this instance: {@code http://127.0.0.1:<port>/v1}. */
  public String baseUrl() {
    return "http://127.0.0.1:" + port() + "/v1";
  }

  /** Puts {@code behaviour} in force for the requests that arrive from now on. */
  public void behave(Behaviour behaviour) {
    active.set(new ActiveBehaviour(Objects.requireNonNull(behaviour, "behaviour")));
  }

  /** The behaviour in force. */
  public Behaviour behaviour() {
    return active.get().behaviour;
  }

  /** How many chat requests this instance has received since start or the last reset. */
  public long requests() {
    return counters.requests.get();
  }

  /** A snapshot of the counters. */
  public InstanceStats stats() {
    return counters.snapshot(name);
  }

  /**
   * The last chat request received, as {@code GET /_simulator/last-request} shows it (credentials
   * redacted); empty before the first or after a reset.
   */
  public Optional<ObjectNode> lastRequest() {
    ObjectNode last = lastRequest.get();
    return last == null ? Optional.empty() : Optional.of(last.deepCopy());
  }

  /** Behaviour back to ok, every counter back to zero, the last request forgotten. */
  public void reset() {
    behave(Behaviour.ok());
    counters.clear();
    lastRequest.set(null);
  }

  @Override
  public String toString() {
    Tcp.ServerBinding bound = binding;
    return "SimulatedInstance[" + name + (bound == null ? "" : " @ " + baseUrl()) + "]";
  }

  // ---- request handling --------------------------------------------------------------------

  private CompletionStage<HttpResponse> handle(HttpRequest request, SimConnection connection) {
    String path = request.getUri().path();
    HttpMethod method = request.method();
    Optional<Dialect> dialect = Dialect.forPath(path);
    if (dialect.isPresent()) {
      if (!method.equals(HttpMethods.POST)) {
        return discardAnd(request, notAllowed(method, path));
      }
      counters.requests.incrementAndGet();
      counters.protocol(dialect.get()).incrementAndGet();
      if (request.entity().getContentLengthOption().orElse(0L) > maxBodyBytes) {
        // As a provider's front end answers a body beyond its limit: the protocol's 413, unread.
        ErrorAnswer tooLarge = dialect.get().error(413, name);
        return discardAnd(request, json(tooLarge.status(), tooLarge.body()));
      }
      return withBody(request, body -> chat(dialect.get(), ChatCall.of(request, body), connection));
    }
    if (path.equals("/_simulator/behaviour")) {
      if (method.equals(HttpMethods.GET)) {
        return discardAnd(request, json(200, behaviour().toJson()));
      }
      if (method.equals(HttpMethods.PUT)) {
        return withBody(request, this::putBehaviour);
      }
      return discardAnd(request, notAllowed(method, path));
    }
    if (path.equals("/_simulator/stats")) {
      return discardAnd(
          request, method.equals(HttpMethods.GET) ? statsResponse() : notAllowed(method, path));
    }
    if (path.equals("/_simulator/last-request")) {
      return discardAnd(
          request,
          method.equals(HttpMethods.GET) ? lastRequestResponse() : notAllowed(method, path));
    }
    if (path.equals("/_simulator/reset")) {
      if (!method.equals(HttpMethods.POST)) {
        return discardAnd(request, notAllowed(method, path));
      }
      reset();
      return discardAnd(request, statsResponse());
    }
    return discardAnd(
        request,
        json(
            404,
            OpenAiErrors.render(
                "Unknown path " + path + " on sim instance '" + name + "'.",
                "invalid_request_error",
                null,
                "unknown_url")));
  }

  private CompletionStage<HttpResponse> chat(
      Dialect dialect, ChatCall call, SimConnection connection) {
    lastRequest.set(LastRequest.of(call));
    ChatRequest chat;
    try {
      chat = dialect.read(call);
    } catch (Refused e) {
      counters.invalid.incrementAndGet();
      ErrorAnswer refusal = e.answer();
      return done(json(refusal.status(), refusal.body()));
    }
    if (chat.stream()) {
      counters.streams.incrementAndGet();
    }
    Exchange exchange = connection.begin(counters.cancelled::incrementAndGet);
    return responder.respond(dialect, chat, active.get(), exchange, connection);
  }

  private CompletionStage<HttpResponse> putBehaviour(byte[] body) {
    Behaviour behaviour;
    try {
      behaviour = Behaviour.fromJson(new String(body, StandardCharsets.UTF_8));
    } catch (IllegalArgumentException e) {
      return done(
          json(
              400,
              OpenAiErrors.render(
                  "Invalid behaviour: " + e.getMessage(),
                  "invalid_request_error",
                  null,
                  "invalid_behaviour")));
    }
    behave(behaviour);
    return done(json(200, behaviour.toJson()));
  }

  private HttpResponse statsResponse() {
    return json(200, stats().toJsonNode().set("behaviour", behaviour().toJsonNode()).toString());
  }

  private HttpResponse lastRequestResponse() {
    ObjectNode last = lastRequest.get();
    if (last == null) {
      return json(
          404,
          OpenAiErrors.render(
              "Sim instance '" + name + "' has received no chat request since start or reset.",
              "invalid_request_error",
              null,
              "no_request"));
    }
    return json(200, last.toString());
  }

  private HttpResponse notAllowed(HttpMethod method, String path) {
    return json(
        405,
        OpenAiErrors.render(
            "Method " + method.value() + " is not allowed on " + path + ".",
            "invalid_request_error",
            null,
            "method_not_allowed"));
  }

  private CompletionStage<HttpResponse> withBody(
      HttpRequest request, Function<byte[], CompletionStage<HttpResponse>> then) {
    return AkkaStages.plain(request.entity().toStrict(BODY_TIMEOUT_MS, materializer))
        .thenCompose(strict -> then.apply(strict.getData().toArrayUnsafe()));
  }

  private CompletionStage<HttpResponse> discardAnd(HttpRequest request, HttpResponse response) {
    request.discardEntityBytes(materializer);
    return done(response);
  }

  private static CompletionStage<HttpResponse> done(HttpResponse response) {
    return CompletableFuture.completedFuture(response);
  }

  private static HttpResponse json(int status, byte[] body) {
    return ChatResponder.json(status, body);
  }

  private static HttpResponse json(int status, String body) {
    return json(status, body.getBytes(StandardCharsets.UTF_8));
  }

  /**
   * Plain TCP under the HTTP layer. TLSPlacebo's inbound element type, {@code SessionBytes}, is an
   * {@code SslTlsInbound}; Java generics cannot see that, hence the cast.
   */
  @SuppressWarnings({"unchecked", "rawtypes"})
  private static BidiFlow<SslTlsOutbound, ByteString, ByteString, SslTlsInbound, NotUsed>
      tlsPlacebo() {
    return (BidiFlow) TLSPlacebo.getInstance();
  }
}
