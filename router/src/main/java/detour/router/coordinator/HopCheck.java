package detour.router.coordinator;

import detour.router.config.Candidate;
import java.util.List;

/**
 * One check a candidate must pass before the walk calls it. A request's checks ({@link
 * HopChecks#forRequest}) are asked in order, and the first whose verdict is not {@link
 * HopVerdict#TRY} decides; the circuit gate comes last.
 */
@FunctionalInterface
interface HopCheck {

  HopVerdict check(Candidate candidate, WalkSoFar soFar);

  /**
   * What the walk has learnt before this hop, that a check may read.
   *
   * @param attempts the trace so far: every candidate tried or passed over, in order
   * @param refusals the size refusals so far
   */
  record WalkSoFar(List<Attempt> attempts, SizeRefusals refusals) {}

  /** The verdict of the first of {@code checks} that does not let the candidate through, or TRY. */
  static HopVerdict first(List<HopCheck> checks, Candidate candidate, WalkSoFar soFar) {
    for (HopCheck check : checks) {
      HopVerdict verdict = check.check(candidate, soFar);
      if (!(verdict instanceof HopVerdict.Try)) return verdict;
    }
    return HopVerdict.TRY;
  }
}
