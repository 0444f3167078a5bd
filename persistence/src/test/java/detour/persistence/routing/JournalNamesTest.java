package detour.persistence.routing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.serialization.Serialization;
import akka.serialization.SerializationExtension;
import akka.serialization.Serializers;
import detour.persistence.breaker.FailureKind;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * The routing record's causes and endings are enums journaled by their names: every name reads
 * back as the constant it was written from, and a name a newer version may write reads as a
 * stated fallback instead of failing the row.
 */
class JournalNamesTest {
  static final ActorTestKit testKit = ActorTestKit.create();
  static final Serialization serialization = SerializationExtension.get(testKit.system().classicSystem());
  static final Instant AT = Instant.parse("2026-11-25T13:02:11Z");
  static final ModelRef MINI = new ModelRef("openai", "gpt-4o-mini");

  @AfterAll
  static void shutDown() {
    testKit.shutdownTestKit();
  }

  @Test
  void everyFailureClassAndSkipCauseReadsBackAsItselfTheirNamesNeverShared() {
    for (FailureKind kind : FailureKind.values()) assertEquals(PassCause.of(kind), PassCause.fromName(kind.name()));
    for (SkipCause cause : SkipCause.values()) {
      assertEquals(PassCause.of(cause), PassCause.fromName(cause.name()));
      assertEquals(cause, SkipCause.fromName(cause.name()));
    }
    for (Ending ending : Ending.values()) assertEquals(ending, Ending.fromName(ending.journalName()));
  }

  @Test
  void theRecordsNamesAreTheStringsItHasAlwaysWritten() {
    assertEquals(List.of("CIRCUIT_OPEN", "CIRCUIT_HALF_OPEN", "RAMPING", "DRAINED", "CONTEXT_WINDOW", "UNUSABLE",
        "INCAPABLE", "GUARDRAIL", "ABANDONED"), List.of(SkipCause.values()).stream().map(Enum::name).toList());
    assertEquals(List.of("answered", "streaming", "rejected", "exhausted", "deadline_exceeded"),
        List.of(Ending.values()).stream().map(Ending::journalName).toList());
  }

  @Test
  void namesANewerVersionMayWriteReadAsAFaultNeverAsAnAnswer() {
    assertEquals(PassCause.of(FailureKind.SERVER_ERROR), PassCause.fromName("SOMETHING_NEW"));
    assertEquals(SkipCause.UNUSABLE, SkipCause.fromName("SOMETHING_NEW"));
    assertEquals(Ending.EXHAUSTED, Ending.fromName("something_new"));
  }

  @Test
  void aRowWithNamesThisVersionDoesNotKnowStillReadsAndLosesNoCount() {
    String interval = "{\"type\":\"RoutingIntervalRecorded\",\"node\":\"n1\",\"start\":\"2026-11-25T13:02:10Z\","
        + "\"end\":\"2026-11-25T13:02:20Z\",\"requests\":3,\"failovers\":[{\"route\":\"default\",\"from\":"
        + "{\"provider\":\"openai\",\"model\":\"gpt-4o-mini\"},\"to\":null,\"cause\":\"SOMETHING_NEW\",\"requests\":3}],"
        + "\"outcomes\":[{\"route\":\"default\",\"outcome\":\"something_new\",\"requests\":3}],\"otherFailovers\":0,"
        + "\"otherOutcomes\":0,\"samples\":[]}";
    var read = (RoutingEvent.IntervalRecorded) read(interval, RoutingEvent.IntervalRecorded.class);
    assertEquals(PassCause.of(FailureKind.SERVER_ERROR), read.failovers().get(0).cause());
    assertEquals(Ending.EXHAUSTED, read.outcomes().get(0).outcome());

    String outcomes = "{\"type\":\"RoutingOutcomesRecorded\",\"node\":\"n1\",\"start\":\"2026-11-25T13:02:11Z\","
        + "\"end\":\"2026-11-25T13:02:12Z\",\"seconds\":[{\"at\":\"2026-11-25T13:02:11Z\",\"model\":"
        + "{\"provider\":\"openai\",\"model\":\"gpt-4o-mini\"},\"answered\":0,\"latencyMs\":{},\"failures\":{},"
        + "\"retryAfterMs\":0,\"passedOver\":{\"CIRCUIT_OPEN\":2,\"NEW_ONE\":3,\"NEW_TWO\":4}}],\"otherSeconds\":0}";
    var second = ((RoutingEvent.OutcomesRecorded) read(outcomes, RoutingEvent.OutcomesRecorded.class)).seconds().get(0);
    assertEquals(Map.of(SkipCause.CIRCUIT_OPEN, 2L, SkipCause.UNUSABLE, 7L), second.passedOver(),
        "both unknown causes counted, not the last one only");
  }

  @Test
  void causesAndEndingsAreWrittenByName() {
    var event = new RoutingEvent.IntervalRecorded("n1", AT, AT.plusSeconds(10), 2,
        List.of(new RoutingEvent.Failover("default", MINI, null, PassCause.of(SkipCause.GUARDRAIL), 1),
            new RoutingEvent.Failover("default", MINI, null, PassCause.of(FailureKind.TOTAL_TIMEOUT), 1)),
        List.of(new RoutingEvent.Outcome("default", Ending.DEADLINE_EXCEEDED, 2)), 0, 0,
        List.of(new RoutingEvent.Sample("r1", "default", Ending.DEADLINE_EXCEEDED, List.of())));
    String json = new String(serialization.findSerializerFor(event).toBinary(event), StandardCharsets.UTF_8);
    assertTrue(json.contains("\"cause\":\"GUARDRAIL\"") && json.contains("\"cause\":\"TOTAL_TIMEOUT\""), json);
    assertTrue(json.contains("\"outcome\":\"deadline_exceeded\",\"requests\":2"), json);
    assertTrue(json.contains("\"requestId\":\"r1\",\"route\":\"default\",\"outcome\":\"deadline_exceeded\""), json);
    assertEquals(event, read(json, RoutingEvent.IntervalRecorded.class));
  }

  /** Reads a row as the journal does: by the serializer and manifest of an event of its class. */
  private static Object read(String json, Class<?> type) {
    RoutingEvent ofType = type == RoutingEvent.IntervalRecorded.class
        ? new RoutingEvent.IntervalRecorded("n1", AT, AT, 0, List.of(), List.of(), 0, 0, List.of())
        : new RoutingEvent.OutcomesRecorded("n1", AT, AT, List.of(), 0);
    var serializer = serialization.findSerializerFor(ofType);
    String manifest = Serializers.manifestFor(serializer, ofType);
    return serialization.deserialize(json.getBytes(StandardCharsets.UTF_8), serializer.identifier(), manifest).get();
  }
}
