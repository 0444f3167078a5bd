package detour.simulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Behaviours to and from the control JSON. */
class BehaviourTest {

  @Test
  void everyModeRoundTripsThroughJson() {
    List<Behaviour> all =
        List.of(
            Behaviour.ok(),
            Behaviour.error(503),
            Behaviour.rateLimit(),
            Behaviour.rateLimit(2),
            Behaviour.hang(),
            Behaviour.slow(200),
            Behaviour.reset(),
            Behaviour.failNext(3, 503),
            Behaviour.failFraction(0.03, 503, 42),
            Behaviour.streamDrop(2),
            Behaviour.stallFirstToken(50),
            Behaviour.stallBetween(1, 50),
            Behaviour.malformed(),
            Behaviour.contextLength(),
            Behaviour.overloaded(),
            Behaviour.streamError(1),
            Behaviour.echoError(401, "Bearer sk-echoed"));
    for (Behaviour behaviour : all) {
      assertEquals(behaviour, Behaviour.fromJson(behaviour.toJson()), behaviour.toJson());
      assertEquals(behaviour.mode(), behaviour.toJsonNode().get("mode").asText());
    }
    assertEquals(Behaviour.MODES, all.stream().map(Behaviour::mode).distinct().toList());
  }

  @Test
  void rendersTheControlApiSpelling() {
    assertEquals("{\"mode\":\"slow\",\"delay_ms\":200}", Behaviour.slow(200).toJson());
    assertEquals(
        "{\"mode\":\"rate-limit\",\"retry_after_seconds\":2}", Behaviour.rateLimit(2).toJson());
    assertEquals(
        "{\"mode\":\"fail-fraction\",\"fraction\":0.03,\"status\":503,\"seed\":42}",
        Behaviour.failFraction(0.03, 503, 42).toJson());
    assertEquals(
        Behaviour.rateLimit(),
        Behaviour.fromJson("{\"mode\":\"rate-limit\",\"retry_after_seconds\":null}"));
  }

  @Test
  void rejectsWhatItCannotUnderstandWithAClearMessage() {
    assertRejected("[]", "JSON object");
    assertRejected("", "JSON object");
    assertRejected("{\"mode\":3}", "'mode'");
    assertRejected("{\"mode\":\"fail-next\",\"status\":503}", "needs field 'count'");
    assertRejected(
        "{\"mode\":\"fail-next\",\"count\":-1,\"status\":503}", "count must be 0 or more");
    assertRejected(
        "{\"mode\":\"fail-fraction\",\"fraction\":0.5,\"status\":503}", "needs field 'seed'");
    assertRejected("{\"mode\":\"slow\",\"delay_ms\":1.5}", "must be an integer");
    assertRejected("{\"mode\":\"rate-limit\",\"retry_after_seconds\":-1}", "0 or more");
    assertRejected("{\"mode\":\"hang\",\"status\":500}", "it takes no fields");
    assertRejected("{\"mode\":\"ok\",\"status\":500}", "does not take field(s) [status]");
    assertRejected("{\"mode\":\"echo-error\",\"status\":401,\"text\":7}", "must be a string");
    assertRejected("{\"mode\":\"echo-error\",\"status\":401,\"text\":\"a\\nb\"}", "control characters");
  }

  @Test
  void factoriesValidateToo() {
    assertThrows(IllegalArgumentException.class, () -> Behaviour.error(302));
    assertThrows(IllegalArgumentException.class, () -> Behaviour.slow(-1));
    assertThrows(IllegalArgumentException.class, () -> Behaviour.failFraction(Double.NaN, 503, 1));
  }

  private static void assertRejected(String json, String expected) {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> Behaviour.fromJson(json), json);
    assertTrue(
        e.getMessage().contains(expected), "'" + e.getMessage() + "' should mention " + expected);
  }
}
