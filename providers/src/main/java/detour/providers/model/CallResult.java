package detour.providers.model;

/** What one upstream call came to: an answer or a classified failure, never an exception. */
public sealed interface CallResult {
  record Answered(ChatResponse response) implements CallResult {}

  record Failed(ProviderFailure failure) implements CallResult {}
}
