package detour.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;

/** Reads a behaviour's fields, remembering which were read so that strays can be reported. */
final class BehaviourFields {
  private final JsonNode node;
  private final String mode;
  private final Set<String> read = new LinkedHashSet<>(List.of("mode"));

  BehaviourFields(JsonNode node, String mode) {
    this.node = node;
    this.mode = mode;
  }

  /** Whether the field is given (null counts as absent); an absent field is still "known". */
  boolean has(String name) {
    JsonNode value = node.get(name);
    if (value == null || value.isNull()) {
      read.add(name);
      return false;
    }
    return true;
  }

  int integer(String name) {
    JsonNode value = required(name);
    if (!value.isIntegralNumber() || !value.canConvertToInt()) {
      throw new IllegalArgumentException(
          "field '" + name + "' of mode '" + mode + "' must be an integer, not " + value);
    }
    return value.intValue();
  }

  long longInteger(String name) {
    JsonNode value = required(name);
    if (!value.isIntegralNumber() || !value.canConvertToLong()) {
      throw new IllegalArgumentException(
          "field '" + name + "' of mode '" + mode + "' must be an integer, not " + value);
    }
    return value.longValue();
  }

  /** An optional integer field: empty when absent or null. */
  OptionalInt optionalInteger(String name) {
    return has(name) ? OptionalInt.of(integer(name)) : OptionalInt.empty();
  }

  /** An optional long field: empty when absent or null. */
  OptionalLong optionalLong(String name) {
    return has(name) ? OptionalLong.of(longInteger(name)) : OptionalLong.empty();
  }

  String string(String name) {
    JsonNode value = required(name);
    if (!value.isTextual()) {
      throw new IllegalArgumentException(
          "field '" + name + "' of mode '" + mode + "' must be a string, not " + value);
    }
    return value.asText();
  }

  double number(String name) {
    JsonNode value = required(name);
    if (!value.isNumber()) {
      throw new IllegalArgumentException(
          "field '" + name + "' of mode '" + mode + "' must be a number, not " + value);
    }
    return value.doubleValue();
  }

  private JsonNode required(String name) {
    JsonNode value = node.get(name);
    if (value == null || value.isNull()) {
      throw new IllegalArgumentException("mode '" + mode + "' needs field '" + name + "'");
    }
    read.add(name);
    return value;
  }

  void rejectUnread() {
    List<String> strays = new ArrayList<>();
    for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
      String name = names.next();
      if (!read.contains(name)) {
        strays.add(name);
      }
    }
    if (!strays.isEmpty()) {
      List<String> known = new ArrayList<>(read);
      known.remove("mode");
      throw new IllegalArgumentException(
          "mode '"
              + mode
              + "' does not take field(s) "
              + strays
              + (known.isEmpty() ? "; it takes no fields" : "; it takes " + known));
    }
  }
}
