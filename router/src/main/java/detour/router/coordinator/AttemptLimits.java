package detour.router.coordinator;

import detour.persistence.breaker.FailureKind;
import detour.providers.client.ProviderSettings;
import detour.providers.model.ProviderFailure;
import detour.router.config.Candidate;
import detour.router.config.Plan;
import java.time.Duration;

/** How long one attempt may take, and what it failed of when it took longer: pure functions. */
final class AttemptLimits {
  private AttemptLimits() {}

  /**
   * The time an attempt may take: its provider's attempt-timeout, and, while other candidates
   * remain, no more than an equal share of the route's deadline among its usable candidates, so that
   * a stalled primary leaves its fallbacks time to answer. The last candidate is cut by the deadline
   * itself. A streamed attempt is further held to its first-token-timeout ({@link #toFirstToken}).
   */
  static Duration budget(Plan plan, int index) {
    Duration timeout = plan.candidates().get(index).provider().attemptTimeout();
    var usable = plan.candidates().stream().filter(c -> c.unusable().isEmpty()).toList();
    boolean othersLeft = plan.candidates().subList(index + 1, plan.candidates().size()).stream()
        .anyMatch(c -> c.unusable().isEmpty());
    if (!othersLeft || usable.size() < 2) return timeout;
    Duration share = plan.deadline().dividedBy(usable.size());
    return share.compareTo(timeout) < 0 ? share : timeout;
  }

  /** A streamed attempt's budget: until its first content, within its first-token-timeout. */
  static Duration toFirstToken(Duration budget, Candidate candidate) {
    Duration firstToken = candidate.provider().firstTokenTimeout();
    return firstToken.compareTo(budget) < 0 ? firstToken : budget;
  }

  /** The failure of an attempt that outran its {@code budget}, saying which limit it was. */
  static ProviderFailure timedOut(boolean streamed, Duration budget, ProviderSettings provider, Duration deadline) {
    String share = ", its share of the route's " + readable(deadline) + " deadline";
    if (streamed) {
      boolean shared = budget.compareTo(provider.firstTokenTimeout()) < 0;
      return ProviderFailure.of(FailureKind.FIRST_TOKEN_TIMEOUT, 0,
          "no first token within " + readable(budget) + (shared ? share : ""));
    }
    Duration limit = provider.attemptTimeout();
    String why = budget.compareTo(limit) < 0
        ? "no answer within " + readable(budget) + share
        : "no answer within " + readable(limit);
    return ProviderFailure.of(FailureKind.TOTAL_TIMEOUT, 0, why);
  }

  /** 60s, 1500ms: how durations read in traces. */
  static String readable(Duration d) {
    return d.toMillis() % 1000 == 0 ? d.toSeconds() + "s" : d.toMillis() + "ms";
  }
}
