package detour.router.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;

/**
 * The one mapper the router reads and writes JSON with, configured here once: the routes, the
 * codecs the guardian builds, and the error answers Akka HTTP's own stages give before any route
 * (which Akka creates by class name, so they cannot be handed one).
 */
public final class DetourJson {
  private DetourJson() {}

  /** Thread-safe once configured; nothing configures it after this. */
  public static final ObjectMapper MAPPER = JsonMapper.builder().build();
}
