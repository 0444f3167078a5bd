package detour.simulator;

import akka.actor.typed.ActorSystem;
import akka.http.javadsl.model.ContentType;
import akka.http.javadsl.model.ContentTypes;
import akka.http.javadsl.model.HttpEntities;
import akka.http.javadsl.model.HttpResponse;
import akka.http.javadsl.model.MediaTypes;
import akka.http.javadsl.model.headers.CacheControl;
import akka.http.javadsl.model.headers.CacheDirectives;
import akka.http.javadsl.model.headers.RawHeader;
import akka.http.javadsl.model.headers.RetryAfter;
import akka.pattern.Patterns;
import detour.simulator.SimConnection.Exchange;
import detour.simulator.SimulatedAnswers.ChatRequest;
import detour.simulator.StreamPlayer.Step;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Answers one valid chat request as the behaviour in force says, in the request's protocol: picks
 * the outcome, counts it, and builds the response, whole, streamed, delayed, cut or never.
 */
final class ChatResponder {

  private static final ContentType EVENT_STREAM = ContentTypes.create(MediaTypes.TEXT_EVENT_STREAM);

  /** Why reset mode aborts a connection; the TCP stage answers the failure with an RST. */
  private static final Exception RESET = new ConnectionReset();

  private final String instance;
  private final ActorSystem<?> system;
  private final InstanceCounters counters;

  ChatResponder(String instance, ActorSystem<?> system, InstanceCounters counters) {
    this.instance = instance;
    this.system = system;
    this.counters = counters;
  }

  /** The response to {@code request}, in flight as {@code exchange} on {@code connection}. */
  CompletionStage<HttpResponse> respond(
      Dialect dialect,
      ChatRequest request,
      ActiveBehaviour now,
      Exchange exchange,
      SimConnection connection) {
    Behaviour behaviour = now.behaviour;
    if (behaviour instanceof Behaviour.Ok) {
      counters.ok.incrementAndGet();
      return send(answer(dialect, request, behaviour, exchange, connection), exchange);
    } else if (behaviour instanceof Behaviour.ErrorStatus e) {
      return send(failure(dialect, e.status()), exchange);
    } else if (behaviour instanceof Behaviour.RateLimit r) {
      counters.rateLimited.incrementAndGet();
      return send(error(dialect.rateLimited(instance, r.retryAfterSeconds())), exchange);
    } else if (behaviour instanceof Behaviour.Hang) {
      counters.hung.incrementAndGet();
      return never();
    } else if (behaviour instanceof Behaviour.Slow s) {
      counters.ok.incrementAndGet();
      return sendLater(
          s.delayMs(), answer(dialect, request, behaviour, exchange, connection), exchange);
    } else if (behaviour instanceof Behaviour.Reset) {
      counters.reset.incrementAndGet();
      exchange.finish();
      connection.killSwitch.abort(RESET);
      return never();
    } else if (behaviour instanceof Behaviour.FailNext f) {
      return now.takeFailure()
          ? send(failure(dialect, f.status()), exchange)
          : passed(dialect, request, behaviour, exchange, connection);
    } else if (behaviour instanceof Behaviour.FailFraction f) {
      return now.drawFailure(f.fraction())
          ? send(failure(dialect, f.status()), exchange)
          : passed(dialect, request, behaviour, exchange, connection);
    } else if (behaviour instanceof Behaviour.StreamDrop) {
      counters.dropped.incrementAndGet();
      return send(faulty(dialect, request, behaviour, exchange, connection), exchange);
    } else if (behaviour instanceof Behaviour.StallFirstToken s) {
      counters.stalled.incrementAndGet();
      if (request.stream()) {
        return send(faulty(dialect, request, behaviour, exchange, connection), exchange);
      }
      return s.ms().isPresent()
          ? sendLater(
              s.ms().getAsLong(),
              answer(dialect, request, behaviour, exchange, connection),
              exchange)
          : never();
    } else if (behaviour instanceof Behaviour.StallBetween) {
      counters.stalled.incrementAndGet();
      return send(faulty(dialect, request, behaviour, exchange, connection), exchange);
    } else if (behaviour instanceof Behaviour.Malformed) {
      counters.malformed.incrementAndGet();
      return send(faulty(dialect, request, behaviour, exchange, connection), exchange);
    } else if (behaviour instanceof Behaviour.ContextLength c) {
      counters.error.incrementAndGet();
      return send(error(dialect.contextLength(request.promptTokens(), c.limitTokens())), exchange);
    } else if (behaviour instanceof Behaviour.Overloaded) {
      counters.error.incrementAndGet();
      return send(error(dialect.overloaded(instance)), exchange);
    } else if (behaviour instanceof Behaviour.StreamError) {
      counters.streamError.incrementAndGet();
      return request.stream()
          ? send(faulty(dialect, request, behaviour, exchange, connection), exchange)
          : send(error(dialect.overloaded(instance)), exchange);
    } else if (behaviour instanceof Behaviour.EchoError e) {
      counters.failure(e.status());
      return send(error(dialect.echoed(e.status(), e.text())), exchange);
    }
    throw new IllegalStateException("unhandled behaviour " + behaviour);
  }

  /** A response ready to go; {@code whole} when its entity is complete (not a played source). */
  private record Prepared(HttpResponse response, boolean whole) {}

  /** A fail-next / fail-fraction request let through: answered normally, default shape. */
  private CompletionStage<HttpResponse> passed(
      Dialect dialect,
      ChatRequest request,
      Behaviour behaviour,
      Exchange exchange,
      SimConnection connection) {
    counters.ok.incrementAndGet();
    return send(answer(dialect, request, behaviour, exchange, connection), exchange);
  }

  /** The normal answer: whole JSON, or a stream paced by the behaviour's shape. */
  private Prepared answer(
      Dialect dialect,
      ChatRequest request,
      Behaviour behaviour,
      Exchange exchange,
      SimConnection connection) {
    Reply reply = reply(request, behaviour.shape());
    if (request.stream()) {
      return stream(dialect, reply, request, Behaviour.ok(behaviour.shape()), exchange, connection);
    }
    return new Prepared(json(200, dialect.answer(reply)), true);
  }

  /** The answer as a fault mode deforms it; streams and non-streams differ (see Behaviour). */
  private Prepared faulty(
      Dialect dialect,
      ChatRequest request,
      Behaviour behaviour,
      Exchange exchange,
      SimConnection connection) {
    Reply reply = reply(request, behaviour.shape());
    if (request.stream()) {
      return stream(dialect, reply, request, behaviour, exchange, connection);
    }
    byte[] body = dialect.answer(reply);
    if (behaviour instanceof Behaviour.Malformed) {
      return new Prepared(json(200, Arrays.copyOf(body, body.length / 2)), true);
    }
    List<Step> steps = StreamPlayer.body(body, behaviour);
    return new Prepared(
        HttpResponse.create()
            .withEntity(
                HttpEntities.create(
                    ContentTypes.APPLICATION_JSON,
                    body.length,
                    StreamPlayer.play(
                        steps,
                        exchange::finish,
                        () -> connection.armCut(false),
                        exchange::cancel))),
        false);
  }

  private Prepared stream(
      Dialect dialect,
      Reply reply,
      ChatRequest request,
      Behaviour behaviour,
      Exchange exchange,
      SimConnection connection) {
    StreamScript script = dialect.stream(reply, request, behaviour.shape());
    List<Step> steps = StreamPlayer.stream(script, behaviour);
    return new Prepared(
        HttpResponse.create()
            .addHeader(CacheControl.create(CacheDirectives.NO_CACHE))
            .withEntity(
                HttpEntities.createChunked(
                    EVENT_STREAM,
                    StreamPlayer.play(
                        steps, exchange::finish, () -> connection.armCut(true), exchange::cancel))),
        false);
  }

  private Reply reply(ChatRequest request, StreamShape shape) {
    return Reply.to(
        instance,
        counters.sequence.incrementAndGet(),
        System.currentTimeMillis() / 1000,
        request,
        shape);
  }

  private Prepared failure(Dialect dialect, int status) {
    counters.failure(status);
    return error(dialect.error(status, instance));
  }

  private static Prepared error(ErrorAnswer error) {
    HttpResponse response = json(error.status(), error.body());
    if (error.retryAfterSeconds().isPresent()) {
      response = response.addHeader(RetryAfter.create((long) error.retryAfterSeconds().getAsInt()));
    }
    for (var header : error.headers().entrySet()) {
      response = response.addHeader(RawHeader.create(header.getKey(), header.getValue()));
    }
    return new Prepared(response, true);
  }

  private static CompletionStage<HttpResponse> send(Prepared prepared, Exchange exchange) {
    if (prepared.whole()) {
      exchange.finish();
    }
    return CompletableFuture.completedFuture(prepared.response());
  }

  private CompletionStage<HttpResponse> sendLater(long ms, Prepared prepared, Exchange exchange) {
    return Patterns.after(Duration.ofMillis(ms), system, () -> send(prepared, exchange));
  }

  private static CompletionStage<HttpResponse> never() {
    return new CompletableFuture<>();
  }

  static HttpResponse json(int status, byte[] body) {
    return HttpResponse.create()
        .withStatus(OpenAiErrors.statusCode(status))
        .withEntity(HttpEntities.create(ContentTypes.APPLICATION_JSON, body));
  }

  /** The cause given to a connection that reset mode drops. */
  private static final class ConnectionReset extends Exception {
    ConnectionReset() {
      super("sim instance drops this connection (reset mode)", null, false, false);
    }
  }
}
