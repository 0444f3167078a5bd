package detour.simulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import java.util.OptionalInt;
import java.util.OptionalLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The stream fault modes and the shape fields: strict parsing, rendering, the control API. */
class BehaviourStreamModesTest {

  private static ProviderSimulator simulator;
  private static final SimClient client = new SimClient();

  @BeforeAll
  static void start() {
    simulator = ProviderSimulator.startOnFreePorts("a");
  }

  @AfterAll
  static void stop() {
    simulator.close();
  }

  @Test
  void parsesEveryNewModeIntoItsRecord() {
    StreamShape shaped = StreamShape.DEFAULT.withChunks(8).withChunkIntervalMs(20);
    assertEquals(
        new Behaviour.StreamDrop(3, StreamShape.DEFAULT),
        Behaviour.fromJson("{\"mode\":\"stream-drop\",\"after_chunks\":3}"));
    assertEquals(
        new Behaviour.StreamDrop(3, shaped),
        Behaviour.fromJson(
            "{\"mode\":\"stream-drop\",\"after_chunks\":3,\"chunks\":8,\"chunk_interval_ms\":20}"));
    assertEquals(
        new Behaviour.StallFirstToken(OptionalLong.empty(), StreamShape.DEFAULT),
        Behaviour.fromJson("{\"mode\":\"stall-first-token\"}"));
    assertEquals(
        Behaviour.stallFirstToken(150),
        Behaviour.fromJson("{\"mode\":\"stall-first-token\",\"ms\":150}"));
    assertEquals(
        Behaviour.stallBetween(2),
        Behaviour.fromJson("{\"mode\":\"stall-between\",\"after_chunks\":2}"));
    assertEquals(
        Behaviour.stallBetween(2, 90),
        Behaviour.fromJson("{\"mode\":\"stall-between\",\"after_chunks\":2,\"ms\":90}"));
    assertEquals(Behaviour.malformed(), Behaviour.fromJson("{\"mode\":\"malformed\"}"));
    assertEquals(Behaviour.contextLength(), Behaviour.fromJson("{\"mode\":\"context-length\"}"));
    assertEquals(
        new Behaviour.ContextLength(OptionalInt.of(4096)),
        Behaviour.fromJson("{\"mode\":\"context-length\",\"limit_tokens\":4096}"));
    assertEquals(Behaviour.overloaded(), Behaviour.fromJson("{\"mode\":\"overloaded\"}"));
    assertEquals(
        Behaviour.streamError(0),
        Behaviour.fromJson("{\"mode\":\"stream-error\",\"after_chunks\":0}"));
    assertEquals(
        Behaviour.ok(new StreamShape(2, 10, 30, 5000)),
        Behaviour.fromJson(
            "{\"mode\":\"ok\",\"chunks\":2,\"chunk_interval_ms\":10,\"first_token_ms\":30,"
                + "\"answer_bytes\":5000}"));
    assertEquals(
        new Behaviour.Slow(200, StreamShape.DEFAULT.withFirstTokenMs(50)),
        Behaviour.fromJson("{\"mode\":\"slow\",\"delay_ms\":200,\"first_token_ms\":50}"));
  }

  @Test
  void rendersFieldsGivenAndLeavesDefaultsOut() {
    assertEquals(
        "{\"mode\":\"ok\"}", Behaviour.fromJson("{\"mode\":\"ok\",\"chunks\":5}").toJson());
    assertEquals(
        "{\"mode\":\"ok\",\"chunks\":2,\"chunk_interval_ms\":10,\"first_token_ms\":30,"
            + "\"answer_bytes\":5000}",
        Behaviour.ok(new StreamShape(2, 10, 30, 5000)).toJson());
    assertEquals("{\"mode\":\"stall-first-token\"}", Behaviour.stallFirstToken().toJson());
    assertEquals(
        "{\"mode\":\"stall-between\",\"after_chunks\":2,\"ms\":90}",
        Behaviour.stallBetween(2, 90).toJson());
    assertEquals(
        "{\"mode\":\"stream-drop\",\"after_chunks\":3,\"chunk_interval_ms\":20}",
        new Behaviour.StreamDrop(3, StreamShape.DEFAULT.withChunkIntervalMs(20)).toJson());
    assertEquals(
        "{\"mode\":\"context-length\",\"limit_tokens\":4096}",
        Behaviour.contextLength(4096).toJson());
    assertEquals("{\"mode\":\"overloaded\"}", Behaviour.overloaded().toJson());
    assertEquals(
        "{\"mode\":\"stream-error\",\"after_chunks\":1}", Behaviour.streamError(1).toJson());
  }

  @Test
  void refusesMissingMistypedOutOfRangeAndStrayFields() {
    assertRejected("{\"mode\":\"stream-drop\"}", "mode 'stream-drop' needs field 'after_chunks'");
    assertRejected(
        "{\"mode\":\"stream-drop\",\"after_chunks\":-1}", "after_chunks must be 0 or more");
    assertRejected(
        "{\"mode\":\"stream-drop\",\"after_chunks\":\"2\"}",
        "'after_chunks' of mode 'stream-drop' must be an integer");
    assertRejected("{\"mode\":\"stall-between\",\"ms\":5}", "needs field 'after_chunks'");
    assertRejected("{\"mode\":\"stall-first-token\",\"ms\":-5}", "ms must be 0 or more");
    assertRejected("{\"mode\":\"stall-first-token\",\"ms\":1.5}", "must be an integer");
    assertRejected("{\"mode\":\"stream-error\"}", "needs field 'after_chunks'");
    assertRejected("{\"mode\":\"context-length\",\"limit_tokens\":0}", "limit_tokens must be 1");
    assertRejected("{\"mode\":\"overloaded\",\"status\":503}", "it takes no fields");
    assertRejected("{\"mode\":\"context-length\",\"ms\":3}", "does not take field(s) [ms]");
    assertRejected("{\"mode\":\"malformed\",\"after_chunks\":1}", "does not take field(s)");
    assertRejected(
        "{\"mode\":\"error\",\"status\":503,\"chunks\":3}", "does not take field(s) [chunks]");
    assertRejected("{\"mode\":\"ok\",\"chunks\":0}", "chunks must be between 1 and 10000");
    assertRejected("{\"mode\":\"ok\",\"chunks\":10001}", "chunks must be between 1 and 10000");
    assertRejected(
        "{\"mode\":\"ok\",\"chunk_interval_ms\":-1}", "chunk_interval_ms must be 0 or more");
    assertRejected("{\"mode\":\"ok\",\"first_token_ms\":-1}", "first_token_ms must be 0 or more");
    assertRejected("{\"mode\":\"ok\",\"answer_bytes\":99999999}", "answer_bytes must be between");
    assertRejected("{\"mode\":\"ok\",\"chunk\":3}", "does not take field(s) [chunk]");
    assertRejected("{\"mode\":\"stream_drop\",\"after_chunks\":3}", "unknown mode 'stream_drop'");
  }

  @Test
  void controlApiAcceptsAndEchoesEveryNewMode() throws Exception {
    SimulatedInstance a = simulator.instance("a");
    ObjectMapper json = new ObjectMapper();
    for (String body :
        List.of(
            "{\"mode\":\"stream-drop\",\"after_chunks\":3}",
            "{\"mode\":\"stall-first-token\"}",
            "{\"mode\":\"stall-first-token\",\"ms\":100}",
            "{\"mode\":\"stall-between\",\"after_chunks\":2,\"ms\":100}",
            "{\"mode\":\"malformed\"}",
            "{\"mode\":\"context-length\"}",
            "{\"mode\":\"overloaded\"}",
            "{\"mode\":\"stream-error\",\"after_chunks\":1}",
            "{\"mode\":\"ok\",\"chunks\":8,\"chunk_interval_ms\":5,\"first_token_ms\":10,"
                + "\"answer_bytes\":2048}",
            "{\"mode\":\"slow\",\"delay_ms\":10,\"chunks\":2}")) {
      var response = client.control(a, "PUT", "/_simulator/behaviour", body);
      assertEquals(200, response.statusCode(), body);
      assertEquals(json.readTree(body), json.readTree(response.body()));
      assertEquals(Behaviour.fromJson(body), a.behaviour());
      assertEquals(
          json.readTree(body),
          json.readTree(client.control(a, "GET", "/_simulator/stats", null).body())
              .get("behaviour"));
    }
    var refused = client.control(a, "PUT", "/_simulator/behaviour", "{\"mode\":\"stream-drop\"}");
    assertEquals(400, refused.statusCode());
    assertEquals(
        Behaviour.fromJson("{\"mode\":\"slow\",\"delay_ms\":10,\"chunks\":2}"), a.behaviour());
  }

  private static void assertRejected(String json, String expected) {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> Behaviour.fromJson(json), json);
    assertTrue(
        e.getMessage().contains(expected), "'" + e.getMessage() + "' should mention " + expected);
  }
}
