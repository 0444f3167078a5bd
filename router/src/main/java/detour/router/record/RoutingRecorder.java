package detour.router.record;

import akka.Done;
import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.AbstractBehavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.Receive;
import akka.actor.typed.javadsl.TimerScheduler;
import akka.persistence.typed.PersistenceId;
import detour.persistence.routing.Ending;
import detour.persistence.routing.ModelRef;
import detour.persistence.routing.PassCause;
import detour.persistence.routing.RoutingEvent.Failover;
import detour.persistence.routing.RoutingEvent.Outcome;
import detour.persistence.routing.RoutingEvent.IntervalRecorded;
import detour.persistence.routing.RoutingEvent.ModelSecond;
import detour.persistence.routing.RoutingEvent.OutcomesRecorded;
import detour.persistence.routing.RoutingEvent.Sample;
import detour.router.config.JournalSettings.RoutingRecordSettings;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The node's routing record. Counts, per interval, the requests that failed over (per route, model
 * passed over, model that answered, and why) and those that failed entirely, and every such
 * request per route and outcome, keeps a few of them as samples, and hands each interval that saw any to its writer
 * ({@link RoutingJournal}, persistence id {@code routing-record|<node>}) as one event. An interval
 * in which every request was answered by its first candidate writes nothing.
 *
 * <p>Bounded whatever the traffic: one event per interval at most, with at most {@code max-keys}
 * keys in each of its lists (the rest counted as "other") and {@code sample-size} samples.
 * Counting happens here and writing in the child, so a slow write never holds up counting.
 * Intervals are aligned to multiples of the interval since the epoch, so nodes' rows line up.
 *
 * <p>With an {@link OutcomeLedger}, it also drains every call's per-second outcomes once a second,
 * and its {@link TroubleWindow} picks the seconds around trouble, journaled as
 * {@link OutcomesRecorded} rows at most once per interval, for the what-if replay.
 *
 * <p>{@link Flush} writes the pending interval at once; the node asks for it at shutdown, so an
 * orderly stop loses nothing. A SIGKILL loses the interval under way, at most one interval.
 */
public final class RoutingRecorder extends AbstractBehavior<RoutingRecorder.Command> {

  public sealed interface Command {}

  /**
   * A request that failed over or failed entirely. Told, never answered.
   *
   * @param at when it ended, by the node's clock, so that it counts in the interval it ended in
   *     however late the message arrives; null: when the recorder hears of it
   */
  public record Observed(RoutedRequest request, Instant at) implements Command {
    public Observed(RoutedRequest request) {
      this(request, null);
    }
  }

  /**
   * Writes the pending interval now, cut short, and answers once it and every interval before it
   * are in the journal.
   */
  public record Flush(ActorRef<Done> replyTo) implements Command {}

  /** How many requests the interval under way has counted so far: 0 when none is under way. */
  public record GetPending(ActorRef<Long> replyTo) implements Command {}

  private enum IntervalOver implements Command { INSTANCE }

  /** Time to take the last complete seconds out of the outcome ledger. */
  private enum DrainOutcomes implements Command { INSTANCE }

  public static PersistenceId persistenceId(String node) {
    return PersistenceId.of("routing-record", node);
  }

  /** A recorder of failovers only, with no outcome ledger: for tests of that part. */
  public static Behavior<Command> create(String node, RoutingRecordSettings settings, InstantSource clock) {
    return create(node, settings, clock, null);
  }

  /** @param ledger the node's per-second outcomes, drained every second; null: none are recorded */
  public static Behavior<Command> create(String node, RoutingRecordSettings settings, InstantSource clock,
      OutcomeLedger ledger) {
    return Behaviors.setup(ctx -> Behaviors.withTimers(
        timers -> new RoutingRecorder(ctx, timers, node, settings, clock, ledger)));
  }

  private final TimerScheduler<Command> timers;
  private final String node;
  private final RoutingRecordSettings settings;
  private final InstantSource clock;
  private final ActorRef<RoutingJournal.Command> journal;
  private final long intervalMillis;
  /** The interval being counted; null when nothing happened since the last was written. */
  private Tally pending;
  /** Where the last written interval ended: a new one never starts before it. */
  private Instant lastEnd = Instant.EPOCH;
  private final OutcomeLedger ledger;
  private final TroubleWindow trouble;
  /** The interval (number since the epoch) in which outcome seconds were last written. */
  private long outcomesWrittenIn = Long.MIN_VALUE;

  private RoutingRecorder(ActorContext<Command> context, TimerScheduler<Command> timers, String node,
      RoutingRecordSettings settings, InstantSource clock, OutcomeLedger ledger) {
    super(context);
    this.ledger = ledger;
    this.trouble = new TroubleWindow(settings.outcomesLead(), settings.outcomesTail());
    if (ledger != null) {
      timers.startTimerAtFixedRate(DrainOutcomes.INSTANCE, DrainOutcomes.INSTANCE, Duration.ofSeconds(1));
    }
    this.timers = timers;
    this.node = node;
    this.settings = settings;
    this.clock = clock;
    this.intervalMillis = settings.interval().toMillis();
    this.journal = context.spawn(RoutingJournal.create(persistenceId(node)), "journal");
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Observed.class, this::onObserved)
        .onMessageEquals(IntervalOver.INSTANCE, this::onIntervalOver)
        .onMessageEquals(DrainOutcomes.INSTANCE, this::onDrainOutcomes)
        .onMessage(Flush.class, this::onFlush)
        .onMessage(GetPending.class, get -> {
          get.replyTo().tell(pending == null ? 0L : pending.requests);
          return this;
        })
        .build();
  }

  private Behavior<Command> onObserved(Observed msg) {
    // An interval already written takes nothing more: a late request counts in the next.
    Instant now = max(msg.at() != null ? msg.at() : clock.instant(), lastEnd);
    if (pending != null && !now.isBefore(pending.end)) write(pending.end, null);
    if (pending == null) {
      long start = now.toEpochMilli() - Math.floorMod(now.toEpochMilli(), intervalMillis);
      Instant from = Instant.ofEpochMilli(start);
      pending = new Tally(from.isBefore(lastEnd) ? lastEnd : from, Instant.ofEpochMilli(start + intervalMillis));
      timers.startSingleTimer(IntervalOver.INSTANCE, IntervalOver.INSTANCE, untilEnd());
    }
    pending.add(msg.request(), settings.sampleSize(), settings.maxKeys());
    return this;
  }

  /** How long the pending interval has still to run by the recorder's clock; zero once it is over. */
  private Duration untilEnd() {
    Duration left = Duration.between(clock.instant(), pending.end);
    return left.isNegative() ? Duration.ZERO : left;
  }

  private Behavior<Command> onIntervalOver() {
    if (pending == null) return this;
    Instant now = clock.instant();
    if (now.isBefore(pending.end)) {
      // The timer ran ahead of the clock: wait for the rest.
      timers.startSingleTimer(IntervalOver.INSTANCE, IntervalOver.INSTANCE, Duration.between(now, pending.end));
    } else {
      write(pending.end, null);
    }
    return this;
  }

  /**
   * Takes the seconds that are surely complete (a second's last calls may report a moment after
   * it ends) and journals what the trouble window holds, at most once per interval.
   */
  private Behavior<Command> onDrainOutcomes() {
    Instant now = clock.instant();
    offerOutcomes(now.minusSeconds(1));
    long interval = Math.floorDiv(now.toEpochMilli(), intervalMillis);
    if (trouble.hasPending() && interval != outcomesWrittenIn) {
      writeOutcomes();
      outcomesWrittenIn = interval;
    }
    return this;
  }

  private void offerOutcomes(Instant before) {
    List<ModelSecond> rows = ledger.drainBefore(before);
    int from = 0;
    for (int i = 1; i <= rows.size(); i++) {
      if (i == rows.size() || !rows.get(i).at().equals(rows.get(from).at())) {
        trouble.offer(rows.get(from).at(), rows.subList(from, i));
        from = i;
      }
    }
  }

  /** Journals the outcome seconds the trouble window holds, at most {@code max-keys} models a second. */
  private void writeOutcomes() {
    List<ModelSecond> taken = trouble.take();
    List<ModelSecond> kept = new ArrayList<>(taken.size());
    long left = 0;
    int inSecond = 0;
    for (int i = 0; i < taken.size(); i++) {
      inSecond = i > 0 && taken.get(i).at().equals(taken.get(i - 1).at()) ? inSecond + 1 : 0;
      if (inSecond < settings.maxKeys()) kept.add(taken.get(i)); else left++;
    }
    Instant start = taken.get(0).at();
    Instant end = taken.get(taken.size() - 1).at().plusSeconds(1);
    journal.tell(new RoutingJournal.Append(new OutcomesRecorded(node, start, end, kept, left), null));
  }

  private Behavior<Command> onFlush(Flush msg) {
    if (ledger != null) {
      offerOutcomes(clock.instant().plusSeconds(1));  // everything, the second under way included
      if (trouble.hasPending()) writeOutcomes();
    }
    if (pending == null) {
      journal.tell(new RoutingJournal.Sync(msg.replyTo()));
    } else {
      Instant now = clock.instant();
      write(now.isBefore(pending.end) ? max(now, pending.start) : pending.end, msg.replyTo());
    }
    return this;
  }

  private void write(Instant end, ActorRef<Done> replyTo) {
    timers.cancel(IntervalOver.INSTANCE);
    journal.tell(new RoutingJournal.Append(pending.toEvent(node, end), replyTo));
    lastEnd = end;
    pending = null;
  }

  private static Instant max(Instant a, Instant b) {
    return a.isAfter(b) ? a : b;
  }

  private record FailoverKey(String route, ModelRef from, ModelRef to, PassCause cause) {}

  private record OutcomeKey(String route, Ending outcome) {}

  private static final Comparator<ModelRef> NULLS_LAST = Comparator.nullsLast(Comparator.naturalOrder());

  /** One interval's counts. */
  private static final class Tally {
    final Instant start;
    final Instant end;
    long requests;
    final Map<FailoverKey, long[]> failovers = new HashMap<>();
    final Map<OutcomeKey, long[]> outcomes = new HashMap<>();
    long otherFailovers;
    long otherOutcomes;
    final List<Sample> samples = new ArrayList<>();

    Tally(Instant start, Instant end) {
      this.start = start;
      this.end = end;
    }

    void add(RoutedRequest r, int sampleSize, int maxKeys) {
      requests++;
      for (RoutedRequest.Pass pass : r.passes()) {
        var key = new FailoverKey(r.route(), pass.from(), r.to(), pass.cause());
        long[] count = failovers.get(key);
        if (count == null && failovers.size() >= maxKeys) {
          otherFailovers++;
        } else {
          if (count == null) failovers.put(key, count = new long[1]);
          count[0]++;
        }
      }
      var key = new OutcomeKey(r.route(), r.outcome());
      long[] count = outcomes.get(key);
      if (count == null && outcomes.size() >= maxKeys) {
        otherOutcomes++;
      } else {
        if (count == null) outcomes.put(key, count = new long[1]);
        count[0]++;
      }
      if (samples.size() < sampleSize) samples.add(new Sample(r.requestId(), r.route(), r.outcome(), r.attempts()));
    }

    IntervalRecorded toEvent(String node, Instant cutAt) {
      List<Failover> fo = new ArrayList<>(failovers.size());
      failovers.forEach((k, n) -> fo.add(new Failover(k.route(), k.from(), k.to(), k.cause(), n[0])));
      fo.sort(Comparator.comparing(Failover::route).thenComparing(Failover::from)
          .thenComparing(Failover::to, NULLS_LAST).thenComparing(Failover::cause));
      List<Outcome> ends = new ArrayList<>(outcomes.size());
      outcomes.forEach((k, n) -> ends.add(new Outcome(k.route(), k.outcome(), n[0])));
      ends.sort(Comparator.comparing(Outcome::route).thenComparing(o -> o.outcome().journalName()));
      return new IntervalRecorded(node, start, cutAt, requests, fo, ends, otherFailovers, otherOutcomes, samples);
    }
  }
}
