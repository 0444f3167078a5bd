package detour.router.coordinator;

import java.util.List;

/**
 * Every route decision of one request, in order: what the response headers, the {@code detour}
 * body field and the request's log line all report.
 */
public record RouteTrace(String requestId, String route, List<Attempt> attempts, long totalMillis) {
  public RouteTrace {
    attempts = List.copyOf(attempts);
  }

  public long triedCount() {
    return attempts.stream().filter(Attempt::tried).count();
  }
}
