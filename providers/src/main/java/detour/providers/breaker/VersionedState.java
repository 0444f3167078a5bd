package detour.providers.breaker;

import detour.persistence.CborSerializable;

/**
 * A breaker's state as published, with the journal sequence number it was published at: what
 * travels between nodes, so that each keeps the newest it has seen.
 */
public record VersionedState(BreakerState state, long version) implements CborSerializable {
  public boolean newerThan(VersionedState other) {
    return other == null || version > other.version;
  }
}
