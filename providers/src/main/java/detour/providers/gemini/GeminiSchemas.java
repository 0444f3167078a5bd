package detour.providers.gemini;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Turns a JSON Schema (a tool's {@code parameters}, a {@code json_schema} response format) into
 * Gemini's {@code Schema}, which is a subset of OpenAPI 3.0: Gemini refuses the whole request with
 * a 400 for any key it does not know, so only the keys it knows are kept.
 *
 * <p>Dropped: {@code $schema}, {@code $id}, {@code additionalProperties}, {@code
 * patternProperties}, {@code not}, {@code if}/{@code then}/{@code else}, {@code
 * exclusiveMinimum}/{@code exclusiveMaximum}, {@code multipleOf}, {@code examples}, {@code
 * uniqueItems}, {@code strict} and any other key, a {@code format} Gemini does not read, an
 * {@code enum} that is not all strings, and a {@code required} name with no property. Rewritten:
 * {@code type: [T, "null"]} becomes {@code type: T, nullable: true}; {@code oneOf} becomes {@code
 * anyOf}; a string {@code const} becomes a one-value {@code enum} (of type string, as all Gemini
 * enums are); {@code allOf} of one schema
 * becomes that schema; local {@code $ref}s ({@code #/$defs/...}, {@code #/definitions/...}) are
 * inlined. Refused ({@link CannotExpress}): a recursive or non-local {@code $ref}, {@code allOf} of
 * several schemas, tuple {@code items}, a schema nested deeper than {@value #MAX_DEPTH}.
 */
final class GeminiSchemas {
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  /** The deepest nesting translated; deeper is refused rather than risk a runaway expansion. */
  static final int MAX_DEPTH = 32;

  /** The keys of Gemini's Schema object that are copied as they are (values checked where noted). */
  private static final Set<String> COPIED = Set.of(
      "title", "description", "nullable", "default", "example", "propertyOrdering",
      "minItems", "maxItems", "minProperties", "maxProperties", "minLength", "maxLength",
      "pattern", "minimum", "maximum");

  /** The formats Gemini reads, by type; any other format is dropped. */
  private static final Map<String, Set<String>> FORMATS = Map.of(
      "string", Set.of("enum", "date-time"),
      "number", Set.of("float", "double"),
      "integer", Set.of("int32", "int64"));

  private GeminiSchemas() {}

  /**
   * Gemini's schema for a JSON Schema.
   *
   * @param what what the schema belongs to, for the refusal's reason (e.g. {@code tool 'search'})
   * @throws CannotExpress when the schema uses what Gemini's subset cannot say
   */
  static ObjectNode toGemini(JsonNode schema, String what) {
    return new Walk(schema, what).schema(schema, 0);
  }

  /** One translation: the root (for {@code $ref}s) and the chain of {@code $ref}s being inlined. */
  private static final class Walk {
    private final JsonNode root;
    private final String what;
    private final Deque<String> refs = new ArrayDeque<>();

    Walk(JsonNode root, String what) {
      this.root = root;
      this.what = what;
    }

    ObjectNode schema(JsonNode schema, int depth) {
      if (depth > MAX_DEPTH) throw refuse("its schema is nested deeper than " + MAX_DEPTH + " levels");
      if (schema.isBoolean() && schema.booleanValue()) return NODES.objectNode();  // true: anything
      if (!schema.isObject()) throw refuse("its schema has a part that is not an object: " + schema);
      if (schema.has("$ref")) return ref(schema, depth);
      if (schema.has("allOf")) return allOf(schema, depth);

      ObjectNode out = NODES.objectNode();
      type(schema, out, depth);
      for (String key : COPIED) {
        if (schema.has(key)) out.set(key, schema.get(key));
      }
      format(schema, out);
      enumeration(schema, out);
      JsonNode properties = schema.path("properties");
      if (properties.isObject()) {
        ObjectNode translated = out.putObject("properties");
        for (Iterator<Map.Entry<String, JsonNode>> it = properties.fields(); it.hasNext(); ) {
          Map.Entry<String, JsonNode> property = it.next();
          translated.set(property.getKey(), schema(property.getValue(), depth + 1));
        }
        required(schema, properties, out);
      }
      JsonNode items = schema.path("items");
      if (items.isArray()) throw refuse("its schema has tuple 'items' (a list of schemas)");
      if (!items.isMissingNode()) out.set("items", schema(items, depth + 1));
      JsonNode alternatives = schema.has("anyOf") ? schema.get("anyOf") : schema.path("oneOf");
      if (alternatives.isArray()) {
        ArrayNode anyOf = out.putArray("anyOf");
        for (JsonNode alternative : alternatives) anyOf.add(schema(alternative, depth + 1));
      }
      return out;
    }

    /** {@code type}; a list of types becomes one type plus {@code nullable}, or an {@code anyOf}. */
    private void type(JsonNode schema, ObjectNode out, int depth) {
      JsonNode type = schema.path("type");
      if (type.isTextual()) {
        if (type.asText().equals("null")) throw refuse("its schema has a property of type null only");
        out.put("type", type.asText());
        return;
      }
      if (!type.isArray()) return;
      List<String> types = new ArrayList<>();
      for (JsonNode t : type) {
        if (t.asText().equals("null")) {
          out.put("nullable", true);
        } else {
          types.add(t.asText());
        }
      }
      if (types.size() == 1) {
        out.put("type", types.get(0));
      } else if (types.size() > 1) {
        ArrayNode anyOf = out.putArray("anyOf");
        for (String t : types) anyOf.addObject().put("type", t);
      } else {
        throw refuse("its schema has a property of type null only");
      }
    }

    private static void format(JsonNode schema, ObjectNode out) {
      String format = schema.path("format").asText("");
      if (format.isEmpty()) return;
      Set<String> known = FORMATS.get(out.path("type").asText(""));
      if (known != null && known.contains(format)) out.put("format", format);
    }

    /** {@code enum} (strings only, a null becoming {@code nullable}) and a string {@code const}. */
    private static void enumeration(JsonNode schema, ObjectNode out) {
      JsonNode values = schema.path("enum");
      if (values.isArray()) {
        ArrayNode strings = NODES.arrayNode();
        for (JsonNode value : values) {
          if (value.isNull()) {
            out.put("nullable", true);
          } else if (value.isTextual()) {
            strings.add(value);
          } else {
            return;  // Gemini's enum holds strings only: a looser schema rather than a refused call
          }
        }
        out.set("enum", strings);
      } else if (schema.path("const").isTextual()) {
        out.putArray("enum").add(schema.get("const"));
      } else {
        return;
      }
      if (!out.has("type")) out.put("type", "string");  // Gemini's enum belongs to a string
    }

    /** Only the names of properties that exist: Gemini refuses a required name it cannot find. */
    private static void required(JsonNode schema, JsonNode properties, ObjectNode out) {
      JsonNode required = schema.path("required");
      if (!required.isArray()) return;
      ArrayNode kept = out.putArray("required");
      for (JsonNode name : required) {
        if (properties.has(name.asText())) kept.add(name.asText());
      }
    }

    /** Inlines a local reference; the referring schema's own description wins over the target's. */
    private ObjectNode ref(JsonNode schema, int depth) {
      String ref = schema.get("$ref").asText();
      if (!ref.startsWith("#/")) throw refuse("its schema has a $ref outside the schema: '" + ref + "'");
      if (refs.contains(ref)) throw refuse("its schema is recursive ($ref '" + ref + "')");
      JsonNode target = root.at(ref.substring(1));
      if (target.isMissingNode()) throw refuse("its schema has a $ref to nothing: '" + ref + "'");
      refs.push(ref);
      ObjectNode out = schema(target, depth + 1);
      refs.pop();
      if (schema.has("description")) out.set("description", schema.get("description"));
      if (schema.has("title")) out.set("title", schema.get("title"));
      return out;
    }

    /** {@code allOf} of one schema (how generators attach a description to a $ref) is that schema. */
    private ObjectNode allOf(JsonNode schema, int depth) {
      JsonNode all = schema.get("allOf");
      if (!all.isArray() || all.size() != 1) throw refuse("its schema has allOf of several schemas");
      ObjectNode rest = ((ObjectNode) schema).deepCopy();
      rest.remove("allOf");
      ObjectNode out = schema(all.get(0), depth + 1);
      out.setAll(schema(rest, depth + 1));
      return out;
    }

    private CannotExpress refuse(String why) {
      return new CannotExpress(what + ": " + why + ", which Gemini's schema subset cannot express");
    }
  }
}
