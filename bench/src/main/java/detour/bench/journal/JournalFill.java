package detour.bench.journal;

import akka.Done;
import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.AskPattern;
import akka.actor.typed.javadsl.Behaviors;
import akka.persistence.typed.PersistenceId;
import akka.persistence.typed.javadsl.CommandHandler;
import akka.persistence.typed.javadsl.EventHandler;
import akka.persistence.typed.javadsl.EventSourcedBehavior;
import akka.persistence.typed.javadsl.Recovery;
import com.typesafe.config.ConfigFactory;
import detour.persistence.DetourConfig;
import detour.persistence.JournalSchema;
import detour.persistence.JsonSerializable;
import detour.persistence.breaker.BreakerEvent;
import detour.persistence.breaker.BreakerScope;
import detour.persistence.breaker.Evidence;
import detour.persistence.breaker.FailureKind;
import detour.persistence.breaker.TripReason;
import detour.persistence.routing.Ending;
import detour.persistence.routing.ModelRef;
import detour.persistence.routing.PassCause;
import detour.persistence.routing.RoutingEvent;
import detour.persistence.routing.SkipCause;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Fills the configured journal ({@code -Dconfig.file}, normally a fresh H2 file) with the last 30
 * days (to today's midnight UTC) of realistic journal rows for {@code scripts/bench/audit-replay.sh}: breaker incidents (trip, probes,
 * failed probes, ramp, recovery) on 10 providers' 40 breakers, and 4 nodes' routing records (one
 * row per 10 s interval with failovers, a few keys and 5 samples each). Written through the real
 * journal plugin and serializer, as the router writes them, so the audit reads exactly what
 * production rows would give it.
 *
 * <pre>
 * JournalFill [events, default 1000000] [share of routing record rows, default 0.7] [seed, default 42]
 * </pre>
 */
public final class JournalFill {
  private JournalFill() {}

  static final Duration MONTH = Duration.ofDays(30);
  static final Instant END = Instant.now().truncatedTo(java.time.temporal.ChronoUnit.DAYS);
  static final Instant START = END.minus(MONTH);
  static final int PROVIDERS = 10;
  static final int MODELS_PER_PROVIDER = 3;
  static final int NODES = 4;
  static final int BATCH = 250;
  static final int IN_FLIGHT = 6;
  static final PassCause CIRCUIT_OPEN = PassCause.of(SkipCause.CIRCUIT_OPEN);
  static final PassCause OVERLOADED = PassCause.of(FailureKind.OVERLOADED);

  public static void main(String[] args) throws Exception {
    long total = args.length > 0 ? Long.parseLong(args[0]) : 1_000_000L;
    double routingShare = args.length > 1 ? Double.parseDouble(args[1]) : 0.7;
    long seed = args.length > 2 ? Long.parseLong(args[2]) : 42L;
    JournalSchema.keepH2OnLoopback();
    var config = DetourConfig.load(ConfigFactory.parseString("akka.loglevel = WARNING"));
    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "journal-fill", config);
    int exit = 0;
    try {
      JournalSchema.ensure(system).toCompletableFuture().get(60, TimeUnit.SECONDS);
      long routing = Math.round(total * routingShare);
      long breakers = total - routing;
      List<Stream> streams = new ArrayList<>();
      SplittableRandom random = new SplittableRandom(seed);
      List<BreakerScope> scopes = scopes();
      for (BreakerScope scope : scopes) {
        streams.add(new BreakerStream(scope, breakers / scopes.size(), random.split()));
      }
      for (int n = 0; n < NODES; n++) {
        streams.add(new RoutingStream("eu-" + (n + 1), routing / NODES, random.split()));
      }
      long began = System.nanoTime();
      AtomicLong written = new AtomicLong();
      List<CompletableFuture<Void>> running = new ArrayList<>();
      // A few streams at a time, each a series of atomic batch writes (one transaction each).
      for (int i = 0; i < streams.size(); i++) {
        Stream stream = streams.get(i);
        var writer = system.systemActorOf(Writer.create(stream.id()), "writer-" + i, akka.actor.typed.Props.empty());
        CompletableFuture<Void> done = (i < IN_FLIGHT ? CompletableFuture.<Void>completedFuture(null)
            : running.get(i - IN_FLIGHT)).thenCompose(ready -> writeAll(system, writer, stream, written, began));
        running.add(done);
      }
      CompletableFuture.allOf(running.toArray(CompletableFuture[]::new)).get(2, TimeUnit.HOURS);
      double seconds = (System.nanoTime() - began) / 1e9;
      System.out.printf("journal-fill: wrote %d events (%d breaker, %d routing record; %s to %s) in %.1f s"
          + " (%.0f events/s)%n", written.get(), written.get() - routing, routing, START, END, seconds,
          written.get() / seconds);
    } catch (Exception failed) {
      System.err.println("journal-fill: " + failed);
      exit = 1;
    } finally {
      system.terminate();
      system.getWhenTerminated().toCompletableFuture().get(60, TimeUnit.SECONDS);
    }
    System.exit(exit);
  }

  private static CompletableFuture<Void> writeAll(ActorSystem<?> system, ActorRef<Writer.Write> writer, Stream stream,
      AtomicLong written, long began) {
    CompletableFuture<Void> finished = new CompletableFuture<>();
    next(system, writer, stream, written, began, finished);
    return finished;
  }

  private static void next(ActorSystem<?> system, ActorRef<Writer.Write> writer, Stream stream, AtomicLong written,
      long began, CompletableFuture<Void> finished) {
    List<JsonSerializable> batch = stream.next(BATCH);
    if (batch.isEmpty()) {
      finished.complete(null);
      return;
    }
    AskPattern.<Writer.Write, Done>ask(writer, replyTo -> new Writer.Write(batch, replyTo), Duration.ofMinutes(2),
            system.scheduler())
        .whenComplete((done, failure) -> {
          if (failure != null) {
            finished.completeExceptionally(failure);
            return;
          }
          long before = written.getAndAdd(batch.size());
          if (before / 100_000 != (before + batch.size()) / 100_000) {
            double s = (System.nanoTime() - began) / 1e9;
            System.out.printf("journal-fill: %d events, %.0f events/s%n", before + batch.size(), (before + batch.size()) / s);
          }
          next(system, writer, stream, written, began, finished);
        });
  }

  static List<BreakerScope> scopes() {
    List<BreakerScope> scopes = new ArrayList<>();
    for (int p = 0; p < PROVIDERS; p++) {
      scopes.add(BreakerScope.provider(provider(p)));
      for (int m = 0; m < MODELS_PER_PROVIDER; m++) scopes.add(BreakerScope.model(provider(p), model(p, m)));
    }
    return scopes;
  }

  static String provider(int p) {
    return "provider-" + (char) ('a' + p);
  }

  static String model(int p, int m) {
    return "model-" + (char) ('a' + p) + (m + 1);
  }

  /** One persistence id's rows, produced a batch at a time. */
  interface Stream {
    String id();

    List<JsonSerializable> next(int max);
  }

  /** A breaker's incidents through the month, one after the other, every one closed. */
  static final class BreakerStream implements Stream {
    final BreakerScope scope;
    final long count;
    final SplittableRandom random;
    final long slotMillis;
    long produced;
    long incidents;
    Instant t = START;
    final java.util.ArrayDeque<JsonSerializable> pending = new java.util.ArrayDeque<>();

    BreakerStream(BreakerScope scope, long count, SplittableRandom random) {
      this.scope = scope;
      this.count = count;
      this.random = random;
      // About 7 events per incident: one incident per slot, starting in its first quarter.
      this.slotMillis = MONTH.toMillis() / Math.max(1, count / 7 + 1);
    }

    public String id() {
      return "ProviderBreaker|" + scope.key();
    }

    /** Whole incidents only: the stream may end a few events past its count. */
    public List<JsonSerializable> next(int max) {
      List<JsonSerializable> out = new ArrayList<>(max);
      while (out.size() < max && (produced < count || !pending.isEmpty())) {
        if (pending.isEmpty()) incident();
        out.add(pending.poll());
        produced++;
      }
      return out;
    }

    private void incident() {
      t = START.plusMillis(incidents++ * slotMillis + random.nextLong(Math.max(1, slotMillis / 4)));
      FailureKind kind = scope.providerWide() ? FailureKind.CONNECT_REFUSED : random.nextInt(3) == 0
          ? FailureKind.RATE_LIMITED : FailureKind.OVERLOADED;
      TripReason reason = kind == FailureKind.RATE_LIMITED ? TripReason.RATE_LIMITS
          : random.nextBoolean() ? TripReason.CONSECUTIVE_FAULTS : TripReason.FAILURE_RATE;
      int status = kind == FailureKind.RATE_LIMITED ? 429 : kind == FailureKind.OVERLOADED ? 503 : 0;
      Duration cooldown = Duration.ofMillis(24_000 + random.nextInt(12_000));
      pending.add(new BreakerEvent.Tripped(scope, t, t.plus(cooldown), 0, new Evidence(reason, 50,
          Map.of(kind, 5 + random.nextInt(20)), 0, 5, kind == FailureKind.RATE_LIMITED ? 10 : 0, status,
          status == 0 ? "" : "The server is overloaded or not ready yet.", cooldown, Duration.ZERO)));
      t = t.plus(cooldown);
      int reopens = random.nextInt(3);
      for (int r = 1; r <= reopens; r++) {
        pending.add(new BreakerEvent.ProbingStarted(scope, t, 3));
        t = t.plusMillis(200 + random.nextInt(800));
        cooldown = cooldown.multipliedBy(2);
        pending.add(new BreakerEvent.Tripped(scope, t, t.plus(cooldown), r, new Evidence(TripReason.PROBE_FAILED, 0,
            Map.of(kind, 1), 0, 0, 0, status, "", cooldown, Duration.ZERO)));
        t = t.plus(cooldown);
      }
      pending.add(new BreakerEvent.ProbingStarted(scope, t, 3));
      t = t.plusMillis(1_000 + random.nextInt(3_000));
      pending.add(new BreakerEvent.RampAdvanced(scope, t, 0, 0.1, t.plusSeconds(10)));
      t = t.plusSeconds(10);
      pending.add(new BreakerEvent.RampAdvanced(scope, t, 1, 0.5, t.plusSeconds(10)));
      t = t.plusSeconds(10);
      pending.add(new BreakerEvent.Recovered(scope, t));
    }
  }

  /** A node's routing record: one row per 10 s interval with failovers, most intervals of the month. */
  static final class RoutingStream implements Stream {
    final String node;
    final long count;
    final SplittableRandom random;
    final long slots;
    long produced;
    Instant t = START;
    long requestIds;

    RoutingStream(String node, long count, SplittableRandom random) {
      this.node = node;
      this.count = count;
      this.random = random;
      this.slots = MONTH.toSeconds() / 10;
    }

    public String id() {
      return "routing-record|" + node;
    }

    public List<JsonSerializable> next(int max) {
      List<JsonSerializable> out = new ArrayList<>(max);
      while (out.size() < max && produced < count) {
        // Spread evenly over the month's 10 s intervals (every one of them past 259,200 rows a node).
        long slot = count <= slots ? produced * slots / count : produced;
        t = START.plusSeconds(10 * slot);
        out.add(interval());
        produced++;
      }
      return out;
    }

    private RoutingEvent.IntervalRecorded interval() {
      int p = random.nextInt(PROVIDERS);
      int q = (p + 1 + random.nextInt(PROVIDERS - 1)) % PROVIDERS;
      ModelRef from = new ModelRef(provider(p), model(p, random.nextInt(MODELS_PER_PROVIDER)));
      ModelRef to = new ModelRef(provider(q), model(q, random.nextInt(MODELS_PER_PROVIDER)));
      String route = random.nextInt(4) == 0 ? "batch" : "default";
      long open = 20 + random.nextInt(60);
      long faults = random.nextInt(6);
      long lost = random.nextInt(10) == 0 ? 1 + random.nextInt(3) : 0;
      List<RoutingEvent.Failover> failovers = new ArrayList<>();
      failovers.add(new RoutingEvent.Failover(route, from, to, CIRCUIT_OPEN, open));
      if (faults > 0) failovers.add(new RoutingEvent.Failover(route, from, to, OVERLOADED, faults));
      if (lost > 0) failovers.add(new RoutingEvent.Failover(route, from, null, CIRCUIT_OPEN, lost));
      List<RoutingEvent.Outcome> outcomes = new ArrayList<>();
      outcomes.add(new RoutingEvent.Outcome(route, Ending.ANSWERED, open + faults));
      if (lost > 0) outcomes.add(new RoutingEvent.Outcome(route, Ending.EXHAUSTED, lost));
      List<RoutingEvent.Sample> samples = new ArrayList<>(5);
      for (int s = 0; s < 5; s++) {
        samples.add(new RoutingEvent.Sample(Long.toHexString(0x5eed0000_0000_0000L + node.hashCode() * 1_000_003L
            + requestIds++), route, Ending.ANSWERED, List.of(from.key() + ":skipped",
            to.key() + ":answered:200:" + (300 + random.nextInt(900)) + "ms")));
      }
      return new RoutingEvent.IntervalRecorded(node, t, t.plusSeconds(10), open + faults + lost, failovers, outcomes,
          0, 0, samples);
    }
  }

  /** Journals what it is given under one persistence id, in batches, replaying nothing. */
  static final class Writer extends EventSourcedBehavior<Writer.Write, JsonSerializable, Long> {
    record Write(List<JsonSerializable> events, ActorRef<Done> replyTo) {}

    static Behavior<Write> create(String id) {
      return new Writer(PersistenceId.ofUniqueId(id));
    }

    private Writer(PersistenceId id) {
      super(id);
    }

    @Override
    public Long emptyState() {
      return 0L;
    }

    @Override
    public Recovery recovery() {
      return Recovery.disabled();
    }

    @Override
    public CommandHandler<Write, JsonSerializable, Long> commandHandler() {
      return newCommandHandlerBuilder().forAnyState()
          .onCommand(Write.class, (n, w) -> Effect().persist(w.events()).thenReply(w.replyTo(), after -> Done.getInstance()))
          .build();
    }

    @Override
    public EventHandler<Long, JsonSerializable> eventHandler() {
      return newEventHandlerBuilder().forAnyState().onAnyEvent((n, e) -> n + 1);
    }
  }
}
