package detour.simulator;

import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.Behaviors;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Pattern;

/**
 * A set of named {@link SimulatedInstance}s, each an HTTP server on its own loopback port that
 * speaks the OpenAI, Anthropic and Gemini chat protocols, all served by one private actor system
 * named {@code simulator}.
 *
 * <p>The actor system is independent of the caller's: it is configured from {@link #CONFIG} over
 * the libraries' {@code reference.conf} only, so an {@code application.conf} on the class path
 * (cluster provider, persistence, log settings) is not read. It runs on real time; the server's
 * request timeout and idle timeout are off, so a hung request stays hung until the client gives up
 * or the simulator closes.
 *
 * <pre>{@code
 * try (ProviderSimulator sim = ProviderSimulator.start(Map.of("a", 0, "b", 0))) {
 *   sim.instance("a").behave(Behaviour.error(503));
 *   String url = sim.instance("b").baseUrl(); // http://127.0.0.1:<port>/v1
 * }
 * }</pre>
 */
public final class ProviderSimulator implements AutoCloseable {

  /** How long {@link #start} waits for every port to be bound, and {@link #close} to finish. */
  public static final Duration TIMEOUT = Duration.ofSeconds(10);

  /**
   * The simulator's own settings, laid over the merged {@code reference.conf} files. The server
   * never times a request or a connection out (hang mode must hang). Logging is at WARNING, so
   * nothing is logged per request; Akka Typed's log goes through SLF4J (akka-slf4j comes with
   * akka-actor-typed; the simulator's jar binds it to Logback), the classic log to standard out.
   */
  static final String CONFIG =
      """
      akka {
        actor.provider = local
        loglevel = WARNING
        stdout-loglevel = WARNING
        log-dead-letters = off
        log-dead-letters-during-shutdown = off
        coordinated-shutdown.exit-jvm = off
        http.server {
          request-timeout = infinite
          idle-timeout = infinite
          server-header = "detour-simulator"
        }
      }
      """;

  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");

  private final ActorSystem<Void> system;
  private final Map<String, SimulatedInstance> instances;
  private final AtomicBoolean closed = new AtomicBoolean();

  private ProviderSimulator(ActorSystem<Void> system, Map<String, SimulatedInstance> instances) {
    this.system = system;
    this.instances = Collections.unmodifiableMap(instances);
  }

  /**
   * Starts one instance per entry, named by the key, on {@code 127.0.0.1:<value>} (0 = a free
   * port), and returns once all are bound. Instances keep the map's iteration order.
   *
   * @throws IllegalArgumentException on an empty map, a bad name or a port outside 0..65535
   * @throws IllegalStateException when a port cannot be bound (e.g. already taken); nothing is left
   *     running
   */
  public static ProviderSimulator start(Map<String, Integer> namesToPorts) {
    if (namesToPorts.isEmpty()) {
      throw new IllegalArgumentException("a simulator needs at least one instance");
    }
    namesToPorts.forEach(ProviderSimulator::validate);
    requireFreePorts(namesToPorts);

    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "simulator", config());
    Map<String, SimulatedInstance> started = new LinkedHashMap<>();
    try {
      List<CompletableFuture<SimulatedInstance>> binds = new ArrayList<>();
      namesToPorts.forEach(
          (name, port) ->
              binds.add(SimulatedInstance.start(name, port, system).toCompletableFuture()));
      List<String> failures = new ArrayList<>();
      int i = 0;
      for (Map.Entry<String, Integer> entry : namesToPorts.entrySet()) {
        try {
          SimulatedInstance instance =
              binds.get(i++).get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
          started.put(instance.name(), instance);
        } catch (ExecutionException e) {
          Throwable cause = e.getCause();
          failures.add(
              "instance '"
                  + entry.getKey()
                  + "' could not bind 127.0.0.1:"
                  + entry.getValue()
                  + ": "
                  + (cause.getMessage() == null ? cause.toString() : cause.getMessage()));
        } catch (TimeoutException e) {
          failures.add(
              "instance '"
                  + entry.getKey()
                  + "' was not bound within "
                  + TIMEOUT.toSeconds()
                  + " s");
        }
      }
      if (!failures.isEmpty()) {
        throw new IllegalStateException(
            "simulator failed to start: " + String.join("; ", failures));
      }
      return new ProviderSimulator(system, started);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      terminate(system, started.values());
      throw new IllegalStateException("interrupted while starting the simulator", e);
    } catch (RuntimeException e) {
      terminate(system, started.values());
      throw e;
    }
  }

  /** Starts one instance per name, each on a free port. */
  public static ProviderSimulator startOnFreePorts(String... names) {
    Map<String, Integer> namesToPorts = new LinkedHashMap<>();
    for (String name : names) {
      if (namesToPorts.put(name, 0) != null) {
        throw new IllegalArgumentException("instance name '" + name + "' given twice");
      }
    }
    return start(namesToPorts);
  }

  /**
   * The instance called {@code name}.
   *
   * @throws IllegalArgumentException when there is none
   */
  public SimulatedInstance instance(String name) {
    SimulatedInstance instance = instances.get(name);
    if (instance == null) {
      throw new IllegalArgumentException(
          "no simulator instance '" + name + "'; have " + instances.keySet());
    }
    return instance;
  }

  /** Every instance, in start order. */
  public List<SimulatedInstance> instances() {
    return List.copyOf(instances.values());
  }

  /** Resets every instance: behaviour ok, counters zero. */
  public void resetAll() {
    instances.values().forEach(SimulatedInstance::reset);
  }

  /** Completes when the simulator's actor system has terminated. */
  public CompletionStage<?> whenTerminated() {
    return system.getWhenTerminated();
  }

  /**
   * Unbinds every instance and terminates the actor system, which drops any open connection (hung
   * requests included). Blocks for at most about {@link #TIMEOUT}; safe to call twice.
   */
  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      terminate(system, instances.values());
      return;
    }
    try {
      system
          .getWhenTerminated()
          .toCompletableFuture()
          .get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("the simulator's actor system did not terminate", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void terminate(ActorSystem<Void> system, Iterable<SimulatedInstance> instances) {
    long deadline = System.nanoTime() + TIMEOUT.toNanos();
    List<CompletableFuture<?>> unbinds = new ArrayList<>();
    instances.forEach(instance -> unbinds.add(instance.unbind().toCompletableFuture()));
    try {
      CompletableFuture.allOf(unbinds.toArray(CompletableFuture[]::new))
          .get(remaining(deadline), TimeUnit.NANOSECONDS);
    } catch (ExecutionException | TimeoutException e) {
      // Terminating the system below closes the listening sockets anyway.
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    system.terminate();
    try {
      system
          .getWhenTerminated()
          .toCompletableFuture()
          .get(Math.max(remaining(deadline), TimeUnit.SECONDS.toNanos(1)), TimeUnit.NANOSECONDS);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException(
          "the simulator's actor system did not terminate within " + TIMEOUT.toSeconds() + " s", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static long remaining(long deadlineNanos) {
    return Math.max(0, deadlineNanos - System.nanoTime());
  }

  /** The actor system's whole configuration: {@link #CONFIG} over reference.conf, nothing else. */
  static Config config() {
    ClassLoader loader = ProviderSimulator.class.getClassLoader();
    return ConfigFactory.parseString(CONFIG)
        .withFallback(ConfigFactory.defaultReference(loader))
        .resolve();
  }

  /**
   * Fails fast, before any actor system exists, when a fixed port is already taken: a clear message
   * instead of Akka's bind-failure log. Akka's own bind remains the final word, as a port can be
   * taken between this probe and the bind.
   */
  private static void requireFreePorts(Map<String, Integer> namesToPorts) {
    List<String> taken = new ArrayList<>();
    namesToPorts.forEach(
        (name, port) -> {
          if (port == 0) {
            return;
          }
          try (ServerSocket probe = new ServerSocket()) {
            probe.bind(new InetSocketAddress("127.0.0.1", port));
          } catch (IOException e) {
            taken.add(
                "instance '" + name + "' could not bind 127.0.0.1:" + port + ": " + e.getMessage());
          }
        });
    if (!taken.isEmpty()) {
      throw new IllegalStateException("simulator failed to start: " + String.join("; ", taken));
    }
  }

  private static void validate(String name, Integer port) {
    if (name == null || !NAME.matcher(name).matches()) {
      throw new IllegalArgumentException(
          "bad instance name '" + name + "': use letters, digits, '.', '_' or '-'");
    }
    if (port == null || port < 0 || port > 65535) {
      throw new IllegalArgumentException(
          "bad port " + port + " for instance '" + name + "': use 0..65535 (0 = any free port)");
    }
  }
}
