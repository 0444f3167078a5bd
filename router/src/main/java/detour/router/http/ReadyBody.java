package detour.router.http;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.Map;

/**
 * {@code GET /live} and {@code GET /ready}: a status; when not ready (a 503), why, and each
 * route's reason.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
record ReadyBody(String status, String reason, Map<String, String> routes) {

  static ReadyBody of(String status) {
    return new ReadyBody(status, null, null);
  }
}
