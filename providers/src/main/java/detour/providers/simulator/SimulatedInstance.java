package detour.providers.simulator;

import akka.NotUsed;
import akka.actor.typed.ActorSystem;
import akka.http.javadsl.Http;
import akka.http.javadsl.model.ContentTypes;
import akka.http.javadsl.model.HttpEntities;
import akka.http.javadsl.model.HttpMethod;
import akka.http.javadsl.model.HttpMethods;
import akka.http.javadsl.model.HttpRequest;
import akka.http.javadsl.model.HttpResponse;
import akka.http.javadsl.model.headers.RetryAfter;
import akka.http.javadsl.settings.ServerSettings;
import akka.pattern.Patterns;
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
import detour.providers.simulator.SimulatedAnswers.ChatRequest;
import detour.providers.simulator.SimulatedAnswers.InvalidChatRequest;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Random;
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
 *   <li>{@code POST /v1/chat/completions}: the simulated endpoint, answered as the behaviour says;
 *   <li>{@code GET|PUT /_simulator/behaviour}: read or replace the behaviour (JSON of {@link
 *       Behaviour});
 *   <li>{@code GET /_simulator/stats}: the counters, as {@link InstanceStats#toJsonNode()} plus the
 *       behaviour;
 *   <li>{@code POST /_simulator/reset}: behaviour back to ok, counters to zero.
 * </ul>
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
 * also means no idle timeout is applied to connections, which hang mode wants. A hung request's
 * connection is closed once the client closes its side (Akka HTTP would otherwise keep it open for
 * an answer nobody reads), so clients that give up do not leak server connections.
 *
 * <p>Thread-safe: requests run concurrently, the behaviour is swapped atomically and the counters
 * are atomic, so they are exact.
 */
public final class SimulatedInstance {

  private static final long BODY_TIMEOUT_MS = 30_000;

  /** The listen backlog: generous, as benchmarks open many connections at once. */
  private static final int BACKLOG = 1024;

  /** Why reset mode aborts a connection; the TCP stage answers the failure with an RST. */
  private static final Exception RESET = new ConnectionReset();

  private final String name;
  private final ActorSystem<?> system;
  private final Materializer materializer;
  private final BidiFlow<HttpResponse, ByteString, ByteString, HttpRequest, NotUsed> httpLayer;
  private final AtomicReference<Active> active = new AtomicReference<>(new Active(Behaviour.ok()));

  private final AtomicLong requests = new AtomicLong();
  private final AtomicLong ok = new AtomicLong();
  private final AtomicLong error = new AtomicLong();
  private final AtomicLong rateLimited = new AtomicLong();
  private final AtomicLong hung = new AtomicLong();
  private final AtomicLong reset = new AtomicLong();
  private final AtomicLong invalid = new AtomicLong();

  private final AtomicLong openConnections = new AtomicLong();

  private volatile Tcp.ServerBinding binding;

  private SimulatedInstance(String name, ActorSystem<?> system) {
    this.name = name;
    this.system = system;
    this.materializer = Materializer.matFromSystem(system);
    this.httpLayer =
        Http.get(system)
            .serverLayer(ServerSettings.create(system.classicSystem()))
            .atop(tlsPlacebo());
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
    Connection connection = new Connection(KillSwitches.shared("sim-" + name + "-connection"));
    Flow<ByteString, ByteString, NotUsed> socket =
        Flow.of(ByteString.class)
            .via(connection.killSwitch.flow())
            .via(tcp.flow())
            .via(connection.killSwitch.flow())
            .watchTermination(
                (notUsed, readSideDone) -> {
                  readSideDone.whenComplete(
                      (done, failure) -> connection.clientClosed.complete(null));
                  return notUsed;
                });
    Flow<HttpRequest, HttpResponse, NotUsed> handler =
        Flow.of(HttpRequest.class)
            .mapAsync(1, request -> handle(request, connection))
            .watchTermination(
                (notUsed, done) -> {
                  openConnections.incrementAndGet();
                  done.whenComplete((d, e) -> openConnections.decrementAndGet());
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
    active.set(new Active(Objects.requireNonNull(behaviour, "behaviour")));
  }

  /** The behaviour in force. */
  public Behaviour behaviour() {
    return active.get().behaviour;
  }

  /** How many chat requests this instance has received since start or the last reset. */
  public long requests() {
    return requests.get();
  }

  /** A snapshot of the counters. */
  public InstanceStats stats() {
    return new InstanceStats(
        name,
        requests.get(),
        ok.get(),
        error.get(),
        rateLimited.get(),
        hung.get(),
        reset.get(),
        invalid.get());
  }

  /** Behaviour back to ok, every counter back to zero. */
  public void reset() {
    behave(Behaviour.ok());
    for (AtomicLong counter :
        new AtomicLong[] {requests, ok, error, rateLimited, hung, reset, invalid}) {
      counter.set(0);
    }
  }

  @Override
  public String toString() {
    Tcp.ServerBinding bound = binding;
    return "SimulatedInstance[" + name + (bound == null ? "" : " @ " + baseUrl()) + "]";
  }

  // ---- request handling --------------------------------------------------------------------

  private CompletionStage<HttpResponse> handle(HttpRequest request, Connection connection) {
    String path = request.getUri().path();
    HttpMethod method = request.method();
    if (path.equals("/v1/chat/completions")) {
      if (!method.equals(HttpMethods.POST)) {
        return discardAnd(request, notAllowed(method, path));
      }
      requests.incrementAndGet();
      return withBody(request, body -> chat(body, connection));
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

  private CompletionStage<HttpResponse> chat(byte[] body, Connection connection) {
    ChatRequest chat;
    try {
      chat = SimulatedAnswers.parse(body);
    } catch (InvalidChatRequest e) {
      invalid.incrementAndGet();
      return done(json(400, OpenAiErrors.invalidRequest(e.getMessage(), e.param())));
    }
    Active now = active.get();
    Behaviour behaviour = now.behaviour;
    if (behaviour instanceof Behaviour.Ok) {
      return done(answer(chat));
    } else if (behaviour instanceof Behaviour.ErrorStatus e) {
      return done(failure(e.status()));
    } else if (behaviour instanceof Behaviour.RateLimit r) {
      rateLimited.incrementAndGet();
      HttpResponse response = json(429, OpenAiErrors.rateLimited(name, r.retryAfterSeconds()));
      return done(
          r.retryAfterSeconds().isPresent()
              ? response.addHeader(RetryAfter.create((long) r.retryAfterSeconds().getAsInt()))
              : response);
    } else if (behaviour instanceof Behaviour.Hang) {
      hung.incrementAndGet();
      // Akka HTTP would keep a half-closed connection open for the answer; once the client has
      // closed its side, nobody will read one, so close the connection rather than leak it.
      connection.clientClosed.thenRun(connection.killSwitch::shutdown);
      return new CompletableFuture<>();
    } else if (behaviour instanceof Behaviour.Slow s) {
      HttpResponse response = answer(chat);
      return Patterns.after(s.delay(), system, () -> done(response));
    } else if (behaviour instanceof Behaviour.Reset) {
      reset.incrementAndGet();
      connection.killSwitch.abort(RESET);
      return new CompletableFuture<>();
    } else if (behaviour instanceof Behaviour.FailNext f) {
      return done(now.takeFailure() ? failure(f.status()) : answer(chat));
    } else if (behaviour instanceof Behaviour.FailFraction f) {
      return done(now.drawFailure(f.fraction()) ? failure(f.status()) : answer(chat));
    }
    throw new IllegalStateException("unhandled behaviour " + behaviour);
  }

  private HttpResponse answer(ChatRequest chat) {
    long sequence = ok.incrementAndGet();
    return HttpResponse.create()
        .withEntity(
            HttpEntities.create(
                ContentTypes.APPLICATION_JSON,
                SimulatedAnswers.completion(
                    name, sequence, System.currentTimeMillis() / 1000, chat)));
  }

  private HttpResponse failure(int status) {
    (status == 429 ? rateLimited : error).incrementAndGet();
    return json(status, OpenAiErrors.forStatus(status, name));
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
    return request
        .entity()
        .toStrict(BODY_TIMEOUT_MS, materializer)
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
    return HttpResponse.create()
        .withStatus(OpenAiErrors.statusCode(status))
        .withEntity(HttpEntities.create(ContentTypes.APPLICATION_JSON, body));
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

  /** A behaviour in force, with the state its mode consumes as requests arrive. */
  private static final class Active {
    final Behaviour behaviour;
    private final AtomicLong failuresLeft;
    private final Random random;

    Active(Behaviour behaviour) {
      this.behaviour = behaviour;
      this.failuresLeft = new AtomicLong(behaviour instanceof Behaviour.FailNext f ? f.count() : 0);
      this.random = behaviour instanceof Behaviour.FailFraction f ? new Random(f.seed()) : null;
    }

    /** Whether this request is one of fail-next's failures; exact under concurrency. */
    boolean takeFailure() {
      return failuresLeft.getAndUpdate(n -> n > 0 ? n - 1 : 0) > 0;
    }

    /** One draw of fail-fraction's seeded sequence, in arrival order. */
    boolean drawFailure(double fraction) {
      synchronized (random) {
        return random.nextDouble() < fraction;
      }
    }
  }

  /** One client connection: the switch that ends it, and whether the client has closed its side. */
  private static final class Connection {
    final SharedKillSwitch killSwitch;
    final CompletableFuture<Void> clientClosed = new CompletableFuture<>();

    Connection(SharedKillSwitch killSwitch) {
      this.killSwitch = killSwitch;
    }
  }

  /** The cause given to a connection that reset mode drops. */
  private static final class ConnectionReset extends Exception {
    ConnectionReset() {
      super("sim instance drops this connection (reset mode)", null, false, false);
    }
  }
}
