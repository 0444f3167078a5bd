package detour.router.coordinator;

import detour.router.config.Candidate;
import detour.router.config.Plan;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * How many of a route's candidates could be tried now ({@link CandidateReadiness}), and, when
 * none could, why not, candidate by candidate.
 *
 * @param route the route's name (or the model's, for a model named directly)
 * @param candidates the candidates in its chain
 * @param usable those that could be tried now
 * @param reason when none could: each candidate's reason, in chain order; null otherwise
 */
public record RouteReadiness(String route, int candidates, int usable, String reason) {
  /** @param whyNot the reason a candidate could not be tried now, empty when it could */
  public static RouteReadiness of(Plan plan, Function<Candidate, Optional<String>> whyNot) {
    int usable = 0;
    List<String> reasons = new ArrayList<>();
    for (Candidate candidate : plan.candidates()) {
      Optional<String> not = whyNot.apply(candidate);
      if (not.isEmpty()) {
        usable++;
      } else {
        reasons.add(candidate.model().id() + ": " + not.get());
      }
    }
    return new RouteReadiness(plan.route(), plan.candidates().size(), usable,
        usable > 0 ? null : String.join("; ", reasons));
  }

  public boolean available() {
    return usable > 0;
  }
}
