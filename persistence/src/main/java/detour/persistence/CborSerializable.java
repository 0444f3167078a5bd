package detour.persistence;

/**
 * Marks messages that may cross between cluster nodes (breaker commands and replies). Bound to
 * Akka's compact jackson-cbor serializer in this module's reference.conf.
 */
public interface CborSerializable {}
