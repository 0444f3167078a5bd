package detour.router.testing;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One caller per node in rotation, a request every 20 ms each, until closed; keeps what they saw.
 * Like a load balancer, it takes a node out of rotation (its caller finishes the request it is in)
 * before the node is stopped, and puts a node in.
 */
public final class ClusterLoad implements AutoCloseable {
  /** One answered request: the node that answered and the provider that did, at System.nanoTime. */
  public record Answer(DetourProcess node, long at, String provider) {}

  private final Map<DetourProcess, Caller> callers = new ConcurrentHashMap<>();
  private final List<Answer> answers = Collections.synchronizedList(new ArrayList<>());
  private final List<String> failures = Collections.synchronizedList(new ArrayList<>());

  public ClusterLoad(List<DetourProcess> nodes) {
    nodes.forEach(this::add);
  }

  public void add(DetourProcess node) {
    var caller = new Caller(node);
    callers.put(node, caller);
    caller.start();
  }

  /** Out of rotation: returns once the node's caller has its last answer. */
  public void remove(DetourProcess node) throws InterruptedException {
    callers.remove(node).finish();
  }

  public int answered() {
    return answers.size();
  }

  public int failed() {
    return failures.size();
  }

  public List<String> failures() {
    synchronized (failures) {
      return List.copyOf(failures);
    }
  }

  public List<Answer> answers() {
    synchronized (answers) {
      return List.copyOf(answers);
    }
  }

  /** Stops every caller, each after its request in flight; an interrupt stops the wait and is kept. */
  @Override
  public void close() {
    try {
      for (var caller : callers.values()) caller.finish();
    } catch (InterruptedException stop) {
      Thread.currentThread().interrupt();
    } finally {
      callers.clear();
    }
  }

  private final class Caller extends Thread {
    private final DetourProcess node;
    private volatile boolean running = true;

    Caller(DetourProcess node) {
      super("cluster-load");
      this.node = node;
      setDaemon(true);
    }

    @Override
    public void run() {
      while (running) {
        try {
          var reply = node.chat("default");
          if (reply.statusCode() == 200) {
            answers.add(new Answer(node, System.nanoTime(), reply.headers().firstValue("x-detour-provider").orElse("")));
          } else {
            failures.add(reply.statusCode() + " " + reply.body());
          }
          Thread.sleep(20);
        } catch (InterruptedException stop) {
          return;
        } catch (Exception broken) {
          failures.add(String.valueOf(broken));
        }
      }
    }

    void finish() throws InterruptedException {
      running = false;
      join(30_000);
    }
  }
}
