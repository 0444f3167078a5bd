package detour.persistence.routing;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import com.fasterxml.jackson.annotation.JsonTypeName;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import detour.persistence.JsonSerializable;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What the routing record journals (persistence id {@code routing-record|<node>}): at most one
 * event per interval per node, and none for an interval in which every request was answered by
 * its first candidate. Never prompt, completion or key text.
 *
 * <p>Each row names its own type ({@code "type": "RoutingIntervalRecorded"}, from
 * {@link JsonTypeName}), so a reader of the raw table needs no class name. Akka still writes the
 * class name as the row's manifest: the classes are never renamed; a field change that old rows
 * cannot absorb goes through a {@code JacksonMigration}. Schema v1: golden files in
 * {@code persistence/src/test/resources/events/v1/}.
 *
 * <p>Two kinds of row share the stream: {@link IntervalRecorded}, the requests that failed over or
 * failed, and {@link OutcomesRecorded}, every call's outcome per second and model around trouble,
 * which the what-if replay feeds through the breaker logic.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, include = JsonTypeInfo.As.PROPERTY, property = "type")
@JsonSubTypes({
    @JsonSubTypes.Type(RoutingEvent.IntervalRecorded.class),
    @JsonSubTypes.Type(RoutingEvent.OutcomesRecorded.class)})
public sealed interface RoutingEvent extends JsonSerializable {
  /** The node that recorded it ({@code detour.node-name}). */
  String node();

  /** The end of the time the row covers, exclusive: retention deletes rows by it. */
  Instant end();

  /**
   * One interval's requests that failed over or failed entirely, counted; the requests answered by
   * their first candidate are not in it.
   *
   * @param node the node that recorded it
   * @param start the interval's start (aligned to a multiple of the interval since the epoch)
   * @param end its end, exclusive; earlier than {@code start + interval} only when the node was
   *     shutting down and flushed it early
   * @param requests requests recorded in the interval: failed over, or failed entirely
   * @param failovers requests counted per route, candidate passed over ({@code from}), candidate
   *     that answered ({@code to}, null when none did) and why it was passed over; at most
   *     {@code max-keys} entries
   * @param outcomes the same requests per route and outcome (each request once): failed over and
   *     {@code answered} (or {@code rejected} as the caller's mistake), or failed entirely,
   *     {@code exhausted} or {@code deadline_exceeded}; at most {@code max-keys} entries
   * @param otherFailovers the count of failovers beyond {@code max-keys} distinct keys
   * @param otherOutcomes the count of requests beyond {@code max-keys} distinct outcome keys
   * @param samples the first {@code sample-size} requests of the interval, each with its attempts
   */
  @JsonTypeName("RoutingIntervalRecorded")
  record IntervalRecorded(
      String node,
      Instant start,
      Instant end,
      long requests,
      List<Failover> failovers,
      List<Outcome> outcomes,
      long otherFailovers,
      long otherOutcomes,
      List<Sample> samples) implements RoutingEvent {

    public IntervalRecorded {
      Objects.requireNonNull(node, "node");
      Objects.requireNonNull(start, "start");
      Objects.requireNonNull(end, "end");
      failovers = failovers == null ? List.of() : List.copyOf(failovers);
      outcomes = outcomes == null ? List.of() : List.copyOf(outcomes);
      samples = samples == null ? List.of() : List.copyOf(samples);
    }
  }

  /**
   * Every call's outcome per second and model, for the seconds around trouble: from {@code lead}
   * before the first fault or pass-over until {@code tail} after the last (see the routing
   * record's {@code outcomes} settings). Seconds in which every call answered and nothing was
   * passed over, away from trouble, are not written: the healthy path still writes nothing.
   *
   * @param node the node that recorded it
   * @param start the first second covered
   * @param end the end of the last second covered, exclusive
   * @param seconds one entry per second and model that saw a call or a pass-over, in time order
   * @param otherSeconds entries left out beyond {@code max-keys} models in one second
   */
  @JsonTypeName("RoutingOutcomesRecorded")
  record OutcomesRecorded(
      String node,
      Instant start,
      Instant end,
      List<ModelSecond> seconds,
      long otherSeconds) implements RoutingEvent {

    public OutcomesRecorded {
      Objects.requireNonNull(node, "node");
      Objects.requireNonNull(start, "start");
      Objects.requireNonNull(end, "end");
      seconds = seconds == null ? List.of() : List.copyOf(seconds);
    }
  }

  /**
   * One model's calls in one second, on one node.
   *
   * @param at the second's start
   * @param model the model, as its breaker names it
   * @param answered calls that answered
   * @param latencyMs the answered calls per latency bucket: the key is the bucket's upper bound in
   *     milliseconds ({@link LatencyBuckets}), {@code "inf"} beyond the last; empty buckets left out
   * @param failures failed calls per failure class ({@code FailureKind} name), whoever's fault
   * @param retryAfterMs the longest Retry-After a failure of the second carried, 0 when none
   * @param passedOver requests that passed the model over without a call, per cause: an open,
   *     half-open or ramping circuit, or a drain
   */
  record ModelSecond(
      Instant at,
      ModelRef model,
      long answered,
      Map<String, Long> latencyMs,
      Map<String, Long> failures,
      long retryAfterMs,
      @JsonDeserialize(using = SkipCauseCounts.class) Map<SkipCause, Long> passedOver) {

    public ModelSecond {
      Objects.requireNonNull(at, "at");
      Objects.requireNonNull(model, "model");
      latencyMs = inOrder(latencyMs);
      failures = inOrder(failures);
      passedOver = inOrder(passedOver);
    }

    /** Kept in the writer's order (buckets by bound), so that a row reads in order. */
    private static <K> Map<K, Long> inOrder(Map<K, Long> counts) {
      return counts == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(counts));
    }

    /** Calls made, answered or failed. */
    public long calls() {
      return answered + failures.values().stream().mapToLong(Long::longValue).sum();
    }
  }

  /**
   * Requests of {@code route} that passed over {@code from} for {@code cause} and were answered by
   * {@code to}; {@code to} is null when no candidate answered (the request failed entirely). A
   * request counts once for every candidate it passed over.
   *
   * @param cause the failure class of the attempt that failed, or, for a candidate skipped
   *     without a call, its skip cause
   */
  record Failover(String route, ModelRef from, ModelRef to, PassCause cause, long requests) {
    public Failover {
      Objects.requireNonNull(route, "route");
      Objects.requireNonNull(from, "from");
      Objects.requireNonNull(cause, "cause");
    }

    /** Whether another candidate answered the request. */
    public boolean answered() {
      return to != null;
    }
  }

  /**
   * Recorded requests of {@code route} that ended so, each counted once.
   *
   * @param outcome {@code answered}, {@code streaming} or {@code rejected} after failing over;
   *     {@code exhausted} (every candidate failed or was passed over) or {@code deadline_exceeded}
   *     (the route's deadline passed first): the request failed entirely
   */
  record Outcome(String route, Ending outcome, long requests) {
    public Outcome {
      Objects.requireNonNull(route, "route");
      Objects.requireNonNull(outcome, "outcome");
    }

    /** Whether no candidate answered the requests. */
    public boolean failed() {
      return outcome.failed();
    }
  }

  /**
   * One request, as its log line shows it: its id, route, outcome and every attempt
   * ({@code provider/model:result[:class][:status][:latency][:probe][:last_resort]}, catalogue
   * model ids). No error text, no prompt.
   */
  record Sample(String requestId, String route, Ending outcome, List<String> attempts) {
    public Sample {
      attempts = attempts == null ? List.of() : List.copyOf(attempts);
    }
  }
}
