package detour.router.http;

import akka.Done;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.Adapter;
import akka.event.LoggingAdapter;
import akka.http.impl.engine.HttpConnectionIdleTimeoutBidi$;
import akka.http.impl.engine.server.GracefulTerminatorStage$;
import akka.http.impl.engine.server.MasterServerTerminator;
import akka.http.impl.engine.server.ServerTerminator;
import akka.http.javadsl.ServerBinding;
import akka.http.javadsl.model.HttpRequest;
import akka.http.javadsl.model.HttpResponse;
import akka.http.javadsl.model.StatusCodes;
import akka.http.javadsl.server.Route;
import akka.http.scaladsl.settings.ServerSettings;
import akka.japi.Pair;
import akka.stream.Materializer;
import akka.stream.javadsl.BidiFlow;
import akka.stream.javadsl.Flow;
import akka.stream.javadsl.Keep;
import akka.stream.javadsl.Sink;
import akka.stream.javadsl.TLSPlacebo;
import akka.stream.javadsl.Tcp;
import akka.util.ByteString;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import scala.Option;
import scala.concurrent.ExecutionContext;
import scala.jdk.javaapi.FutureConverters;

/**
 * Binds the API port as Akka HTTP's own {@code newServerAt(...).bind(...)} does (the same
 * {@code akka.http.server} settings: backlog, max-connections, idle-timeout, pipelining, graceful
 * termination), with one stage more in each connection, {@link HeaderReadTimeout}, between TCP and
 * the HTTP layer, which Akka's binding offers no place for. HTTP/1.1 only, as before (Detour never
 * enabled HTTP/2).
 *
 * <p>The graceful terminator and the idle-timeout stage are Akka HTTP's own internal classes, as its
 * binding uses them: Detour is pinned to Akka HTTP 10.5.3, the last release it may use.
 */
public final class ApiServer {
  private ApiServer() {}

  /** Serves {@code route} on {@code host:port}; a request's head must arrive within {@code headerReadTimeout}. */
  public static CompletionStage<ServerBinding> bind(ActorSystem<?> system, String host, int port,
      Duration headerReadTimeout, Route route) {
    var classic = Adapter.toClassic(system);
    var settings = (ServerSettings) akka.http.javadsl.settings.ServerSettings.create(classic);
    LoggingAdapter log = classic.log();
    Materializer materializer = Materializer.matFromSystem(system);
    ExecutionContext ec = system.executionContext();
    akka.japi.function.Function<HttpRequest, CompletionStage<HttpResponse>> handler = route.handler(system);
    ByteString expired = HeaderReadTimeout.timeoutAnswer(new ApiError(StatusCodes.REQUEST_TIMEOUT,
        "The request's headers did not arrive within " + (headerReadTimeout.toMillis() % 1000 == 0
            ? headerReadTimeout.toSeconds() + " s" : headerReadTimeout.toMillis() + " ms")
            + " of their first byte: the connection is closed.",
        "invalid_request_error", null, "header_read_timeout").body(DetourJson.MAPPER).toString());
    var connections = new MasterServerTerminator(log);
    return Tcp.get(system)
        .bind(host, port, settings.getBacklog(), settings.getSocketOptions(), false, Optional.empty())
        .mapAsyncUnordered(settings.getMaxConnections(), incoming -> {
          var signals = new HeaderReadTimeout.Signals();
          Flow<HttpRequest, HttpResponse, CompletionStage<Done>> handlerFlow = Flow.of(HttpRequest.class)
              .watchTermination(Keep.right())
              .map(request -> {
                signals.headParsed();
                return request;
              })
              .mapAsync(settings.getPipeliningLimit(), handler)
              .map(signals::answered)
              // Done once the handler is done in both directions.
              .watchTermination((before, after) -> before.thenCompose(done -> after));
          Pair<CompletionStage<Done>, ServerTerminator> running = handlerFlow
              .joinMat(layers(classic, settings, log, incoming, headerReadTimeout, signals, expired), Keep.both())
              .watchTermination((pair, whenDone) -> {
                whenDone.whenComplete((done, failed) -> connections.removeConnection(pair.second()));
                return pair;
              })
              .join(incoming.flow())
              .addAttributes(akka.http.scaladsl.Http$.MODULE$.cancellationStrategyAttributeForDelay(settings.getStreamCancellationDelay()))
              .run(materializer);
          connections.registerConnection(running.second(), ec);
          // A connection's own failure (a reset, a timeout) ends that connection, never the binding.
          return running.first().exceptionally(failed -> Done.getInstance());
        })
        .mapMaterializedValue(bound -> bound.thenApply(tcp -> new ServerBinding(new akka.http.scaladsl.Http.ServerBinding(
            tcp.localAddress(),
            () -> FutureConverters.asScala(tcp.unbind().toCompletableFuture()),
            deadline -> connections.terminate(deadline, ec)))))
        .to(Sink.ignore())
        .run(materializer);
  }

  /** One connection's stack, top to bottom: terminator, HTTP, TLS placebo, header clock, idle-timeout. */
  @SuppressWarnings({"unchecked", "rawtypes"})
  private static BidiFlow<HttpResponse, ByteString, ByteString, HttpRequest, ServerTerminator> layers(
      akka.actor.ActorSystem classic, ServerSettings settings, LoggingAdapter log, Tcp.IncomingConnection incoming,
      Duration headerReadTimeout, HeaderReadTimeout.Signals signals, ByteString expired) {
    // Akka's scaladsl model classes implement the javadsl ones: the casts only widen element types.
    BidiFlow terminator = GracefulTerminatorStage$.MODULE$.apply(classic, settings).asJava();
    BidiFlow http = akka.http.javadsl.Http.get(classic)
        .serverLayer(settings, Optional.of(incoming.remoteAddress()), log);
    BidiFlow placebo = TLSPlacebo.getInstance();
    BidiFlow idle = HttpConnectionIdleTimeoutBidi$.MODULE$
        .apply(settings.getTimeouts().idleTimeout(), Option.apply(incoming.remoteAddress())).asJava();
    return (BidiFlow<HttpResponse, ByteString, ByteString, HttpRequest, ServerTerminator>) terminator
        .atop(http)
        .atop(placebo)
        .atop(HeaderReadTimeout.create(headerReadTimeout, signals, expired))
        .atop(idle);
  }
}
