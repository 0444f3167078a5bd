package detour.providers.gemini;

import static detour.providers.gemini.GeminiFixtures.parse;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

/** JSON Schema cut down to the OpenAPI subset Gemini accepts. */
class GeminiSchemasTest {

  private static ObjectNode translate(String schema) {
    return GeminiSchemas.toGemini(parse(schema), "tool 't'");
  }

  @Test
  void keysGeminiRefusesAreStrippedAtEveryDepth() {
    assertEquals(parse("""
        {"type": "object", "description": "an order",
         "properties": {
           "lines": {"type": "array", "minItems": 1,
             "items": {"type": "object", "properties": {"sku": {"type": "string", "pattern": "^[A-Z]+$"}}}},
           "note": {"type": "string", "maxLength": 200}}}"""),
        translate("""
        {"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": "order", "$comment": "x",
         "type": "object", "description": "an order", "additionalProperties": false, "strict": true,
         "properties": {
           "lines": {"type": "array", "minItems": 1, "uniqueItems": true,
             "items": {"type": "object", "additionalProperties": {"type": "string"},
                       "patternProperties": {"^x-": {}}, "properties": {"sku": {"type": "string", "pattern": "^[A-Z]+$"}}}},
           "note": {"type": "string", "maxLength": 200, "examples": ["fragile"], "not": {"const": ""}}}}"""));
  }

  @Test
  void aPropertyNamedLikeASchemaKeywordIsKept() {
    assertEquals(parse("{\"type\": \"object\", \"properties\": {\"additionalProperties\": {\"type\": \"boolean\"}}}"),
        translate("{\"type\": \"object\", \"properties\": {\"additionalProperties\": {\"type\": \"boolean\"}}}"));
  }

  @Test
  void aNullableTypeListBecomesOneTypeAndNullable() {
    assertEquals(parse("{\"type\": \"integer\", \"nullable\": true}"), translate("{\"type\": [\"integer\", \"null\"]}"));
    assertEquals(parse("{\"anyOf\": [{\"type\": \"string\"}, {\"type\": \"number\"}]}"),
        translate("{\"type\": [\"string\", \"number\"]}"));
  }

  @Test
  void oneOfBecomesAnyOfAndAllOfOfOneSchemaIsThatSchema() {
    assertEquals(parse("{\"anyOf\": [{\"type\": \"string\"}, {\"type\": \"integer\"}]}"),
        translate("{\"oneOf\": [{\"type\": \"string\"}, {\"type\": \"integer\"}]}"));
    assertEquals(parse("{\"type\": \"string\", \"enum\": [\"a\", \"b\"], \"description\": \"the mode\"}"),
        translate("""
            {"$defs": {"Mode": {"type": "string", "enum": ["a", "b"]}},
             "allOf": [{"$ref": "#/$defs/Mode"}], "description": "the mode"}"""));
  }

  @Test
  void localReferencesAreInlinedWithTheReferrersDescription() {
    assertEquals(parse("""
        {"type": "object", "properties": {
          "home": {"type": "object", "properties": {"city": {"type": "string"}}, "description": "where they live"},
          "work": {"type": "object", "properties": {"city": {"type": "string"}}}}}"""),
        translate("""
        {"type": "object", "definitions": {"Address": {"type": "object", "properties": {"city": {"type": "string"}}}},
         "properties": {
           "home": {"$ref": "#/definitions/Address", "description": "where they live"},
           "work": {"$ref": "#/definitions/Address"}}}"""));
  }

  @Test
  void enumsOtherThanStringsAreDroppedAndNullInAnEnumIsNullable() {
    assertEquals(parse("{\"type\": \"integer\"}"), translate("{\"type\": \"integer\", \"enum\": [1, 2, 3]}"));
    assertEquals(parse("{\"type\": \"string\", \"enum\": [\"on\", \"off\"], \"nullable\": true}"),
        translate("{\"type\": \"string\", \"enum\": [\"on\", \"off\", null]}"));
  }

  @Test
  void onlyFormatsGeminiReadsAreKept() {
    assertEquals(parse("{\"type\": \"string\", \"format\": \"date-time\"}"),
        translate("{\"type\": \"string\", \"format\": \"date-time\"}"));
    assertEquals(parse("{\"type\": \"string\"}"), translate("{\"type\": \"string\", \"format\": \"email\"}"));
    assertEquals(parse("{\"type\": \"integer\", \"format\": \"int64\"}"),
        translate("{\"type\": \"integer\", \"format\": \"int64\"}"));
  }

  @Test
  void requiredNamesWithoutAPropertyAreDropped() {
    assertEquals(parse("{\"type\": \"object\", \"properties\": {\"a\": {\"type\": \"string\"}}, \"required\": [\"a\"]}"),
        translate("{\"type\": \"object\", \"properties\": {\"a\": {\"type\": \"string\"}}, \"required\": [\"a\", \"ghost\"]}"));
  }

  @Test
  void whatTheSubsetCannotSayIsRefusedWithTheReason() {
    assertRefused("{\"$ref\": \"https://example.com/schema.json\"}", "outside the schema");
    assertRefused("{\"$ref\": \"#/$defs/missing\"}", "to nothing");
    assertRefused("{\"allOf\": [{\"type\": \"object\"}, {\"type\": \"object\"}]}", "allOf of several");
    assertRefused("{\"type\": \"array\", \"items\": [{\"type\": \"string\"}, {\"type\": \"integer\"}]}", "tuple");
    assertRefused("{\"type\": \"null\"}", "null only");
    assertRefused("{\"$defs\": {\"n\": {\"type\": \"object\", \"properties\": {\"next\": {\"$ref\": \"#/$defs/n\"}}}},"
        + " \"$ref\": \"#/$defs/n\"}", "recursive");
  }

  @Test
  void aSchemaNestedTooDeepIsRefused() {
    String schema = "{\"type\": \"string\"}";
    for (int i = 0; i <= GeminiSchemas.MAX_DEPTH; i++) schema = "{\"type\": \"array\", \"items\": " + schema + "}";
    String deep = schema;
    assertThrows(CannotExpress.class, () -> translate(deep));
  }

  private static void assertRefused(String schema, String reason) {
    CannotExpress refused = assertThrows(CannotExpress.class, () -> translate(schema));
    assertTrue(refused.getMessage().startsWith("tool 't': ") && refused.getMessage().contains(reason),
        refused.getMessage());
  }
}
