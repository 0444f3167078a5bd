package detour.router.whatif;

import detour.providers.breaker.BreakerState.Circuit;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What the what-if replay found: for each stretch of recorded trouble, each circuit's moves as the
 * journal has them and as the two replays have them, and the calls each model got.
 *
 * @param candidate the candidate configuration's file name
 * @param changed per provider, the breaker settings the candidate changes ({@code key: old -> new})
 * @param episodes the stretches of recorded outcomes, in time order
 */
public record WhatIfResult(String candidate, Map<String, List<String>> changed, List<Episode> episodes) {

  /**
   * One stretch of recorded outcomes: the seconds around one burst of trouble, replayed from closed
   * circuits.
   *
   * @param start its first recorded second
   * @param end the end of its last
   * @param nodes the nodes whose record it merges
   * @param scopes every circuit that moved in the journal or in either replay
   */
  public record Episode(Instant start, Instant end, List<String> nodes, List<ScopeStory> scopes) {}

  /**
   * One circuit in one episode, three ways.
   *
   * @param scope {@code provider} or {@code provider/model}
   * @param recorded the journal's moves and the record's calls
   * @param current the replay with the settings in effect
   * @param candidate the replay with the candidate's
   */
  public record ScopeStory(String scope, Column recorded, Column current, Column candidate) {}

  /**
   * @param moves the circuit's moves
   * @param calls calls its scope got (a provider's: its models' together); empty for a provider-wide
   *     circuit's own column when nothing was called
   * @param openAtEnd whether it was not closed when the episode ended
   */
  public record Column(List<Move> moves, BreakerReplay.Tally calls, boolean openAtEnd) {
    /** Milliseconds the circuit spent not closed within the episode. */
    public long notClosedMillis(Instant end) {
      long total = 0;
      Instant since = null;
      for (Move move : moves) {
        if (move.circuit() == Circuit.CLOSED) {
          if (since != null) total += move.at().toEpochMilli() - since.toEpochMilli();
          since = null;
        } else if (since == null) {
          since = move.at();
        }
      }
      if (since != null) total += end.toEpochMilli() - since.toEpochMilli();
      return total;
    }
  }

  /**
   * One move: {@code detail} is the trip's reason, the ramp stage's share ({@code "10%"}), or an
   * operator's action with who did it.
   */
  public record Move(Instant at, Circuit circuit, Optional<String> detail) {}
}
