package detour.simulator;

import com.fasterxml.jackson.databind.ObjectMapper;

/** The simulator's one shared Jackson mapper: thread-safe once built, so the hot path reuses it. */
final class SimulatorJson {

  /** Shared by every instance; never reconfigure it after start-up. */
  static final ObjectMapper MAPPER = new ObjectMapper();

  private SimulatorJson() {}
}
