package detour.router.whatif;

import detour.persistence.breaker.Blame;
import detour.persistence.breaker.BreakerScope;
import detour.persistence.breaker.FailureKind;
import detour.persistence.breaker.TripReason;
import detour.persistence.routing.RoutingEvent.ModelSecond;
import detour.providers.breaker.BreakerSettings;
import detour.providers.breaker.BreakerState.Circuit;
import detour.providers.model.ProviderFailure;
import detour.router.whatif.ReplayedBreaker.Gate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The what-if replay of one provider: its circuits (the provider's and each model's) run again,
 * with any settings, over the outcomes the routing record kept per second, in recorded time.
 *
 * <p>Each recorded second asks each model for as many calls as requests wanted it then (the calls
 * made and the requests that passed it over for its circuit), spread evenly through the second.
 * A request goes through when both circuits let it, as in the coordinator, and takes the outcome
 * the record shows for its place in the second ({@link OutcomeMix}). Seconds in which the model
 * was not called at all (its circuit was open) take the outcomes of the nearest earlier second in
 * which it was (else the nearest later one): those calls are counted as <em>assumed</em>, since
 * nobody knows what the provider would have said then. Outcomes reach the circuits as the
 * coordinator tells them: answers to both, a fault to the circuit it is blamed on, a probe's
 * outcome to the circuit it probed.
 *
 * <p>Left out, and said so in docs/audit.md: the coordinator's rule that two open model circuits
 * close their provider, hedging, the time a call takes (a replayed call reports at once), and
 * operators' overrides.
 */
public final class BreakerReplay {
  private BreakerReplay() {}

  /** A circuit's move: {@code scope} is the provider's or a model's key; share while recovering. */
  public record Move(Instant at, String scope, Circuit circuit, Optional<TripReason> reason, double share) {}

  /**
   * Calls sent to a model in the replay.
   *
   * @param calls calls made (the breaker's own probes included)
   * @param failed of them, those that failed through the provider's or the model's fault
   * @param assumed of them, those made in seconds the record saw no call of the model in
   */
  public record Tally(long calls, long failed, long assumed) {
    Tally plus(boolean fault, boolean guessed) {
      return new Tally(calls + 1, failed + (fault ? 1 : 0), assumed + (guessed ? 1 : 0));
    }
  }

  /**
   * @param moves every circuit's moves, in time order
   * @param replayed the calls each model ({@code provider/model}) got in the replay
   * @param recorded the calls the record shows it got
   * @param openAtEnd the scopes whose circuits were not closed when the record ended
   */
  public record Result(List<Move> moves, Map<String, Tally> replayed, Map<String, Tally> recorded,
      List<String> openAtEnd) {}

  /**
   * @param provider the provider's name
   * @param settings its breaker settings (every one of its circuits uses them)
   * @param models its upstream models, as the routing record names them
   * @param seconds its models' recorded seconds, from any number of nodes, in any order
   * @param from the first second replayed
   * @param to the end of the last second replayed, exclusive
   */
  public static Result replay(String provider, BreakerSettings settings, List<String> models,
      List<ModelSecond> seconds, Instant from, Instant to) {
    return new Run(provider, settings, models, seconds, from, to).run();
  }

  private static final class Run {
    private final String provider;
    private final BreakerSettings settings;
    private final List<String> models;
    private final long firstSecond;
    private final long endSecond;
    private final List<Move> moves = new ArrayList<>();
    private final ReplayedBreaker providerBreaker;
    private final List<ReplayedBreaker> modelBreakers = new ArrayList<>();
    /** Per model, per second from firstSecond: the merged record (null when none). */
    private final List<ModelSecond[]> record = new ArrayList<>();
    /** Per model, per second: the outcomes its calls take, observed or carried; null when never observed. */
    private final List<OutcomeMix[]> mixes = new ArrayList<>();
    private final List<boolean[]> observed = new ArrayList<>();
    private final Map<String, Tally> replayed = new LinkedHashMap<>();
    private final Map<String, Tally> recorded = new LinkedHashMap<>();

    Run(String provider, BreakerSettings settings, List<String> models, List<ModelSecond> seconds, Instant from,
        Instant to) {
      this.provider = provider;
      this.settings = settings;
      this.models = List.copyOf(models);
      this.firstSecond = from.getEpochSecond();
      this.endSecond = Math.max(firstSecond, to.getEpochSecond() + (to.getNano() > 0 ? 1 : 0));
      this.providerBreaker = new ReplayedBreaker(BreakerScope.provider(provider), settings, move -> log(provider, move));
      int span = (int) (endSecond - firstSecond);
      Map<String, Integer> index = new HashMap<>();
      for (int m = 0; m < this.models.size(); m++) {
        String key = provider + "/" + this.models.get(m);
        index.put(this.models.get(m), m);
        modelBreakers.add(new ReplayedBreaker(BreakerScope.model(provider, this.models.get(m)), settings,
            move -> log(key, move)));
        record.add(new ModelSecond[span]);
        replayed.put(key, new Tally(0, 0, 0));
        recorded.put(key, new Tally(0, 0, 0));
      }
      for (ModelSecond row : seconds) {
        Integer m = index.get(row.model().model());
        long at = row.at().getEpochSecond();
        if (m == null || !row.model().provider().equals(provider) || at < firstSecond || at >= endSecond) continue;
        ModelSecond[] rows = record.get(m);
        int i = (int) (at - firstSecond);
        rows[i] = rows[i] == null ? row : merge(rows[i], row);
      }
      for (int m = 0; m < this.models.size(); m++) carryOutcomes(m, span);
    }

    private void log(String scope, ReplayedBreaker.Move move) {
      moves.add(new Move(move.at(), scope, move.circuit(), move.reason(), move.share()));
    }

    /** Each second's mix: its own when it saw calls, else the nearest earlier one's, else the nearest later. */
    private void carryOutcomes(int m, int span) {
      ModelSecond[] rows = record.get(m);
      OutcomeMix[] mix = new OutcomeMix[span];
      boolean[] seen = new boolean[span];
      String key = provider + "/" + models.get(m);
      for (int i = 0; i < span; i++) {
        if (rows[i] == null) continue;
        mix[i] = rows[i].calls() > 0 ? OutcomeMix.of(rows[i]) : null;
        seen[i] = mix[i] != null;
        long faults = rows[i].failures().entrySet().stream().filter(e -> FailureKind.fromName(e.getKey()).providersFault())
            .mapToLong(Map.Entry::getValue).sum();
        Tally was = recorded.get(key);
        recorded.put(key, new Tally(was.calls() + rows[i].calls(), was.failed() + faults, 0));
      }
      OutcomeMix last = null;
      for (int i = 0; i < span; i++) {
        if (mix[i] != null) last = mix[i]; else mix[i] = last;
      }
      OutcomeMix next = null;
      for (int i = span - 1; i >= 0; i--) {
        if (seen[i]) next = mix[i]; else if (mix[i] == null) mix[i] = next;
      }
      mixes.add(mix);
      observed.add(seen);
    }

    Result run() {
      for (long second = firstSecond; second < endSecond; second++) {
        int i = (int) (second - firstSecond);
        for (Slot slot : slots(i)) {
          Instant now = Instant.ofEpochMilli(second * 1000).plusNanos(slot.offsetNanos);
          advanceTo(now);
          request(slot.model, i, slot.index, slot.of, now);
        }
        advanceTo(Instant.ofEpochSecond(second + 1).minusNanos(1));
      }
      List<String> open = new ArrayList<>();
      if (providerBreaker.circuit() != Circuit.CLOSED) open.add(provider);
      for (int m = 0; m < models.size(); m++) {
        if (modelBreakers.get(m).circuit() != Circuit.CLOSED) open.add(provider + "/" + models.get(m));
      }
      return new Result(List.copyOf(moves), replayed, recorded, open);
    }

    private record Slot(int model, long index, long of, long offsetNanos) {}

    /** The second's requests for every model, spread evenly through it, in time order. */
    private List<Slot> slots(int i) {
      List<Slot> slots = new ArrayList<>();
      for (int m = 0; m < models.size(); m++) {
        ModelSecond row = record.get(m)[i];
        if (row == null) continue;
        long demand = row.calls() + row.passedOver().values().stream().mapToLong(Long::longValue).sum();
        for (long k = 0; k < demand; k++) {
          slots.add(new Slot(m, k, demand, (long) ((k + 0.5) * 1_000_000_000L / demand)));
        }
      }
      slots.sort(java.util.Comparator.comparingLong(Slot::offsetNanos).thenComparingInt(Slot::model));
      return slots;
    }

    /** Fires every timer and breaker-sent probe due by {@code now}, in time order. */
    private void advanceTo(Instant now) {
      while (true) {
        ReplayedBreaker due = null;
        Instant soonest = Instant.MAX;
        int dueModel = -1;
        if (providerBreaker.nextDeadline().isBefore(soonest)) {
          soonest = providerBreaker.nextDeadline();
          due = providerBreaker;
        }
        for (int m = 0; m < models.size(); m++) {
          Instant deadline = modelBreakers.get(m).nextDeadline();
          if (deadline.isBefore(soonest)) {
            soonest = deadline;
            due = modelBreakers.get(m);
            dueModel = m;
          }
        }
        if (due == null || soonest.isAfter(now)) return;
        if (due.activeProbeDue(soonest)) {
          activeProbe(due, dueModel, soonest);
        } else {
          due.fireTimer(soonest);
        }
      }
    }

    /** The breaker's own probe: to its model, or for the provider's circuit to its probe model. */
    private void activeProbe(ReplayedBreaker breaker, int model, Instant at) {
      breaker.activeProbeSent();
      int m = model >= 0 ? model : Math.max(0, models.indexOf(settings.activeProbeModel()));
      int i = (int) Math.min(Math.max(0, at.getEpochSecond() - firstSecond), endSecond - firstSecond - 1);
      OutcomeMix mix = mixes.get(m)[i];
      OutcomeMix.Outcome outcome = mix == null ? new OutcomeMix.Outcome(null, 0) : mix.outcome(0, 1);
      count(m, outcome, !observed.get(m)[i]);
      if (outcome.answered()) {
        breaker.answered(at, outcome.latencyMillis(), true);
      } else {
        breaker.failed(at, failure(outcome, mix), true);
      }
    }

    private void request(int m, int i, long index, long of, Instant now) {
      ReplayedBreaker modelBreaker = modelBreakers.get(m);
      Gate providerGate = providerBreaker.gate();
      if (providerGate == Gate.REFUSE) return;
      Gate modelGate = modelBreaker.gate();
      if (modelGate == Gate.REFUSE) return;
      OutcomeMix mix = mixes.get(m)[i];
      // A model never seen answering or failing in the whole record: taken as answering at once.
      OutcomeMix.Outcome outcome = mix == null ? new OutcomeMix.Outcome(null, 0) : mix.outcome(index, of);
      count(m, outcome, !observed.get(m)[i]);
      boolean providerProbe = providerGate == Gate.PROBE;
      boolean modelProbe = modelGate == Gate.PROBE;
      if (outcome.answered()) {
        providerBreaker.answered(now, outcome.latencyMillis(), providerProbe);
        modelBreaker.answered(now, outcome.latencyMillis(), modelProbe);
        return;
      }
      ProviderFailure failure = failure(outcome, mix);
      // As the coordinator routes it: to the circuit it is blamed on, and to the one it probed.
      if (Blame.isToldTo(failure.kind(), providerBreaker.scope(), providerProbe)) {
        providerBreaker.failed(now, failure, providerProbe);
      }
      if (Blame.isToldTo(failure.kind(), modelBreaker.scope(), modelProbe)) modelBreaker.failed(now, failure, modelProbe);
    }

    private void count(int m, OutcomeMix.Outcome outcome, boolean assumed) {
      String key = provider + "/" + models.get(m);
      replayed.put(key, replayed.get(key).plus(!outcome.answered() && outcome.failure().providersFault(), assumed));
    }

    private static ProviderFailure failure(OutcomeMix.Outcome outcome, OutcomeMix mix) {
      Optional<Duration> retryAfter = mix.retryAfterMillis() > 0
          ? Optional.of(Duration.ofMillis(mix.retryAfterMillis())) : Optional.empty();
      return new ProviderFailure(outcome.failure(), 0, "replayed from the routing record", "", retryAfter);
    }


    private static ModelSecond merge(ModelSecond a, ModelSecond b) {
      return new ModelSecond(a.at(), a.model(), a.answered() + b.answered(), sum(a.latencyMs(), b.latencyMs()),
          sum(a.failures(), b.failures()), Math.max(a.retryAfterMs(), b.retryAfterMs()),
          sum(a.passedOver(), b.passedOver()));
    }

    private static <K> Map<K, Long> sum(Map<K, Long> a, Map<K, Long> b) {
      Map<K, Long> total = new LinkedHashMap<>(a);
      b.forEach((k, v) -> total.merge(k, v, Long::sum));
      return total;
    }
  }
}
