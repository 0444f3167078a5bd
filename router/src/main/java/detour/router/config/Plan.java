package detour.router.config;

import java.time.Duration;
import java.util.List;

/**
 * What one request will try, in order, and by when it must be answered.
 *
 * @param route the route's name, or the model's id when the caller named a model directly
 * @param candidates the chain, primary first
 * @param deadline the whole request's budget
 * @param lastResort whether to try the soonest-to-probe candidate when every circuit is open
 */
public record Plan(String route, List<Candidate> candidates, Duration deadline, boolean lastResort) {
  public Plan {
    candidates = List.copyOf(candidates);
  }
}
