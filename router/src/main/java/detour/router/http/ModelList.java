package detour.router.http;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/** {@code GET /v1/models} as OpenAI answers it: every route and catalogue model a caller may name. */
record ModelList(String object, List<Model> data) {

  record Model(String id, String object, long created, @JsonProperty("owned_by") String ownedBy) {}

  static ModelList of(List<String> names) {
    return new ModelList("list", names.stream().map(name -> new Model(name, "model", 0, "detour")).toList());
  }
}
