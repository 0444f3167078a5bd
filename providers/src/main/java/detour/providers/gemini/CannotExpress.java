package detour.providers.gemini;

/**
 * Raised while translating a request that holds something Gemini has no field for. The codec turns
 * it into {@code cannotExpress}'s reason, so that such a request goes to another candidate instead.
 * No stack trace: it is a verdict on the request, not a bug.
 */
final class CannotExpress extends RuntimeException {
  CannotExpress(String reason) {
    super(reason, null, false, false);
  }
}
