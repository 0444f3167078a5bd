package detour.router.config;

import detour.providers.client.ProviderSettings;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Turns what a caller asked for (a route or a catalogue model) into a {@link Plan}. Plans are
 * computed once at start-up and shared: planning a request is one map lookup.
 */
public final class RoutePlanner {
  private final Map<String, Plan> plans = new HashMap<>();
  private final List<String> routeNames;

  public RoutePlanner(RouterSettings settings) {
    routeNames = settings.routes().keySet().stream().sorted().toList();
    for (RouteSettings route : settings.routes().values()) {
      List<Candidate> chain = new ArrayList<>();
      for (String id : route.chain()) chain.add(candidate(settings, settings.models().get(id), route.guardrails()));
      plans.put(route.name(), new Plan(route.name(), chain, route.deadline(), route.lastResort(), route.hedge(),
          route.guardrails()));
    }
    for (CatalogueModel model : settings.models().values()) {
      // A model named directly is a chain of one: with its circuit open, trying it anyway is the
      // only way to answer. The caller chose the model itself: no route's guardrails apply.
      plans.put(model.id(), new Plan(model.id(), List.of(candidate(settings, model, Guardrails.NONE)),
          settings.defaultDeadline(), true));
    }
  }

  /** The plan for a route name or a catalogue model id; empty when it names neither. */
  public Optional<Plan> plan(String requested) {
    return Optional.ofNullable(plans.get(requested));
  }

  /** Every name a caller may put in {@code model}: routes and catalogue models. */
  public List<String> names() {
    return plans.keySet().stream().sorted().toList();
  }

  /** The routes of {@code detour.routes}, sorted: {@link #names()} without the catalogue's models. */
  public List<String> routeNames() {
    return routeNames;
  }

  /**
   * A candidate of a route: unusable when its provider has no key, or when what the catalogue says
   * of the model breaks the route's guardrails (decided here once; the reason is its skip reason).
   */
  private static Candidate candidate(RouterSettings settings, CatalogueModel model, Guardrails guardrails) {
    ProviderSettings provider = settings.providers().get(model.provider());
    return new Candidate(model, provider, provider.unusable().map(Unusable::provider)
        .or(() -> guardrails.refuseModel(model).map(Unusable::guardrail)));
  }
}
