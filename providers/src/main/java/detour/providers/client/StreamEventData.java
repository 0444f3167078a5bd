package detour.providers.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import detour.persistence.breaker.FailureKind;
import detour.providers.model.ProviderFailure;
import detour.providers.model.ProviderStreamException;
import java.io.IOException;

/**
 * Reads the JSON of one upstream stream event, for every protocol's {@link StreamTranslator}: data
 * that is not JSON means the stream broke, and it is the provider's fault.
 */
public final class StreamEventData {
  private static final ObjectMapper JSON = new ObjectMapper();

  private StreamEventData() {}

  /**
   * @param objectOnly whether anything but a JSON object is broken too
   * @param chunksSoFar how many chunks the stream had sent, for the message
   * @throws ProviderStreamException a {@code server_error} when the data is not (an object of) JSON
   */
  public static JsonNode parse(String data, boolean objectOnly, int chunksSoFar) {
    try {
      JsonNode parsed = JSON.readTree(data);
      if (parsed != null && (!objectOnly || parsed.isObject())) return parsed;
    } catch (IOException malformed) {
      // reported below
    }
    throw new ProviderStreamException(ProviderFailure.of(FailureKind.SERVER_ERROR, 200, "the stream sent data that is not "
        + (objectOnly ? "a JSON object" : "JSON") + " after " + chunksSoFar + " chunks"));
  }
}
