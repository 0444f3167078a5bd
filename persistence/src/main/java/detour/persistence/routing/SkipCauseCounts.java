package detour.persistence.routing;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.deser.std.StdDeserializer;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reads a count per skip cause ({@link RoutingEvent.ModelSecond#passedOver}), in the row's order.
 * Names this version does not know all read as one cause ({@link SkipCause#fromName}): their
 * counts are added, where a plain map would keep only the last.
 */
final class SkipCauseCounts extends StdDeserializer<Map<SkipCause, Long>> {
  SkipCauseCounts() {
    super(Map.class);
  }

  @Override
  public Map<SkipCause, Long> deserialize(JsonParser parser, DeserializationContext context) throws IOException {
    JavaType byName = context.getTypeFactory().constructMapType(LinkedHashMap.class, String.class, Long.class);
    Map<String, Long> read = context.readValue(parser, byName);
    Map<SkipCause, Long> counts = new LinkedHashMap<>();
    read.forEach((name, n) -> counts.merge(SkipCause.fromName(name), n, Long::sum));
    return counts;
  }
}
