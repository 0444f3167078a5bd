package detour.simulator;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs a simulator from the command line until the JVM is stopped:
 *
 * <pre>
 * java -cp ... detour.simulator.SimulatorMain --instance a=9101 --instance b=9102
 * </pre>
 *
 * <p>Prints one line per instance ({@code simulator instance a listening on
 * http://127.0.0.1:9101/v1}); a port of 0 picks a free one. Exits with status 2 on bad arguments
 * and 1 when an instance cannot start (for example, its port is taken). A shutdown hook closes the
 * simulator on Ctrl-C or SIGTERM.
 */
public final class SimulatorMain {

  static final String USAGE =
      "usage: SimulatorMain --instance NAME=PORT [--instance NAME=PORT ...]\n"
          + "  NAME: letters, digits, '.', '_' or '-'; PORT: 0..65535 (0 = any free port)\n"
          + "  chat: POST /v1/chat/completions (OpenAI), /v1/messages (Anthropic),"
          + " /v1beta/models/MODEL:generateContent|streamGenerateContent?alt=sse (Gemini)\n"
          + "  control: PUT http://127.0.0.1:PORT/_simulator/behaviour"
          + " {\"mode\":\"error\",\"status\":503}";

  private SimulatorMain() {}

  public static void main(String[] args) {
    Map<String, Integer> instances;
    try {
      instances = parse(List.of(args));
    } catch (IllegalArgumentException e) {
      System.err.println("simulator: " + e.getMessage());
      System.err.println(USAGE);
      System.exit(2);
      return;
    }

    ProviderSimulator simulator;
    try {
      simulator = ProviderSimulator.start(instances);
    } catch (IllegalArgumentException e) {
      System.err.println("simulator: " + e.getMessage());
      System.err.println(USAGE);
      System.exit(2);
      return;
    } catch (RuntimeException e) {
      System.err.println("simulator: " + e.getMessage());
      System.exit(1);
      return;
    }
    Runtime.getRuntime().addShutdownHook(new Thread(simulator::close, "simulator-shutdown"));
    for (SimulatedInstance instance : simulator.instances()) {
      System.out.println(
          "simulator instance " + instance.name() + " listening on " + instance.baseUrl());
    }
    System.out.flush();
    // The actor system's threads keep the JVM alive; wait here so that main ends with it.
    simulator.whenTerminated().toCompletableFuture().join();
  }

  /**
   * Reads {@code --instance NAME=PORT} pairs (also {@code --instance=NAME=PORT}).
   *
   * @throws IllegalArgumentException with a message fit for the user
   */
  static Map<String, Integer> parse(List<String> args) {
    Map<String, Integer> instances = new LinkedHashMap<>();
    for (int i = 0; i < args.size(); i++) {
      String arg = args.get(i);
      String spec;
      if (arg.equals("--instance")) {
        if (i + 1 >= args.size()) {
          throw new IllegalArgumentException("--instance needs a value NAME=PORT");
        }
        spec = args.get(++i);
      } else if (arg.startsWith("--instance=")) {
        spec = arg.substring("--instance=".length());
      } else {
        throw new IllegalArgumentException("unknown argument '" + arg + "'");
      }
      int eq = spec.indexOf('=');
      if (eq <= 0 || eq == spec.length() - 1) {
        throw new IllegalArgumentException("bad instance '" + spec + "': expected NAME=PORT");
      }
      String name = spec.substring(0, eq);
      int port;
      try {
        port = Integer.parseInt(spec.substring(eq + 1));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(
            "bad port '" + spec.substring(eq + 1) + "' for instance '" + name + "'");
      }
      if (port < 0 || port > 65535) {
        throw new IllegalArgumentException(
            "bad port " + port + " for instance '" + name + "': use 0..65535");
      }
      if (instances.put(name, port) != null) {
        throw new IllegalArgumentException("instance '" + name + "' given twice");
      }
    }
    if (instances.isEmpty()) {
      throw new IllegalArgumentException("no instances given");
    }
    return instances;
  }
}
