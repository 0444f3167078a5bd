package detour.router.coordinator;

import akka.NotUsed;
import akka.stream.javadsl.Source;
import com.fasterxml.jackson.databind.node.ObjectNode;
import detour.persistence.routing.Ending;
import detour.providers.model.ChatResponse;
import detour.providers.model.ProviderFailure;
import java.time.Instant;
import java.util.Optional;

/** How a request ended, as the HTTP layer renders it; never an actor message on the wire. */
public sealed interface RouteOutcome {
  RouteTrace trace();

  /** How it ended, as its log line and the routing record name it. */
  Ending ending();

  /** A candidate answered. */
  record Answered(ChatResponse response, String provider, String model, RouteTrace trace) implements RouteOutcome {
    @Override
    public Ending ending() {
      return Ending.ANSWERED;
    }
  }

  /**
   * A candidate started streaming its answer: the chunks are the caller's to read now (in OpenAI's
   * {@code chat.completion.chunk} form). They fail with a {@code ProviderStreamException} or a
   * timeout when the upstream breaks off; the coordinator tells the breakers how it ended.
   *
   * @param chunks the whole answer, the chunks already received first; read it once
   * @param trace the route decisions up to the commit: the answering attempt is the last
   */
  record Streaming(Source<ObjectNode, NotUsed> chunks, String provider, String model, RouteTrace trace)
      implements RouteOutcome {
    @Override
    public Ending ending() {
      return Ending.STREAMING;
    }
  }

  /** A provider rejected the request as the caller's mistake: returned as is, no failover. */
  record Rejected(ProviderFailure failure, RouteTrace trace) implements RouteOutcome {
    @Override
    public Ending ending() {
      return Ending.REJECTED;
    }
  }

  /**
   * No candidate answered.
   *
   * @param retryAt when the first open circuit starts probing, if every candidate was open
   * @param retryable whether the same request may pass when sent again: false when no candidate was
   *     tried and each was skipped for what the request asks or for the configuration (no key, a
   *     capability, its protocol, a guardrail on its size or cost), none for what may change (a
   *     circuit, an operator's drain, an observed latency)
   */
  record Exhausted(Optional<Instant> retryAt, boolean retryable, RouteTrace trace) implements RouteOutcome {
    @Override
    public Ending ending() {
      return Ending.EXHAUSTED;
    }
  }

  /** The route's deadline passed before any candidate answered. */
  record DeadlineExceeded(RouteTrace trace) implements RouteOutcome {
    @Override
    public Ending ending() {
      return Ending.DEADLINE_EXCEEDED;
    }
  }
}
