package detour.simulator;

import akka.http.javadsl.model.HttpHeader;
import akka.http.javadsl.model.HttpRequest;
import akka.japi.Pair;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * A chat request as received, before any protocol reads it: path, query parameters, headers (names
 * in lower case, repeated headers joined with {@code ", "}, the entity's {@code content-type}
 * included) and the raw body.
 */
record ChatCall(String path, Map<String, String> query, Map<String, String> headers, byte[] body) {

  ChatCall {
    query = Collections.unmodifiableMap(new LinkedHashMap<>(query));
    headers = Collections.unmodifiableMap(new LinkedHashMap<>(headers));
  }

  /** The call of {@code request}, whose entity has been read into {@code body}. */
  static ChatCall of(HttpRequest request, byte[] body) {
    Map<String, String> query = new LinkedHashMap<>();
    for (Pair<String, String> parameter : request.getUri().query().toList()) {
      query.merge(parameter.first(), parameter.second(), (a, b) -> a + "," + b);
    }
    Map<String, String> headers = new LinkedHashMap<>();
    for (HttpHeader header : request.getHeaders()) {
      String name = header.lowercaseName();
      if (!name.equals("timeout-access")) {
        headers.merge(name, header.value(), (a, b) -> a + ", " + b);
      }
    }
    if (!headers.containsKey("content-type")) {
      headers.put("content-type", request.entity().getContentType().toString());
    }
    return new ChatCall(request.getUri().path(), query, headers, body);
  }

  /** The header's value, by name in any case; empty when absent or blank. */
  Optional<String> header(String name) {
    String value = headers.get(name.toLowerCase(Locale.ROOT));
    return value == null || value.isBlank() ? Optional.empty() : Optional.of(value);
  }

  /** The query parameter's value; empty when absent or blank. */
  Optional<String> parameter(String name) {
    String value = query.get(name);
    return value == null || value.isBlank() ? Optional.empty() : Optional.of(value);
  }
}
