package detour.providers.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * A seeded property runner, small on purpose: draws {@code tries} cases from one seed, runs the
 * property on each, and on the first failure shrinks the case's list of steps (dropping chunks,
 * then single steps, while it still fails) before reporting it with its seed and try number. The
 * same seed always draws the same cases, so a run is deterministic; pass another seed with
 * {@code -Ddetour.property.seed=N} to explore further.
 *
 * <p>Why not jqwik: from 1.10 its authors ask that AI coding agents not use it, and its engine
 * prints a line addressed to agents into every test run's output; this project's sessions are such
 * agents and read that output. The runner does only what these properties need.
 */
public final class PropertyRunner {
  private PropertyRunner() {}

  /** A drawn case: anything, plus the list of steps that shrinking may cut. */
  public interface Case<C extends Case<C, S>, S> {
    List<S> steps();

    C withSteps(List<S> steps);
  }

  /** What a run did: for the report. */
  public record Summary(String name, int tries, long seed, long steps) {
    @Override
    public String toString() {
      return name + ": " + tries + " tries, " + steps + " steps, seed " + seed + ", all passed";
    }
  }

  /**
   * @param draw makes one case from the random source
   * @param property throws (an AssertionError, typically) when the case falsifies it
   */
  public static <C extends Case<C, S>, S> Summary forAll(
      String name, int tries, long defaultSeed, Function<SplittableRandom, C> draw, Consumer<C> property) {
    long seed = Long.getLong("detour.property.seed", defaultSeed);
    SplittableRandom random = new SplittableRandom(seed);
    long steps = 0;
    for (int i = 1; i <= tries; i++) {
      C drawn = draw.apply(random.split());
      Throwable failure = failure(property, drawn);
      if (failure != null) {
        C smallest = shrink(drawn, property);
        Throwable why = failure(property, smallest);
        throw new AssertionError(name + " falsified at try " + i + " of " + tries + " (seed " + seed + "), "
            + drawn.steps().size() + " steps shrunk to " + smallest.steps().size() + ":\n  " + smallest
            + "\n  because: " + (why == null ? failure : why), why == null ? failure : why);
      }
      steps += drawn.steps().size();
    }
    Summary summary = new Summary(name, tries, seed, steps);
    System.out.println(summary);
    return summary;
  }

  private static <C> Throwable failure(Consumer<C> property, C drawn) {
    try {
      property.accept(drawn);
      return null;
    } catch (Exception | AssertionError e) {
      return e;
    }
  }

  /** Cuts chunks of halving size while the case still fails; bounded, so a slow property stays bounded. */
  private static <C extends Case<C, S>, S> C shrink(C failing, Consumer<C> property) {
    C smallest = failing;
    int budget = 400;
    for (int chunk = Math.max(1, smallest.steps().size() / 2); chunk >= 1 && budget > 0; chunk /= 2) {
      boolean cut = true;
      while (cut && budget > 0) {
        cut = false;
        for (int from = 0; from + chunk <= smallest.steps().size() && budget > 0; from++) {
          List<S> fewer = new ArrayList<>(smallest.steps());
          fewer.subList(from, from + chunk).clear();
          C candidate = smallest.withSteps(fewer);
          budget--;
          if (failure(property, candidate) != null) {
            smallest = candidate;
            cut = true;
            break;
          }
        }
      }
    }
    return smallest;
  }
}
