package detour.providers.model;

/** Tokens an upstream reports for one completion. */
public record Usage(int promptTokens, int completionTokens, int totalTokens) {
  public static Usage none() {
    return new Usage(0, 0, 0);
  }
}
