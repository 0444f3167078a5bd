package detour.persistence.breaker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.serialization.Serialization;
import akka.serialization.SerializationExtension;
import akka.serialization.Serializers;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * Journal rows written by a released version must still read: each golden file, kept byte for
 * byte as it was released, deserialises into exactly the event it was written from. A renamed
 * class, field or enum constant breaks this test, not the journal.
 */
class EventFixturesTest {
  static final ActorTestKit testKit = ActorTestKit.create();
  static final Serialization serialization = SerializationExtension.get(testKit.system().classicSystem());

  @AfterAll
  static void shutDown() {
    testKit.shutdownTestKit();
  }

  @Test
  void everyReleasedEventStillReadsFromItsGoldenFile() throws IOException {
    for (var released : ReleasedEvents.v1().entrySet()) {
      byte[] golden = golden("events/v1/" + released.getKey() + ".json");
      var serializer = serialization.findSerializerFor(released.getValue());
      String manifest = Serializers.manifestFor(serializer, released.getValue());
      Object read = serialization.deserialize(golden, serializer.identifier(), manifest).get();
      assertEquals(released.getValue(), read, released.getKey());
    }
  }

  @Test
  void everyReleasedEventIsStillWrittenAsItsGoldenFile() throws IOException {
    var json = new ObjectMapper();
    for (var released : ReleasedEvents.v1().entrySet()) {
      byte[] written = serialization.findSerializerFor(released.getValue()).toBinary(released.getValue());
      // As trees: the order of a map's keys is the writer's, and Map.of keeps none.
      assertEquals(json.readTree(golden("events/v1/" + released.getKey() + ".json")), json.readTree(written),
          released.getKey());
    }
  }

  @Test
  void eventsAreWrittenAsReadableJsonWithEnumsByName() {
    var tripped = ReleasedEvents.v1().get("Tripped");
    var serializer = serialization.findSerializerFor(tripped);
    assertInstanceOf(akka.serialization.jackson.JacksonJsonSerializer.class, serializer);
    String json = new String(serializer.toBinary(tripped), StandardCharsets.UTF_8);
    assertTrue(json.contains("\"reason\":\"CONSECUTIVE_FAULTS\""), json);
    assertTrue(json.contains("\"at\":\"2026-11-25T13:02:11.481Z\""), "instants as ISO-8601 text: " + json);
  }

  @Test
  void aRoutingRecordRowNamesItsOwnTypeAndWritesNoAnswerAsNull() {
    var interval = ReleasedEvents.v1().get("RoutingIntervalRecorded");
    String json = new String(serialization.findSerializerFor(interval).toBinary(interval), StandardCharsets.UTF_8);
    assertTrue(json.startsWith("{\"type\":\"RoutingIntervalRecorded\","), json);
    assertTrue(json.contains("\"to\":null"), "a request nobody answered: " + json);
    assertTrue(json.contains("\"start\":\"2026-11-25T13:02:10Z\""), json);
  }

  private static byte[] golden(String resource) throws IOException {
    try (InputStream in = EventFixturesTest.class.getClassLoader().getResourceAsStream(resource)) {
      assertNotNull(in, "missing golden file " + resource + "; write it once with EventFixturesTest.main");
      return in.readAllBytes();
    }
  }

  /** Writes the golden files of a new schema version, once, into the source tree. */
  public static void main(String[] args) throws IOException {
    var kit = ActorTestKit.create();
    try {
      var ser = SerializationExtension.get(kit.system().classicSystem());
      Path dir = Path.of(args.length > 0 ? args[0] : "src/test/resources/events/v1");
      Files.createDirectories(dir);
      for (var released : ReleasedEvents.v1().entrySet()) {
        Path file = dir.resolve(released.getKey() + ".json");
        if (Files.exists(file)) continue;  // written once, never overwritten
        Files.write(file, ser.findSerializerFor(released.getValue()).toBinary(released.getValue()));
      }
    } finally {
      kit.shutdownTestKit();
    }
    System.exit(0);  // a tool run: do not wait for threads the actor system leaves behind
  }
}
