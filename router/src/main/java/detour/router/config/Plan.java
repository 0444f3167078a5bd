package detour.router.config;

import java.time.Duration;
import java.util.List;

/**
 * What one request will try, in order, and by when it must be answered.
 *
 * @param route the route's name, or the model's id when the caller named a model directly
 * @param candidates the chain, primary first
 * @param deadline the whole request's budget
 */
public record Plan(String route, List<Candidate> candidates, Duration deadline) {
  public Plan {
    candidates = List.copyOf(candidates);
  }
}
