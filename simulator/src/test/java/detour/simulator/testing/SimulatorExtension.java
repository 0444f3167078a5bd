package detour.simulator.testing;

import detour.simulator.ProviderSimulator;
import detour.simulator.SimulatedInstance;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One provider simulator per test class, on free loopback ports, reset to healthy with zeroed
 * counters before each test. Register it as a static field:
 * {@code @RegisterExtension static final SimulatorExtension upstreams = new SimulatorExtension("a", "b");}
 */
public final class SimulatorExtension implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback {
  private final Map<String, Integer> instances = new LinkedHashMap<>();
  private ProviderSimulator simulator;

  public SimulatorExtension(String... names) {
    for (String name : names) instances.put(name, 0);
  }

  public ProviderSimulator simulator() {
    return simulator;
  }

  public SimulatedInstance instance(String name) {
    return simulator.instance(name);
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    simulator = ProviderSimulator.start(instances);
  }

  @Override
  public void beforeEach(ExtensionContext context) {
    simulator.resetAll();
  }

  @Override
  public void afterAll(ExtensionContext context) {
    simulator.close();
  }
}
