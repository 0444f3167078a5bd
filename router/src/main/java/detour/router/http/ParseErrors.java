package detour.router.http;

import akka.event.LoggingAdapter;
import akka.http.ParsingErrorHandler;
import akka.http.javadsl.model.ContentTypes;
import akka.http.javadsl.model.HttpEntities;
import akka.http.javadsl.model.HttpResponse;
import akka.http.scaladsl.model.ErrorInfo;
import akka.http.scaladsl.model.StatusCode;
import akka.http.scaladsl.settings.ServerSettings;

/**
 * The answer to a request Akka HTTP could not parse (headers too large or too many, a URI too
 * long, an unknown method or HTTP version, a missing Host, both Content-Length and
 * Transfer-Encoding, ...), which no route ever sees: OpenAI's error format with a code, in place of
 * Akka's plain text. Named by {@code akka.http.server.parsing.error-handler}; Akka HTTP creates one
 * per connection, so it holds nothing; it writes with {@link DetourJson}.
 */
public final class ParseErrors extends ParsingErrorHandler {
  @Override
  public HttpResponse handle(StatusCode status, ErrorInfo info, LoggingAdapter log, ServerSettings settings) {
    // Logged as Akka's own handler logs it, at the verbosity akka.http.server.parsing sets.
    akka.http.impl.engine.parsing.package$.MODULE$.logParsingError(
        info.withSummaryPrepended("Illegal request, responding with status '" + status + "'"),
        log, settings.parserSettings().errorLoggingVerbosity(), scala.collection.immutable.Set$.MODULE$.<String>empty());
    String message = "Detour could not read this request: " + info.summary()
        + (info.summary().endsWith(".") ? "" : ".");
    return HttpResponse.create().withStatus(status)
        .withEntity(HttpEntities.create(ContentTypes.APPLICATION_JSON,
            ApiError.ofStatus(status, message).body(DetourJson.MAPPER).toString()));
  }
}
