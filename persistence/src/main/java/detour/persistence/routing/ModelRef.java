package detour.persistence.routing;

import java.util.Objects;

/**
 * A model as the breakers name it: its provider and its upstream model name, so that
 * {@code provider/model} is the model's breaker scope key ({@code openai/gpt-4o-mini}).
 */
public record ModelRef(String provider, String model) implements Comparable<ModelRef> {
  public ModelRef {
    Objects.requireNonNull(provider, "provider");
    Objects.requireNonNull(model, "model");
  }

  /** The model's breaker scope key, {@code <provider>/<model>}. */
  public String key() {
    return provider + "/" + model;
  }

  @Override
  public int compareTo(ModelRef other) {
    int byProvider = provider.compareTo(other.provider);
    return byProvider != 0 ? byProvider : model.compareTo(other.model);
  }

  @Override
  public String toString() {
    return key();
  }
}
