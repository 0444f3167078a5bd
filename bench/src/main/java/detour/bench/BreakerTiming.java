package detour.bench;

import akka.actor.typed.ActorSystem;
import ch.qos.logback.classic.Level;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import detour.persistence.DetourConfig;
import detour.persistence.JournalSchema;
import detour.persistence.audit.JournalReader;
import detour.persistence.breaker.BreakerScope;
import detour.providers.breaker.BreakerState.Circuit;
import detour.providers.breaker.BreakerView;
import detour.simulator.Behaviour;
import detour.simulator.ProviderSimulator;
import detour.router.Guardian;
import detour.router.config.RouterSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.LoggerFactory;

/**
 * Measures, in real time and with the shipped breaker defaults, how fast a breaker notices an
 * outage and how long a healed provider takes to get all of its traffic back, under an open-loop
 * load of 50 requests per second against the provider simulator on loopback. Phases:
 *
 * <ol>
 *   <li>3 % of scattered faults for 20 s: the circuit must stay closed;
 *   <li>60 % of faults: time from the first faulty answer being possible to OPEN;
 *   <li>the provider heals 2 s later: time from healthy to CLOSED (cooldown, probes, ramp);
 *   <li>a hard outage (every call 503): time to OPEN, and calls that still reached the primary.
 * </ol>
 *
 * Everything it starts runs in this JVM and stops by itself; about 90 s in all.
 */
public final class BreakerTiming {
  static final int RATE_PER_SECOND = 50;
  /** The primary's model breaker: a 503 is blamed on the model (see FailureKind). */
  static final BreakerScope WATCHED = BreakerScope.model("primary", "big");

  public static void main(String[] args) throws Exception {
    ((ch.qos.logback.classic.Logger) LoggerFactory.getLogger("detour.router.coordinator")).setLevel(Level.WARN);
    JournalSchema.keepH2OnLoopback();
    Path work = Files.createTempDirectory("detour-breaker-timing");
    try (var simulator = ProviderSimulator.start(Map.of("primary", 0, "fallback", 0))) {
      Config config = DetourConfig.load(ConfigFactory.parseString(String.join("\n",
          "detour.http.port = 0",
          "detour.journal.h2-file = \"" + work.resolve("journal").toString().replace('\\', '/') + "\"",
          "detour.providers.primary { base-url = \"" + simulator.instance("primary").baseUrl() + "\", api-key-required = off }",
          "detour.providers.fallback { base-url = \"" + simulator.instance("fallback").baseUrl() + "\", api-key-required = off }",
          "detour.models.big { provider = primary, context-window = 128000 }",
          "detour.models.small { provider = fallback, context-window = 32000 }",
          "detour.routes.default { chain = [big, small] }")));
      var started = new CompletableFuture<Guardian.Started>();
      var system = ActorSystem.create(Guardian.create(RouterSettings.from(config), InstantSource.system(), started),
          "breaker-timing", config);
      try {
        var node = started.get(60, TimeUnit.SECONDS);
        long began = System.nanoTime();
        run(simulator, node.address().getPort(), node.fleet().view());
        long events = new JournalReader(system).breakerEvents().toCompletableFuture().get(60, TimeUnit.SECONDS)
            .stream().mapToLong(java.util.List::size).sum();
        System.out.printf("journal: %d events written in %.0f s of load and outages (%.2f writes/s); the healthy path "
            + "writes none%n", events, seconds(System.nanoTime() - began), events / seconds(System.nanoTime() - began));
      } finally {
        system.terminate();
        system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
      }
    }
  }

  private static void run(ProviderSimulator simulator, int port, BreakerView view) throws Exception {
    var primary = simulator.instance("primary");
    var load = new FixedRateLoad(port, RATE_PER_SECOND);
    var watch = new Watch(view);
    try {
      load.start();
      pause(Duration.ofSeconds(3));  // warm-up

      System.out.println("phase 1: 3 % scattered faults for 20 s at " + RATE_PER_SECOND + " requests/s");
      watch.reset();
      primary.behave(Behaviour.failFraction(0.03, 503, 42));
      pause(Duration.ofSeconds(20));
      System.out.printf("  circuit left CLOSED: %s (answers: %d, from the fallback: %d)%n",
          watch.changed() ? "YES" : "no", load.answered.get(), load.answeredBy("fallback"));

      System.out.println("phase 2: 60 % faults");
      primary.behave(Behaviour.ok());
      pause(Duration.ofSeconds(2));
      long outage = System.nanoTime();
      primary.behave(Behaviour.failFraction(0.6, 503, 7));
      long opened = watch.awaitCircuit(Circuit.OPEN, Duration.ofSeconds(10));
      System.out.printf("  detection (60 %% faults to OPEN): %d ms%n", millis(opened - outage));
      pause(Duration.ofSeconds(2));

      System.out.println("phase 3: the primary heals");
      long healed = System.nanoTime();
      primary.behave(Behaviour.ok());
      long halfOpen = watch.awaitCircuit(Circuit.HALF_OPEN, Duration.ofSeconds(120));
      long recovering = watch.awaitCircuit(Circuit.RECOVERING, Duration.ofSeconds(30));
      long closed = watch.awaitCircuit(Circuit.CLOSED, Duration.ofSeconds(60));
      System.out.printf("  healthy to HALF_OPEN %.1f s (the rest of the cooldown), to RECOVERING %.1f s, to CLOSED %.1f s%n",
          seconds(halfOpen - healed), seconds(recovering - healed), seconds(closed - healed));

      System.out.println("phase 4: hard outage, every call 503");
      pause(Duration.ofSeconds(2));
      long before = primary.requests();
      long hard = System.nanoTime();
      primary.behave(Behaviour.error(503));
      long hardOpened = watch.awaitCircuit(Circuit.OPEN, Duration.ofSeconds(10));
      long atOpen = primary.requests();
      pause(Duration.ofSeconds(5));
      System.out.printf("  detection (hard outage to OPEN): %d ms, %d calls reached the primary before it opened, "
          + "%d in the 5 s after%n", millis(hardOpened - hard), atOpen - before, primary.requests() - atOpen);
      System.out.printf("load: %d requests sent, %d answered 200, %d not%n",
          load.sent.get(), load.answered.get(), load.failed.get());
    } finally {
      load.stop(Duration.ZERO);
      watch.stop();
    }
  }


  /** Polls the breaker view every millisecond and notes when the primary model's circuit changes. */
  private static final class Watch {
    final BreakerView view;
    final Thread thread;
    volatile boolean running = true;
    volatile boolean changed;
    final Map<Circuit, Long> firstSeen = new ConcurrentHashMap<>();

    Watch(BreakerView view) {
      this.view = view;
      this.thread = new Thread(this::poll, "breaker-watch");
      thread.setDaemon(true);
      thread.start();
    }

    private void poll() {
      Circuit last = Circuit.CLOSED;
      while (running) {
        Circuit now = view.stateOf(WATCHED).circuit();
        if (now != last) {
          changed = true;
          firstSeen.put(now, System.nanoTime());
          last = now;
        }
        try {
          Thread.sleep(1);
        } catch (InterruptedException stop) {
          return;
        }
      }
    }

    void reset() {
      changed = false;
      firstSeen.clear();
    }

    boolean changed() {
      return changed;
    }

    /** When the circuit was first seen in that phase from now on; fails after the patience. */
    long awaitCircuit(Circuit circuit, Duration patience) throws InterruptedException {
      firstSeen.remove(circuit);
      long deadline = System.nanoTime() + patience.toNanos();
      while (System.nanoTime() < deadline) {
        if (view.stateOf(WATCHED).circuit() == circuit) return firstSeen.getOrDefault(circuit, System.nanoTime());
        Long seen = firstSeen.get(circuit);
        if (seen != null) return seen;
        Thread.sleep(1);
      }
      throw new IllegalStateException("the circuit did not reach " + circuit + " within " + patience);
    }

    void stop() {
      running = false;
      thread.interrupt();
    }
  }

  private static void pause(Duration d) throws InterruptedException {
    Thread.sleep(d.toMillis());
  }

  private static long millis(long nanos) {
    return TimeUnit.NANOSECONDS.toMillis(nanos);
  }

  private static double seconds(long nanos) {
    return nanos / 1e9;
  }
}
