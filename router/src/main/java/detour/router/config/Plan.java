package detour.router.config;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * What one request will try, in order, and by when it must be answered.
 *
 * @param route the route's name, or the model's id when the caller named a model directly
 * @param candidates the chain, primary first
 * @param deadline the whole request's budget
 * @param lastResort whether to try the soonest-to-probe candidate when every circuit is open
 * @param hedge when the first attempt has not answered (or streamed its first content) for this
 *     long, start the next candidate beside it
 * @param guardrails the route's rules for its candidates, asked before each is tried
 */
public record Plan(String route, List<Candidate> candidates, Duration deadline, boolean lastResort,
    HedgePolicy hedge, Guardrails guardrails) {
  public Plan {
    candidates = List.copyOf(candidates);
  }

  /** A plan that does not hedge and has no guardrails. */
  public Plan(String route, List<Candidate> candidates, Duration deadline, boolean lastResort) {
    this(route, candidates, deadline, lastResort, HedgePolicy.NONE, Guardrails.NONE);
  }

  /** The same plan with a shorter deadline (a caller's own), never a longer one. */
  public Plan withDeadlineAtMost(Duration callerDeadline) {
    return callerDeadline.compareTo(deadline) < 0
        ? new Plan(route, candidates, callerDeadline, lastResort, hedge, guardrails) : this;
  }

  /**
   * The same plan narrowed to the caller's own ordered choice of its models ({@code models} in the
   * body), or the reason that choice is not allowed: a caller may reorder and drop the route's
   * models, never add one.
   */
  public Narrowed narrowedTo(List<String> modelIds) {
    List<Candidate> chosen = new java.util.ArrayList<>();
    for (String id : modelIds) {
      var match = candidates.stream().filter(c -> c.model().id().equals(id)).findFirst();
      if (match.isEmpty()) {
        return new Narrowed(null, "'" + id + "' is not one of the models of '" + route + "': "
            + String.join(", ", candidates.stream().map(c -> c.model().id()).toList()) + ".");
      }
      if (!chosen.contains(match.get())) chosen.add(match.get());
    }
    return new Narrowed(new Plan(route, chosen, deadline, lastResort, hedge, guardrails), null);
  }

  /** A narrowed plan, or why not. */
  public record Narrowed(Plan plan, String refusal) {}
}
