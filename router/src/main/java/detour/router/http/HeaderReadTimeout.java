package detour.router.http;

import akka.NotUsed;
import akka.http.javadsl.model.HttpResponse;
import akka.stream.Attributes;
import akka.stream.BidiShape;
import akka.stream.Inlet;
import akka.stream.Outlet;
import akka.stream.javadsl.BidiFlow;
import akka.stream.javadsl.Flow;
import akka.stream.stage.AbstractInHandler;
import akka.stream.stage.AbstractOutHandler;
import akka.stream.stage.AsyncCallback;
import akka.stream.stage.GraphStage;
import akka.stream.stage.GraphStageLogic;
import akka.stream.stage.TimerGraphStageLogic;
import akka.util.ByteString;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * One connection's clock for the heads of its requests, between TCP and the HTTP layer: it starts
 * at the first byte that arrives while no request is being served, and stops when the HTTP layer
 * has parsed a request's head (the request reaches the handler). Past {@code timeout} the
 * connection is answered 408 in OpenAI's error format and closed: a client that trickles its
 * headers (slowloris) holds a connection for the timeout, not for the idle-timeout.
 *
 * <p>While a request is served (from its head to the last byte of its answer, a stream's included)
 * the clock does not run, so a body or a pipelined request arriving then is never timed; nor
 * between requests, when no byte arrives (keep-alive idle is the idle-timeout's). A pipelined head
 * that sat complete or partial behind an answered request is timed from the next byte that arrives.
 *
 * <p>Akka HTTP 10.5 has no such setting. The stage runs on its connection's stream; the handler
 * tells it of heads and answers through {@link Signals}, from any thread.
 */
final class HeaderReadTimeout extends GraphStage<BidiShape<ByteString, ByteString, ByteString, ByteString>> {
  private enum Signal { HEAD_PARSED, ANSWERED }

  private static final String TIMER = "header-read-timeout";

  /** What one connection's handler tells the stage: a head parsed, an answer sent whole. */
  static final class Signals {
    private volatile AsyncCallback<Signal> stage;

    /** Called as each request reaches the handler: its head has been parsed. */
    void headParsed() {
      tell(Signal.HEAD_PARSED);
    }

    /** Called on each answer as the handler emits it; a streamed one counts as sent at its last byte. */
    HttpResponse answered(HttpResponse response) {
      if (response.entity().isStrict()) {
        tell(Signal.ANSWERED);
        return response;
      }
      Flow<ByteString, ByteString, Object> watched = Flow.of(ByteString.class).watchTermination((notUsed, done) -> {
        done.whenComplete((ok, failed) -> tell(Signal.ANSWERED));
        return NotUsed.getInstance();
      });
      // Every javadsl entity is a scaladsl one; only the latter can transform its bytes, whatever its kind.
      var entity = (akka.http.scaladsl.model.ResponseEntity) response.entity();
      return response.withEntity(entity.transformDataBytes(watched.asScala()));
    }

    private void tell(Signal signal) {
      AsyncCallback<Signal> callback = stage;
      if (callback != null) callback.invoke(signal);  // after the stage stopped: dropped, as it should be
    }
  }

  private final Inlet<ByteString> responsesIn = Inlet.create("HeaderReadTimeout.responsesIn");
  private final Outlet<ByteString> responsesOut = Outlet.create("HeaderReadTimeout.responsesOut");
  private final Inlet<ByteString> requestsIn = Inlet.create("HeaderReadTimeout.requestsIn");
  private final Outlet<ByteString> requestsOut = Outlet.create("HeaderReadTimeout.requestsOut");
  private final BidiShape<ByteString, ByteString, ByteString, ByteString> shape =
      BidiShape.of(responsesIn, responsesOut, requestsIn, requestsOut);
  private final Duration timeout;
  private final Signals signals;
  private final ByteString expired;

  private HeaderReadTimeout(Duration timeout, Signals signals, ByteString expired) {
    this.timeout = timeout;
    this.signals = signals;
    this.expired = expired;
  }

  /**
   * The stage for one connection, to sit between the HTTP layer (top: responses in, requests out)
   * and TCP (bottom).
   *
   * @param expired the whole 408 answer, bytes on the wire, written when the clock runs out
   */
  static BidiFlow<ByteString, ByteString, ByteString, ByteString, NotUsed> create(
      Duration timeout, Signals signals, ByteString expired) {
    return BidiFlow.fromGraph(new HeaderReadTimeout(timeout, signals, expired));
  }

  /** A whole HTTP/1.1 408 answer with a JSON body, closing the connection. */
  static ByteString timeoutAnswer(String json) {
    byte[] body = json.getBytes(StandardCharsets.UTF_8);
    return ByteString.fromString("HTTP/1.1 408 Request Timeout\r\n"
            + "Content-Type: application/json\r\n"
            + "Content-Length: " + body.length + "\r\n"
            + "Connection: close\r\n\r\n", StandardCharsets.US_ASCII)
        .concat(ByteString.fromArray(body));
  }

  @Override
  public BidiShape<ByteString, ByteString, ByteString, ByteString> shape() {
    return shape;
  }

  @Override
  public GraphStageLogic createLogic(Attributes inheritedAttributes) {
    return new TimerGraphStageLogic(shape) {
      /** Requests whose head was parsed and whose answer has not been sent whole. */
      private int serving;
      private boolean closing;

      {
        setHandler(requestsIn, new AbstractInHandler() {
          @Override
          public void onPush() {
            if (serving == 0 && !closing && !isTimerActive(TIMER)) scheduleOnce(TIMER, timeout);
            push(requestsOut, grab(requestsIn));
          }

          @Override
          public void onUpstreamFinish() {
            complete(requestsOut);
          }

          @Override
          public void onUpstreamFailure(Throwable failure) {
            fail(requestsOut, failure);
          }
        });
        setHandler(requestsOut, new AbstractOutHandler() {
          @Override
          public void onPull() {
            pull(requestsIn);
          }

          @Override
          public void onDownstreamFinish(Throwable cause) {
            cancel(requestsIn, cause);
          }
        });
        setHandler(responsesIn, new AbstractInHandler() {
          @Override
          public void onPush() {
            ByteString bytes = grab(responsesIn);
            if (!closing) push(responsesOut, bytes);
          }

          @Override
          public void onUpstreamFinish() {
            if (!closing) complete(responsesOut);
          }

          @Override
          public void onUpstreamFailure(Throwable failure) {
            if (!closing) fail(responsesOut, failure);
          }
        });
        setHandler(responsesOut, new AbstractOutHandler() {
          @Override
          public void onPull() {
            if (!hasBeenPulled(responsesIn) && !isClosed(responsesIn)) pull(responsesIn);
          }

          @Override
          public void onDownstreamFinish(Throwable cause) {
            cancel(responsesIn, cause);
          }
        });
      }

      @Override
      public void preStart() {
        signals.stage = createAsyncCallback(this::onSignal);
      }

      private void onSignal(Signal signal) {
        if (signal == Signal.HEAD_PARSED) {
          serving++;
          cancelTimer(TIMER);
        } else {
          serving = Math.max(0, serving - 1);
        }
      }

      @Override
      public void onTimer(Object key) {
        if (serving > 0 || isClosed(responsesOut)) return;
        // Nothing is being answered, so the HTTP layer writes nothing now: the 408 goes alone.
        closing = true;
        emit(responsesOut, expired, () -> completeStage());
      }
    };
  }
}
