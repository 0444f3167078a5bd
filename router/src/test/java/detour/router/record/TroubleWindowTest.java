package detour.router.record;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import detour.persistence.routing.ModelRef;
import detour.persistence.routing.RoutingEvent.ModelSecond;
import detour.persistence.routing.SkipCause;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TroubleWindowTest {
  static final ModelRef MODEL = new ModelRef("a", "model-a");
  static final Instant T0 = Instant.parse("2026-01-05T09:00:00Z");
  final TroubleWindow window = new TroubleWindow(Duration.ofSeconds(3), Duration.ofSeconds(2));

  static ModelSecond calm(int second) {
    return new ModelSecond(T0.plusSeconds(second), MODEL, 5, Map.of("50", 5L), Map.of(), 0, Map.of());
  }

  static ModelSecond faulty(int second) {
    return new ModelSecond(T0.plusSeconds(second), MODEL, 3, Map.of("50", 3L), Map.of("OVERLOADED", 2L), 0, Map.of());
  }

  void offer(ModelSecond row) {
    window.offer(row.at(), List.of(row));
  }

  List<Long> secondsTaken() {
    return window.take().stream().map(r -> r.at().getEpochSecond() - T0.getEpochSecond()).toList();
  }

  @Test
  void calmSecondsAreNeverWritten() {
    for (int s = 0; s < 100; s++) offer(calm(s));

    assertTrue(window.take().isEmpty());
  }

  @Test
  void troubleIsWrittenWithItsLeadBeforeAndItsTailAfter() {
    for (int s = 0; s < 10; s++) offer(calm(s));
    offer(faulty(10));
    for (int s = 11; s < 20; s++) offer(calm(s));

    assertEquals(List.of(7L, 8L, 9L, 10L, 11L, 12L), secondsTaken(), "3 s before, 2 s after");
  }

  @Test
  void troubleThatGoesOnKeepsTheWindowOpenUntilTwoCalmSecondsAfterItsLast() {
    offer(calm(0));
    offer(faulty(1));
    offer(calm(2));
    offer(faulty(3));
    for (int s = 4; s < 10; s++) offer(calm(s));

    assertEquals(List.of(0L, 1L, 2L, 3L, 4L, 5L), secondsTaken());
  }

  @Test
  void aClientsOwnMistakeIsNoTrouble() {
    offer(new ModelSecond(T0, MODEL, 0, Map.of(), Map.of("BAD_REQUEST", 4L), 0, Map.of()));

    assertTrue(window.take().isEmpty());
  }

  @Test
  void aPassOverForAnOpenCircuitIsTrouble() {
    offer(new ModelSecond(T0, MODEL, 0, Map.of(), Map.of(), 0, Map.of(SkipCause.CIRCUIT_OPEN, 9L)));

    assertEquals(List.of(0L), secondsTaken());
  }
}
